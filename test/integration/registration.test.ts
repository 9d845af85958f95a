import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { PortalAccount } from '../../src-main/accounts/entities'
import { REGISTRATION_RECEIVED } from '../../src-main/accounts/registration'
import { Family } from '../../src-main/families/entities'
import { FamilyRequest } from '../../src-main/requests/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, outboxMails, seedFamily, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'

const S = "Maison de l'Enfant de Test"
const PENDING = 'Votre compte est en attente de validation par la structure. Vous recevrez un e-mail dès sa validation.'
const REFUSED = "Votre demande de compte n'a pas été acceptée. Contactez la structure."

const form = (over: Record<string, unknown> = {}) => ({
  civility: 'Mme',
  lastName: 'Dupont',
  firstName: 'Marie',
  birthDate: '1987-03-14',
  phoneMobile: '06 11 22 33 44',
  phoneHome: '',
  email: 'marie.dupont@exemple.fr',
  address: '5 rue des Lilas',
  postalCode: '31000',
  city: 'Démoville',
  password: 'ma-phrase-secrete-2026',
  ...over
})

let core: TestCore
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let desk: SeededStaff
let staff: TestClient
beforeEach(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  const director = await seedStaff(core, 'direction')
  desk = await seedStaff(core, 'accueil', { displayName: 'Sophie Accueil' })
  const d = await client(staffApp, 'staff')
  await d.loginStaff(director.login, director.password)
  const s = await d.call('structure-update', { name: S, email: 'accueil@exemple.fr', phone: '05 61 00 00 00', version: 0 })
  expect(s.status).toBe(200)
  staff = await client(staffApp, 'staff')
  await staff.loginStaff(desk.login, desk.password)
})
afterEach(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

async function register(over: Record<string, unknown> = {}) {
  const p = await client(portalApp, 'portal')
  const r = await p.call('auth-register', form(over))
  return { p, r }
}

async function pendingRequestId(): Promise<number> {
  const list = await staff.call('requests-list', { status: 'pending', type: 'registration' })
  expect(list.status).toBe(200)
  expect(list.body.total).toBe(1)
  return list.body.items[0].id
}

async function counts() {
  return core.tx.read(async (m) => ({
    families: await m.count(Family),
    accounts: await m.count(PortalAccount),
    requests: await m.count(FamilyRequest),
    mails: (await outboxMails(core)).length
  }))
}

describe('family self-registration', () => {
  test('register → pending cannot log in → staff accept (new family) → family logs in and sees its N° famille', async () => {
    const { p, r } = await register()
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ message: REGISTRATION_RECEIVED })

    const early = await p.call('auth-login', { login: 'marie.dupont@exemple.fr', password: 'ma-phrase-secrete-2026' })
    expect(early.status).toBe(403)
    expect(early.body.error).toEqual({ code: 'account_unusable', message: PENDING })

    const list = await staff.call('requests-list', { status: 'pending' })
    expect(list.body.items).toHaveLength(1)
    const req = list.body.items[0]
    expect(req).toMatchObject({ type: 'registration', status: 'pending', familyName: 'DUPONT Marie', familyNumber: 1001, decidedBy: null })
    expect(req.summary).toContain('marie.dupont@exemple.fr')
    expect(JSON.stringify(req.payload)).not.toMatch(/password|ma-phrase-secrete/)
    const pending = await staff.call('families-search', { query: 'dupont', status: 'pending' })
    expect(pending.body.items.map((f: { number: number }) => f.number)).toEqual([1001])

    const acc = await staff.call('registrations-accept', { requestId: req.id })
    expect(acc.status).toBe(200)
    const familyId = acc.body.familyId
    const detail = await staff.call('families-get', { familyId })
    expect(detail.body.status).toBe('active')
    expect(detail.body.accounts).toMatchObject([{ login: 'marie.dupont@exemple.fr', status: 'active' }])

    const login = await p.call('auth-login', { login: 'Marie.Dupont@exemple.fr', password: 'ma-phrase-secrete-2026' })
    expect(login.status).toBe(200)
    expect(login.body.user).toMatchObject({ familyNumber: 1001, lastName: 'Dupont', firstName: 'Marie', mustChangePassword: false })
    const home = await p.call('home-get')
    expect(home.body).toMatchObject({ structureName: S, familyNumber: 1001, lastName: 'Dupont', firstName: 'Marie', today: '2026-09-07' })

    const mails = await outboxMails(core)
    expect(mails.map((m) => [m.recipient, m.subject])).toEqual([
      ['marie.dupont@exemple.fr', `[${S}] Demande de création de compte reçue`],
      ['marie.dupont@exemple.fr', `[${S}] Votre compte est validé`]
    ])
    expect(mails[1].textBody).toContain('N° famille 1001')
    expect(mails[1].textBody).toContain('« marie.dupont@exemple.fr »')
    expect(mails[1].htmlBody).toContain('lang="fr"')

    const accept = await auditRows(core, 'request-accept')
    expect(accept).toHaveLength(1)
    expect(accept[0]).toMatchObject({ actorKind: 'staff', actorId: desk.id, actorLabel: 'Sophie Accueil', entity: 'request', entityId: String(req.id) })
    expect(accept[0].before).toMatchObject({ status: 'pending', decidedBy: null })
    expect(accept[0].after).toMatchObject({ status: 'accepted', decidedBy: desk.id, decidedAt: core.clock.now().toISOString() })
    const validate = await auditRows(core, 'account-validate')
    expect(validate).toHaveLength(1)
    expect(validate[0]).toMatchObject({ actorId: desk.id, entity: 'portal_account', before: { status: 'pending', familyId }, after: { status: 'active', familyId } })
    const created = await auditRows(core, 'request-create')
    expect(created[0]).toMatchObject({ actorKind: 'system', actorLabel: 'Inscription en ligne (marie.dupont@exemple.fr)' })
  })

  test('accept by linking to a family already on file', async () => {
    const existing = await seedFamily(core, { lastName: 'Dupont', firstName: 'Paul', account: false })
    await register()
    const requestId = await pendingRequestId()
    const acc = await staff.call('registrations-accept', { requestId, linkFamilyId: existing.familyId })
    expect(acc.status).toBe(200)
    expect(acc.body.familyId).toBe(existing.familyId)

    const target = await staff.call('families-get', { familyId: existing.familyId })
    expect(target.body.accounts).toMatchObject([{ login: 'marie.dupont@exemple.fr', status: 'active' }])
    const dropped = await core.tx.read((m) => m.findOneByOrFail(Family, { number: existing.number + 1 }))
    expect(dropped.status).toBe('archived')
    expect(dropped.notes).toBe(`Fusionnée avec la famille N° ${existing.number}`)
    const decided = await staff.call('requests-list', { familyId: existing.familyId })
    expect(decided.body.items).toMatchObject([{ id: requestId, status: 'accepted', decidedBy: 'Sophie Accueil' }])
    // The search finds the family on file by the new login (the archived one still holds the registration's person).
    const found = await staff.call('families-search', { query: 'marie.dupont@exemple', status: 'active' })
    expect(found.body.items.map((f: { id: number }) => f.id)).toEqual([existing.familyId])

    const p = await client(portalApp, 'portal')
    await p.loginPortal('marie.dupont@exemple.fr', 'ma-phrase-secrete-2026')
    expect((await p.call('home-get')).body).toMatchObject({ familyNumber: existing.number, lastName: 'Dupont', firstName: 'Paul' })
    const validate = await auditRows(core, 'account-validate')
    expect(validate[0].after).toEqual({ status: 'active', familyId: existing.familyId })
    expect(validate[0].before.familyId).toBe(dropped.id)
  })

  test('linking to a family that is not active is refused and changes nothing', async () => {
    await register()
    const requestId = await pendingRequestId()
    const r = await staff.call('registrations-accept', { requestId, linkFamilyId: 999 })
    expect(r.status).toBe(400)
    expect(r.body.error).toEqual({ code: 'bad_family', message: 'La famille choisie est introuvable ou inactive.' })
    expect((await staff.call('requests-list', { status: 'pending' })).body.total).toBe(1)
    expect(await auditRows(core, 'request-accept')).toEqual([])
  })

  test('refuse with a reason: the family is told why and cannot log in', async () => {
    const { p } = await register()
    const requestId = await pendingRequestId()
    const noReason = await staff.call('registrations-refuse', { requestId, reason: '  ' })
    expect(noReason.status).toBe(400)
    expect(noReason.body.error.code).toBe('invalid_input')
    expect(noReason.body.error.fields.reason).toBe('Motif du refus : champ obligatoire.')

    const r = await staff.call('registrations-refuse', { requestId, reason: 'Domicile hors de la commune.' })
    expect(r.status).toBe(200)
    const login = await p.call('auth-login', { login: 'marie.dupont@exemple.fr', password: 'ma-phrase-secrete-2026' })
    expect(login.status).toBe(403)
    expect(login.body.error.message).toBe(REFUSED)

    const mails = await outboxMails(core)
    expect(mails[1].subject).toBe(`[${S}] Votre demande de compte n'a pas été acceptée`)
    expect(mails[1].textBody).toContain('Motif : Domicile hors de la commune.')
    const refuse = await auditRows(core, 'request-refuse')
    expect(refuse[0]).toMatchObject({ actorId: desk.id, before: { status: 'pending' }, after: { status: 'refused', reason: 'Domicile hors de la commune.' } })
    expect((await auditRows(core, 'account-refuse'))[0]).toMatchObject({ before: { status: 'pending' }, after: { status: 'refused' } })
    // A refused family leaves the default family list.
    expect((await staff.call('families-search', { query: 'dupont' })).body.total).toBe(0)

    const twice = await staff.call('registrations-accept', { requestId })
    expect(twice.status).toBe(409)
    // It names who decided it and when: the second desk knows a colleague got there first.
    expect(twice.body.error.message).toBe('Demande déjà traitée par Sophie Accueil : refusée le 07/09/2026 à 10h00.')
  })

  test('an e-mail already registered gets the same answer and creates nothing', async () => {
    await seedFamily(core, { email: 'deja.client@exemple.fr' })
    await register()
    const before = await counts()
    for (const email of ['marie.dupont@exemple.fr', 'MARIE.DUPONT@exemple.fr', 'deja.client@exemple.fr']) {
      const { r } = await register({ email, lastName: 'Autre' })
      expect(r.status).toBe(200)
      expect(r.body).toEqual({ message: REGISTRATION_RECEIVED })
    }
    expect(await counts()).toEqual(before)
  })

  test('invalid or weak input is refused in French and creates nothing', async () => {
    const before = await counts()
    const { r } = await register({ postalCode: '310', email: 'pas-un-email', lastName: '' })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('invalid_input')
    expect(r.body.error.fields).toMatchObject({ postalCode: 'Code postal invalide (5 chiffres).', email: 'Adresse e-mail invalide.', lastName: 'Nom : champ obligatoire.' })
    const weak = (await register({ password: 'court' })).r
    expect(weak.body.error.fields.password).toBe('Le mot de passe doit contenir au moins 12 caractères.')
    const same = (await register({ password: 'marie.dupont@exemple.fr' })).r
    expect(same.body.error.code).toBe('weak_password')
    expect(await counts()).toEqual(before)
  })

  test('an animateur sees the queue but cannot decide', async () => {
    await register()
    const requestId = await pendingRequestId()
    const anim = await seedStaff(core, 'animateur')
    const a = await client(staffApp, 'staff')
    await a.loginStaff(anim.login, anim.password)
    expect((await a.call('requests-list', { status: 'pending' })).body.total).toBe(1)
    const r = await a.call('registrations-accept', { requestId })
    expect(r.status).toBe(403)
    expect(r.body.error).toEqual({ code: 'forbidden_role', message: 'Votre rôle ne permet pas cette action.' })
  })
})
