import { IsNull, MoreThan, type EntityManager } from 'typeorm'
import { formatRights, parseRights, PORTAL_RIGHTS, type PortalRight } from '@shared/portal-rights'
import { personName } from '@shared/names'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { frenchDateTime } from '../core/clock'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { enqueueMail, mailContext } from '../mail/outbox'
import { Person } from '../families/entities'
import { refreshSearchText } from '../families/families'
import { PortalAccount, PortalInvitation } from './entities'
import { loginMails } from './logins-mail'
import { checkPasswordPolicy, hashPassword } from './passwords'
import { closeAllSessions } from './sessions'
import { newToken, sha256 } from './tokens'

type FamilyActor = Extract<Actor, { kind: 'family' }>

/** An invitation link works this long, once. */
export const INVITATION_HOURS = 72
/** Invitations a household sends per day at most: nobody floods a mailbox through the form. */
export const INVITATIONS_PER_DAY = 10

export const INVITATION_SENT = (email: string) =>
  `Invitation envoyée à ${email}. Le lien est valable ${INVITATION_HOURS / 24} jours ; s’il n’arrive pas, vérifiez l’adresse et le dossier des indésirables.`
export const BAD_INVITATION = 'Ce lien d’invitation est invalide, a expiré ou a déjà servi. Demandez une nouvelle invitation au responsable principal du foyer.'

/** How the audit log and the back-office name a login: the adult, then the login (« DUPONT Marie (marie@…) »). */
export function loginLabel(firstName: string, lastName: string, login: string): string {
  const name = personName(lastName, firstName)
  return name ? `${name} (${login})` : login
}

/** An account made before names were kept on logins (or by registration) is its household's responsable's. */
export const LOGIN_NAMES_SQL = (a: string) => `
  CASE WHEN ${a}.first_name || ${a}.last_name <> '' THEN ${a}.first_name
    ELSE COALESCE((SELECT p.first_name FROM person p WHERE p.family_id = ${a}.family_id AND p.role = 'responsable' ORDER BY p.id LIMIT 1), '') END AS firstName,
  CASE WHEN ${a}.first_name || ${a}.last_name <> '' THEN ${a}.last_name
    ELSE COALESCE((SELECT p.last_name FROM person p WHERE p.family_id = ${a}.family_id AND p.role = 'responsable' ORDER BY p.id LIMIT 1), '') END AS lastName`

const findLogin = (m: EntityManager, login: string) => m.createQueryBuilder(PortalAccount, 'a').where('a.login = :l COLLATE NOCASE', { l: login }).getOne()

/** A revoked login of this household (not its main one) may be invited again: the same adult coming back. */
const reusable = (a: PortalAccount | null, familyId: number) => !!a && a.familyId === familyId && !a.main && a.status === 'disabled'

export async function listLogins(m: EntityManager, core: Core, actor: FamilyActor) {
  const rows = (await m.query(
    `SELECT a.id, a.login, a.main, a.rights, a.status, a.last_login_at AS lastLoginAt, ${LOGIN_NAMES_SQL('a')}
       FROM portal_account a WHERE a.family_id = ? AND a.status IN ('active','disabled') ORDER BY a.main DESC, a.id`,
    [actor.familyId]
  )) as { id: number; login: string; main: number; rights: string; status: PortalAccount['status']; lastLoginAt: string | null; firstName: string; lastName: string }[]
  const invitations = await pendingInvitations(m, actor.familyId, core.clock.now().toISOString())
  const adults = await m.find(Person, { where: { familyId: actor.familyId }, order: { id: 'ASC' } })
  return {
    logins: rows.map((r) => ({
      accountId: r.id,
      login: r.login,
      firstName: r.firstName,
      lastName: r.lastName,
      main: r.main === 1,
      rights: r.main === 1 ? [...PORTAL_RIGHTS] : parseRights(r.rights),
      status: r.status,
      lastLoginAt: r.lastLoginAt,
      self: r.id === actor.id
    })),
    invitations: invitations.map(({ invitedBy: _by, ...i }) => i),
    adults: adults.map((p) => ({ personId: p.id, firstName: p.firstName, lastName: p.lastName, email: p.email }))
  }
}

export interface InviteInput {
  personId?: number
  firstName: string
  lastName: string
  email: string
  rights: PortalRight[]
}

/**
 * The main responsable invites an adult. Whether the address already has an account (of any household) is never
 * said: the answer, the invitation listed and the e-mail queued are the same, but an address that has an account
 * gets a notice instead of a link, so nobody takes over an account by inviting its address.
 */
