import type { RegistrationInput } from '@shared/contract/shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { createFamily, refreshSearchText } from '../families/families'
import { Family } from '../families/entities'
import { enqueueMail, mailContext } from '../mail/outbox'
import { templates } from '../mail/templates'
import { createRequest, decideRequest, pendingRequest } from '../requests/requests'
import { PortalAccount } from './entities'
import { checkPasswordPolicy, hashPassword } from './passwords'
import { personName } from '@shared/names'

export const REGISTRATION = 'registration'
export const REGISTRATION_RECEIVED =
  'Votre demande de création de compte a bien été enregistrée. Elle doit être validée par la structure : vous recevrez un e-mail dès que ce sera fait.'

/**
 * Family self-registration: a pending family, a pending account and a
 * "registration" request for the validation queue, in one transaction.
 * An e-mail already used gets the same answer and nothing is created, so the
 * form cannot tell who has an account.
 */
export async function registerFamily(core: Core, input: RegistrationInput & { password: string }): Promise<string> {
  checkPasswordPolicy(input.password, [input.email, input.lastName, input.firstName])
  const passwordHash = await hashPassword(input.password)
  await core.tx.run(async (m) => {
    const existing = await m.createQueryBuilder(PortalAccount, 'a').where('a.login = :l COLLATE NOCASE', { l: input.email }).getOne()
    if (existing) return
    const { password: _p, ...person } = input
    const actor: Actor = { kind: 'system', id: null, label: `Inscription en ligne (${input.email})` }
    const family = await createFamily(m, core, actor, {
      status: 'pending',
      responsable: {
        ...person,
        quality: '',
        situation: '',
        phoneWork: '',
        profession: '',
        employer: '',
        csp: '',
        consentEmail: true,
        consentSms: false
      }
    })
    const now = core.clock.now().toISOString()
    const account = await m.save(
      PortalAccount,
      Object.assign(new PortalAccount(), {
        familyId: family.id,
        login: input.email,
        passwordHash,
        status: 'pending',
        mustChangePassword: false,
        createdAt: now,
        validatedAt: null,
        lastLoginAt: null
      })
    )
    await refreshSearchText(m, family.id)
    await createRequest(m, core, actor, {
      familyId: family.id,
      accountId: account.id,
      type: REGISTRATION,
      summary: `${personName(input.lastName, input.firstName)} — ${input.email}`,
      payload: { ...person, accountId: account.id }
    })
    const ctx = await mailContext(m, core.runtime.portalUrl)
    await enqueueMail(m, core, input.email, templates.registrationReceived(ctx, { name: `${input.firstName} ${input.lastName}` }))
  })
  return REGISTRATION_RECEIVED
}

/**
 * Accepts a registration. With `linkFamilyId` the account joins a family
 * already on file and the pending family made at registration is dropped;
 * otherwise the pending family becomes active.
 */
export async function acceptRegistration(
  core: Core,
  actor: Actor & { kind: 'staff' },
  requestId: number,
  linkFamilyId: number | null
): Promise<number> {
  return core.tx.run(async (m) => {
    const r = await pendingRequest(m, requestId, REGISTRATION)
    const account = await m.findOneBy(PortalAccount, { id: Number(r.payload.accountId) })
    if (!account) throw notFound('Compte')
    const pendingFamily = await m.findOneByOrFail(Family, { id: r.familyId })
    let familyId = pendingFamily.id
    const now = core.clock.now().toISOString()
    if (linkFamilyId && linkFamilyId !== pendingFamily.id) {
      const target = await m.findOneBy(Family, { id: linkFamilyId })
      if (!target || target.status !== 'active') throw new DomainError('bad_family', 'La famille choisie est introuvable ou inactive.', 400)
      familyId = target.id
      // The request history moves with the account; the empty pending family is archived, not deleted, so numbers stay unique.
      await m.update(PortalAccount, { id: account.id }, { familyId })
      r.familyId = familyId
      await m.update(Family, { id: pendingFamily.id }, { status: 'archived', notes: `Fusionnée avec la famille N° ${target.number}`, updatedAt: now })
      await refreshSearchText(m, pendingFamily.id)
      await refreshSearchText(m, familyId)
    } else {
      await m.update(Family, { id: familyId }, { status: 'active', updatedAt: now })
    }
    await m.update(PortalAccount, { id: account.id }, { status: 'active', validatedAt: now })
    await decideRequest(m, core, actor, r, 'accepted')
    await audit(m, actor, core.clock.now(), {
      action: 'account-validate',
      entity: 'portal_account',
      entityId: account.id,
      before: { status: account.status, familyId: account.familyId },
      after: { status: 'active', familyId }
    })
    const family = await m.findOneByOrFail(Family, { id: familyId })
    const ctx = await mailContext(m, core.runtime.portalUrl)
    await enqueueMail(
      m,
      core,
      account.login,
      templates.registrationAccepted(ctx, { name: r.summary, login: account.login, familyNumber: family.number })
    )
    return familyId
  })
}

export async function refuseRegistration(core: Core, actor: Actor & { kind: 'staff' }, requestId: number, reason: string): Promise<void> {
  await core.tx.run(async (m) => {
    const r = await pendingRequest(m, requestId, REGISTRATION)
    const account = await m.findOneBy(PortalAccount, { id: Number(r.payload.accountId) })
    if (!account) throw notFound('Compte')
    await m.update(PortalAccount, { id: account.id }, { status: 'refused' })
    await m.update(Family, { id: r.familyId }, { status: 'refused', updatedAt: core.clock.now().toISOString() })
    await decideRequest(m, core, actor, r, 'refused', reason)
    await audit(m, actor, core.clock.now(), {
      action: 'account-refuse',
      entity: 'portal_account',
      entityId: account.id,
      before: { status: account.status },
      after: { status: 'refused', reason }
    })
    const ctx = await mailContext(m, core.runtime.portalUrl)
    await enqueueMail(m, core, account.login, templates.registrationRefused(ctx, { name: r.summary, reason }))
  })
}
