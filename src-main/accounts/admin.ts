import type { StaffUserDto } from '@shared/contract/shapes'
import type { Actor, StaffRole } from '../core/actor'
import type { Core } from '../core/app-core'
import { conflict, DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { claimVersion } from '../db/versions'
import { Family } from '../families/entities'
import { refreshSearchText } from '../families/families'
import { enqueueMail, mailContext } from '../mail/outbox'
import { templates } from '../mail/templates'
import { PortalAccount, StaffTotp, StaffUser } from './entities'
import { checkPasswordPolicy, hashPassword } from './passwords'
import { closeAllSessions } from './sessions'
import { newToken } from './tokens'

export function staffDto(u: StaffUser): StaffUserDto {
  return {
    id: u.id,
    login: u.login,
    displayName: u.displayName,
    email: u.email,
    role: u.role,
    active: u.active,
    mustChangePassword: u.mustChangePassword,
    lastLoginAt: u.lastLoginAt,
    version: u.version
  }
}

/** The staff accounts, each with whether a second factor is set up (Paramètres › Utilisateurs). */
export async function listStaff(core: Core): Promise<(StaffUserDto & { twoFactor: boolean })[]> {
  return core.tx.read(async (m) => {
    const users = await m.find(StaffUser, { order: { displayName: 'ASC' } })
    const withTotp = new Set((await m.find(StaffTotp)).filter((t) => t.secret).map((t) => t.userId))
    return users.map((u) => ({ ...staffDto(u), twoFactor: withTotp.has(u.id) }))
  })
}

export async function createStaffUser(
  core: Core,
  actor: Actor,
  input: { login: string; displayName: string; email: string; role: StaffRole; password: string; mustChangePassword?: boolean }
): Promise<number> {
  checkPasswordPolicy(input.password, [input.login, input.displayName, input.email])
  const passwordHash = await hashPassword(input.password)
  return core.tx.run(async (m) => {
    const dup = await m.createQueryBuilder(StaffUser, 's').where('s.login = :l COLLATE NOCASE', { l: input.login }).getOne()
    if (dup) throw conflict('Cet identifiant est déjà utilisé.')
    const u = await m.save(
      StaffUser,
      Object.assign(new StaffUser(), {
        login: input.login,
        displayName: input.displayName,
        email: input.email,
        role: input.role,
        passwordHash,
        // Accounts made by someone else start with a forced change.
        mustChangePassword: input.mustChangePassword ?? true,
        active: true,
        createdAt: core.clock.now().toISOString(),
        lastLoginAt: null
      })
    )
    await audit(m, actor, core.clock.now(), { action: 'staff-create', entity: 'staff_user', entityId: u.id, after: staffDto(u) })
    return u.id
  })
}

export async function updateStaffUser(
  core: Core,
  actor: Actor,
  input: { id: number; displayName: string; role: StaffRole; active: boolean; version: number }
): Promise<void> {
  await core.tx.run(async (m) => {
    const u = await m.findOneBy(StaffUser, { id: input.id })
    if (!u) throw notFound('Utilisateur')
    const before = staffDto(u)
    u.version = claimVersion(m, 'staff_user', { id: u.id }, input.version, actor, core.clock.now())
    if ((u.role === 'direction' && input.role !== 'direction') || (u.role === 'direction' && !input.active)) {
      const others = await m.countBy(StaffUser, { role: 'direction', active: true })
      if (others <= 1) throw new DomainError('last_director', 'Il doit rester au moins un compte Direction actif.', 400)
    }
    Object.assign(u, { displayName: input.displayName, role: input.role, active: input.active })
    await m.save(StaffUser, u)
    await audit(m, actor, core.clock.now(), { action: 'staff-update', entity: 'staff_user', entityId: u.id, before, after: staffDto(u) })
  })
  if (!input.active) await closeAllSessions(core, 'staff', input.id)
}

export async function resetStaffPassword(core: Core, actor: Actor, id: number, password: string): Promise<void> {
  const u = await core.tx.read((m) => m.findOneBy(StaffUser, { id }))
  if (!u) throw notFound('Utilisateur')
  checkPasswordPolicy(password, [u.login, u.displayName, u.email])
  const passwordHash = await hashPassword(password)
  await core.tx.run(async (m) => {
    await m.update(StaffUser, { id }, { passwordHash, mustChangePassword: true })
    await audit(m, actor, core.clock.now(), { action: 'staff-reset-password', entity: 'staff_user', entityId: id })
  })
  await closeAllSessions(core, 'staff', id)
}

/**
 * Staff create a portal account for a family on file: a random provisional
 * password goes out by e-mail and must be changed at first login.
 */
export async function createPortalAccount(core: Core, actor: Actor, familyId: number, login: string): Promise<number> {
  const provisional = newToken(12)
  const passwordHash = await hashPassword(provisional)
  return core.tx.run(async (m) => {
    const family = await m.findOneBy(Family, { id: familyId })
    if (!family || family.status !== 'active') throw new DomainError('bad_family', 'Famille introuvable ou inactive.', 400)
    const dup = await m.createQueryBuilder(PortalAccount, 'a').where('a.login = :l COLLATE NOCASE', { l: login }).getOne()
    if (dup) throw conflict('Cet identifiant est déjà utilisé par un autre compte.')
    const now = core.clock.now().toISOString()
    const a = await m.save(
      PortalAccount,
      Object.assign(new PortalAccount(), {
        familyId,
        login,
        passwordHash,
        status: 'active',
        mustChangePassword: true,
        createdAt: now,
        validatedAt: now,
        lastLoginAt: null,
        // A second login staff make for a household is not its main responsable's (who keeps managing the others).
        main: !(await m.existsBy(PortalAccount, { familyId, main: true, status: 'active' }))
      })
    )
    // A new main login replaces a main one staff turned off: turned on again, that one comes back as an ordinary login.
    if (a.main) await m.update(PortalAccount, { familyId, main: true, status: 'disabled' }, { main: false })
    await refreshSearchText(m, familyId)
    await audit(m, actor, core.clock.now(), { action: 'account-create', entity: 'portal_account', entityId: a.id, after: { familyId, login } })
    const ctx = await mailContext(m, core.runtime.portalUrl)
    await enqueueMail(m, core, login, templates.accountCreated(ctx, { login, password: provisional, familyNumber: family.number }))
    return a.id
  })
}

/** Refusal when staff would disable a household's main login and leave its other adults with nobody to manage them. */
export const MAIN_LOGIN_NEEDS_SUCCESSOR =
  'Ce compte est celui du responsable principal du foyer : c’est lui qui invite les autres adultes et fixe leurs droits. Choisissez d’abord l’adulte qui devient responsable principal, parmi les autres comptes actifs du foyer.'

/**
 * Staff turn a portal login on or off. The household's main login cannot be
 * turned off while the household has other active logins unless staff name
 * one of them the new main responsable in the same action (all rights; the
 * old main one becomes an ordinary login): a desk that blocks a parent keeps
 * someone who can manage the household's access. A household's only login may
 * be turned off (the desk blocks the household's access on purpose).
 */
export async function setPortalAccountStatus(core: Core, actor: Actor, accountId: number, status: 'active' | 'disabled', newMainAccountId: number | null = null): Promise<void> {
  await core.tx.run(async (m) => {
    const a = await m.findOneBy(PortalAccount, { id: accountId })
    if (!a) throw notFound('Compte')
    if (a.status === 'pending' || a.status === 'refused') throw new DomainError('bad_status', 'Ce compte doit d’abord être validé dans la file de validation.', 400)
    const now = core.clock.now()
    if (status === 'disabled' && a.main && a.status === 'active' && a.familyId !== null) {
      const others = await m.findBy(PortalAccount, { familyId: a.familyId, status: 'active' })
      const successor = others.find((o) => o.id === newMainAccountId && o.id !== a.id)
      if (others.some((o) => o.id !== a.id) && !successor) throw new DomainError('main_login', MAIN_LOGIN_NEEDS_SUCCESSOR, 409)
      if (successor) {
        await m.update(PortalAccount, { id: a.id }, { main: false })
        await m.update(PortalAccount, { id: successor.id }, { main: true })
        await audit(m, actor, now, { action: 'account-main', entity: 'portal_account', entityId: successor.id, before: { mainAccountId: a.id, rights: successor.rights }, after: { mainAccountId: successor.id } })
      }
    }
    await m.update(PortalAccount, { id: accountId }, { status })
    await audit(m, actor, now, { action: 'account-status', entity: 'portal_account', entityId: accountId, before: { status: a.status }, after: { status } })
  })
  if (status === 'disabled') await closeAllSessions(core, 'portal', accountId)
}