export async function inviteAdult(core: Core, actor: FamilyActor, input: InviteInput): Promise<string> {
  const token = newToken(32)
  await core.tx.run(async (m) => {
    const now = core.clock.now()
    const sentToday = await m.count(PortalInvitation, { where: { familyId: actor.familyId, createdAt: MoreThan(new Date(now.getTime() - 86_400_000).toISOString()) } })
    if (sentToday >= INVITATIONS_PER_DAY) throw new DomainError('throttled', `Vous avez envoyé ${INVITATIONS_PER_DAY} invitations aujourd’hui : réessayez demain.`, 429)
    const existing = await findLogin(m, input.email)
    // A newer invitation to the same address replaces the one pending.
    await m.update(PortalInvitation, { familyId: actor.familyId, email: input.email, usedAt: IsNull(), cancelledAt: IsNull() }, { cancelledAt: now.toISOString() })
    const expiresAt = new Date(now.getTime() + INVITATION_HOURS * 3600_000)
    const row = await m.save(
      PortalInvitation,
      Object.assign(new PortalInvitation(), {
        familyId: actor.familyId,
        email: input.email,
        firstName: input.firstName,
        lastName: input.lastName,
        personId: input.personId ?? null,
        rights: formatRights(input.rights),
        tokenHash: sha256(token),
        invitedBy: actor.id,
        createdAt: now.toISOString(),
        expiresAt: expiresAt.toISOString(),
        usedAt: null,
        cancelledAt: null,
        accountId: null
      })
    )
    const ctx = await mailContext(m, core.runtime.portalUrl)
    const inviter = await inviterName(m, actor)
    const mail =
      existing && !reusable(existing, actor.familyId)
        ? loginMails.alreadyHasAccount(ctx, { inviter })
        : loginMails.invitation(ctx, { inviter, link: `${ctx.portalUrl.replace(/\/$/, '')}/invitation?jeton=${token}`, expires: frenchDateTime(expiresAt) })
    await enqueueMail(m, core, input.email, mail)
    await audit(m, actor, now, {
      action: 'login-invite',
      entity: 'portal_invitation',
      entityId: row.id,
      after: { email: input.email, firstName: input.firstName, lastName: input.lastName, rights: row.rights }
    })
  })
  return INVITATION_SENT(input.email)
}

async function inviterName(m: EntityManager, actor: FamilyActor): Promise<string> {
  const [r] = (await m.query(`SELECT ${LOGIN_NAMES_SQL('a')} FROM portal_account a WHERE a.id = ?`, [actor.id])) as { firstName: string; lastName: string }[]
  return `${r?.firstName ?? ''} ${r?.lastName ?? ''}`.trim() || 'Un responsable de la famille'
}

/**
 * The invitee chooses a password from the link: their own login on the inviting household, with the rights set in
 * the invitation. The link works once and expires; it never touches an account of another household.
 */
export async function acceptInvitation(core: Core, token: string, password: string): Promise<{ message: string; login: string }> {
  const now = core.clock.now()
  const inv = await core.tx.read((m) => m.findOneBy(PortalInvitation, { tokenHash: sha256(token) }))
  const live = (i: PortalInvitation | null): i is PortalInvitation => !!i && !i.usedAt && !i.cancelledAt && new Date(i.expiresAt) > now
  if (!live(inv)) throw new DomainError('bad_token', BAD_INVITATION, 400)
  checkPasswordPolicy(password, [inv.email, inv.firstName, inv.lastName])
  const passwordHash = await hashPassword(password)
  const login = await core.tx.run(async (m) => {
    // Single use: only the first of two racing requests marks it.
    const used = await m.update(PortalInvitation, { id: inv.id, usedAt: IsNull(), cancelledAt: IsNull() }, { usedAt: now.toISOString() })
    if (!used.affected) throw new DomainError('bad_token', BAD_INVITATION, 400)
    const existing = await findLogin(m, inv.email)
    if (existing && !reusable(existing, inv.familyId)) throw new DomainError('bad_token', BAD_INVITATION, 400)
    const fields = {
      familyId: inv.familyId,
      passwordHash,
      status: 'active' as const,
      mustChangePassword: false,
      validatedAt: now.toISOString(),
      main: false,
      rights: inv.rights,
      firstName: inv.firstName,
      lastName: inv.lastName,
      personId: inv.personId
    }
    const accountId = existing
      ? (await m.update(PortalAccount, { id: existing.id }, fields), existing.id)
      : (await m.save(PortalAccount, Object.assign(new PortalAccount(), { ...fields, login: inv.email, createdAt: now.toISOString(), lastLoginAt: null }))).id
    await m.update(PortalInvitation, { id: inv.id }, { accountId })
    await refreshSearchText(m, inv.familyId)
    const actor: Actor = { kind: 'family', id: accountId, familyId: inv.familyId, label: loginLabel(inv.firstName, inv.lastName, inv.email) }
    await audit(m, actor, now, { action: 'login-accept', entity: 'portal_account', entityId: accountId, after: { invitationId: inv.id, rights: inv.rights } })
    return inv.email
  })
  return { message: 'Votre compte est prêt. Connectez-vous avec votre adresse e-mail et le mot de passe choisi.', login }
}

/** Another login of the caller's household (the dispatcher checked `owns`); the main one's rights and login stay. */
async function otherLogin(m: EntityManager, actor: FamilyActor, accountId: number): Promise<PortalAccount> {
  const a = await m.findOneBy(PortalAccount, { id: accountId, familyId: actor.familyId })
  if (!a) throw notFound('Compte')
  if (a.main) throw new DomainError('main_login', 'Les droits et l’accès du responsable principal ne se modifient pas ici.', 400)
  return a
}

export async function setLoginRights(core: Core, actor: FamilyActor, accountId: number, rights: PortalRight[]): Promise<void> {
  await core.tx.run(async (m) => {
    const a = await otherLogin(m, actor, accountId)
    const next = formatRights(rights)
    await m.update(PortalAccount, { id: a.id }, { rights: next })
    // The dispatcher reads the rights at every call: the change holds from the login's next click.
    await audit(m, actor, core.clock.now(), { action: 'login-rights', entity: 'portal_account', entityId: a.id, before: { rights: a.rights }, after: { rights: next } })
  })
}

/** The login stops working and its open sessions end at once (its next request is anonymous). */
export async function revokeLogin(core: Core, actor: FamilyActor, accountId: number): Promise<void> {
  await core.tx.run(async (m) => {
    const a = await otherLogin(m, actor, accountId)
    if (a.status !== 'active') return
    await m.update(PortalAccount, { id: a.id }, { status: 'disabled' })
    await audit(m, actor, core.clock.now(), { action: 'login-revoke', entity: 'portal_account', entityId: a.id, before: { status: a.status }, after: { status: 'disabled' } })
    await closeAllSessions(core, 'portal', a.id)
  })
}

/**
 * A pending invitation's link stops working: cancelled by the household's main responsable (only its own household's),
 * or by staff from the family's page (`familyId` null: any household's).
 */
export async function cancelInvitation(core: Core, actor: Actor, invitationId: number, familyId: number | null = actor.kind === 'family' ? actor.familyId : -1): Promise<void> {
  await core.tx.run(async (m) => {
    const r = await m.update(
      PortalInvitation,
      { id: invitationId, ...(familyId === null ? {} : { familyId }), usedAt: IsNull(), cancelledAt: IsNull() },
      { cancelledAt: core.clock.now().toISOString() }
    )
    if (r.affected) await audit(m, actor, core.clock.now(), { action: 'login-invite-cancel', entity: 'portal_invitation', entityId: invitationId })
  })
}

/** A household's invitations still waiting (not used, not cancelled, not expired), oldest first, with who sent them. */
export async function pendingInvitations(m: EntityManager, familyId: number, now: string) {
  const rows = (await m.query(
    `SELECT i.id AS invitationId, i.email, i.first_name AS firstName, i.last_name AS lastName, i.rights, i.created_at AS createdAt, i.expires_at AS expiresAt,
            a.login AS inviterLogin, a.firstName AS inviterFirst, a.lastName AS inviterLast
       FROM portal_invitation i LEFT JOIN (SELECT a.id, a.login, ${LOGIN_NAMES_SQL('a')} FROM portal_account a) a ON a.id = i.invited_by
      WHERE i.family_id = ? AND i.used_at IS NULL AND i.cancelled_at IS NULL AND i.expires_at > ? ORDER BY i.id`,
    [familyId, now]
  )) as { invitationId: number; email: string; firstName: string; lastName: string; rights: string; createdAt: string; expiresAt: string
    inviterLogin: string | null; inviterFirst: string | null; inviterLast: string | null
  }[]
  return rows.map(({ inviterLogin, inviterFirst, inviterLast, ...r }) => ({
    ...r,
    rights: parseRights(r.rights),
    invitedBy: inviterLogin ? loginLabel(inviterFirst ?? '', inviterLast ?? '', inviterLogin) : ''
  }))
}
