/// <reference types="vite/client" />
/**
 * One portal login per adult (issue 16): rights declared per portal procedure and enforced by the dispatcher
 * (generated from the route table), invitations through the outbox to a real SMTP server on loopback, revocation,
 * audit naming the adult. One database and one pair of apps for the file.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { portalProcedures, type Procedure } from '@shared/contract'
import { RIGHT_REFUSALS, PORTAL_RIGHTS } from '@shared/portal-rights'
import { INVITATION_HOURS, INVITATIONS_PER_DAY, BAD_INVITATION } from '../../src-main/accounts/logins'
import { MAIN_LOGIN_NEEDS_SUCCESSOR } from '../../src-main/accounts/admin'
import { PortalAccount } from '../../src-main/accounts/entities'
import { deliverDueMail } from '../../src-main/mail/outbox'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, seedFamily, seedStaff, type SeededFamily, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { configureSmtp, startSmtp, type TestSmtp } from '../helpers/smtp'
import type { CrossFamilyContext, CrossFamilyModule } from '../helpers/cross-family/types'

const loaded = import.meta.glob<{ module: CrossFamilyModule }>('../helpers/cross-family/*.ts', { eager: true })
const modules = Object.entries(loaded)
  .filter(([path]) => !path.endsWith('/types.ts'))
  .map(([, m]) => m.module)
const cases: CrossFamilyModule['cases'] = Object.assign({}, ...modules.map((m) => m.cases))

const procs = Object.entries(portalProcedures as Record<string, Procedure>)
const guarded = procs.filter(([, p]) => p.right && p.right !== 'any')
const PASSWORD = 'lanterne-verte-du-jardin-7'

let core: TestCore
let portalApp: FastifyInstance
let staffApp: FastifyInstance
let smtp: TestSmtp
let family: SeededFamily
let main: TestClient
let ids: Record<string, number>
let staff: TestClient
let director: Awaited<ReturnType<typeof seedStaff>>

beforeAll(async () => {
  core = await openTestCore()
  portalApp = await buildPortalApp(core)
  staffApp = await buildStaffApp(core)
  smtp = await startSmtp()
  await configureSmtp(core, smtp.port)
  family = await seedFamily(core, { lastName: 'Martin', firstName: 'Claire' })
  main = await client(portalApp, 'portal')
  await main.loginPortal(family.login, family.password)
  director = await seedStaff(core, 'direction')
  staff = await client(staffApp, 'staff')
  await staff.loginStaff(director.login, director.password)
  const ctx: CrossFamilyContext = { core, staffApp, portalApp, director, staff }
  ids = {}
  for (const m of modules) Object.assign(ids, await m.seed(ctx, { family, portal: main }))
})
afterAll(async () => {
  await portalApp.close()
  await staffApp.close()
  await smtp.stop()
  await core.cleanup()
})

/** Rows inserted, updated or deleted on the writing connection since it opened: a refused call must add none. */
const everyRow = () => (core.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n

/** Moves the clock on; the main login's idle session is gone, so it logs in again. */
async function later(ms: number): Promise<void> {
  core.clock.advance(ms)
  main = await client(portalApp, 'portal')
  await main.loginPortal(family.login, family.password)
}

/** Invites an adult and returns the link's token from the message the SMTP server received. */
async function invite(email: string, rights: string[], firstName = 'Paul', lastName = 'Martin'): Promise<{ body: unknown; token: string | null; text: string }> {
  const before = smtp.messages.length
  const r = await main.call('logins-invite', { firstName, lastName, email, rights })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  // Other mails may be queued (the seeds'): the one to this address, sent after the call.
  let mail: TestSmtp['messages'][number] | undefined
  for (let n = before + 1; !mail; n++) {
    await deliverDueMail(core)
    mail = (await smtp.waitFor(n)).slice(before).find((x) => x.to.includes(email))
  }
  const m = /\/invitation\?jeton=([A-Za-z0-9_-]+)/.exec(mail.text)
  return { body: r.body, token: m?.[1] ?? null, text: mail.text }
}

async function newLogin(email: string, rights: string[], firstName = 'Paul'): Promise<TestClient> {
  const { token } = await invite(email, rights, firstName)
  const anon = await client(portalApp, 'portal')
  const r = await anon.call('auth-accept-invitation', { token, password: PASSWORD })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  const c = await client(portalApp, 'portal')
  await c.loginPortal(email, PASSWORD)
  return c
}

describe('the route table declares rights', () => {
  test('every portal procedure that writes declares the right it needs (or `any`)', () => {
    expect(procs.filter(([, p]) => !p.public && !p.query && !p.right).map(([n]) => n)).toEqual([])
  })

  test('the rights a procedure can declare are the known ones', () => {
    for (const [, p] of guarded) expect([...PORTAL_RIGHTS, 'main']).toContain(p.right)
    expect(guarded.length).toBeGreaterThan(10)
  })
})

describe('a login without the right is refused, and nothing is written', () => {
  let seeOnly: TestClient
  let everything: TestClient
  beforeAll(async () => {
    seeOnly = await newLogin('voir.seulement@exemple.fr', [])
    everything = await newLogin('tous.droits@exemple.fr', [...PORTAL_RIGHTS], 'Tout')
  })

  for (const [name, p] of guarded) {
    test(`${name} needs « ${p.right} »`, async () => {
      const input = cases[name]?.((f) => ids[p.owns![f]]) ?? {}
      const before = everyRow()
      const r = await seeOnly.call(name, input)
      expect(r.status, JSON.stringify(r.body)).toBe(403)
      expect(r.body.error).toEqual({ code: 'forbidden_right', message: RIGHT_REFUSALS[p.right as keyof typeof RIGHT_REFUSALS] })
      expect(everyRow()).toBe(before)
      // The right, not the login, made the difference: one that has it passes the check (main-only ones excepted).
      if (p.right !== 'main') expect((await everything.call(name, input)).body?.error?.code).not.toBe('forbidden_right')
    })
  }

  test('a see-only login still reads (home, file, invoices)', async () => {
    for (const n of ['home-get', 'file-get', 'billing-invoices', 'bookings-options']) expect((await seeOnly.call(n, {})).status, n).toBe(200)
    const s = await seeOnly.call('auth-session', {})
    expect(s.body.user).toMatchObject({ main: false, rights: [], firstName: 'Paul', lastName: 'Martin', familyId: family.familyId })
  })
})

describe('invitations', () => {
  test('the invitee sets a password, gets their own login on the household with the rights given; the link works once', async () => {
    const { token, text } = await invite('paul.martin@exemple.fr', ['book'])
    expect(text).toContain('Claire Martin vous invite')
    const anon = await client(portalApp, 'portal')
    expect((await anon.call('auth-accept-invitation', { token, password: PASSWORD })).body.login).toBe('paul.martin@exemple.fr')
    const again = await anon.call('auth-accept-invitation', { token, password: 'une-autre-phrase-secrete-9' })
    expect(again.status).toBe(400)
    expect(again.body.error.message).toBe(BAD_INVITATION)
    const paul = await client(portalApp, 'portal')
    const r = await paul.loginPortal('paul.martin@exemple.fr', PASSWORD)
    expect(r.body.user).toMatchObject({ familyId: family.familyId, main: false, rights: ['book'] })
    // His own sessions: the main login's is untouched.
    expect((await main.call('home-get', {})).status).toBe(200)
    const list = (await main.call('logins-list', {})).body
    expect(list.logins.map((l: { login: string; main: boolean }) => [l.login, l.main])).toContainEqual(['paul.martin@exemple.fr', false])
    expect(list.logins[0]).toMatchObject({ login: family.login, main: true, rights: [...PORTAL_RIGHTS], self: true })
  })

  test(`the link expires after ${INVITATION_HOURS} hours`, async () => {
    const { token } = await invite('tardif@exemple.fr', ['pay'])
    await later(INVITATION_HOURS * 3600_000)
    const r = await (await client(portalApp, 'portal')).call('auth-accept-invitation', { token, password: PASSWORD })
    expect(r.status).toBe(400)
    expect(r.body.error.message).toBe(BAD_INVITATION)
    expect(await core.tx.read((m) => m.countBy(PortalAccount, { login: 'tardif@exemple.fr' }))).toBe(0)
  })

  test('inviting another household’s address takes nothing over and says nothing: same answer, a notice without link', async () => {
    const other = await seedFamily(core, { lastName: 'Autre', email: 'deja.inscrit@exemple.fr' })
    const fresh = await invite('jamais.vu@exemple.fr', ['book'])
    const taken = await invite('deja.inscrit@exemple.fr', ['book'])
    expect(taken.body).toEqual({ message: (fresh.body as { message: string }).message.replace('jamais.vu', 'deja.inscrit') })
    expect(taken.token).toBeNull()
    expect(taken.text).toContain('a déjà un compte')
    const listed = (await main.call('logins-list', {})).body.invitations.map((i: { email: string }) => i.email)
    expect(listed).toEqual(expect.arrayContaining(['jamais.vu@exemple.fr', 'deja.inscrit@exemple.fr']))
    // The other household's account is as it was, and its owner still logs in.
    const a = await core.tx.read((m) => m.findOneByOrFail(PortalAccount, { id: other.accountId! }))
    expect(a).toMatchObject({ familyId: other.familyId, main: true, status: 'active' })
    await (await client(portalApp, 'portal')).loginPortal(other.login, other.password)
  })

  test('a link whose address got an account elsewhere meanwhile takes nothing over', async () => {
    const { token } = await invite('course@exemple.fr', ['book', 'pay', 'edit'])
    const other = await seedFamily(core, { lastName: 'Ailleurs', email: 'course@exemple.fr' })
    const r = await (await client(portalApp, 'portal')).call('auth-accept-invitation', { token, password: PASSWORD })
    expect(r.status).toBe(400)
    expect(r.body.error.message).toBe(BAD_INVITATION)
    expect(await core.tx.read((m) => m.findOneByOrFail(PortalAccount, { id: other.accountId! }))).toMatchObject({ familyId: other.familyId, main: true, rights: 'book,pay,edit' })
    await (await client(portalApp, 'portal')).loginPortal(other.login, other.password)
  })

  test('only the main responsable manages logins', async () => {
    const c = await newLogin('secondaire@exemple.fr', ['book', 'pay', 'edit'], 'Sam')
    const r = await c.call('logins-list', {})
    expect(r.status).toBe(403)
    expect(r.body.error.message).toBe(RIGHT_REFUSALS.main)
    const self = (await c.call('auth-session', {})).body.user.accountId
    expect((await c.call('logins-revoke', { accountId: self })).status).toBe(403)
  })

  test(`a household sends at most ${INVITATIONS_PER_DAY} invitations a day`, async () => {
    await later(25 * 3600_000)
    for (let i = 0; i < INVITATIONS_PER_DAY; i++) {
      expect((await main.call('logins-invite', { firstName: 'A', lastName: 'B', email: `x${i}@exemple.fr`, rights: [] })).status).toBe(200)
    }
    const r = await main.call('logins-invite', { firstName: 'A', lastName: 'B', email: 'trop@exemple.fr', rights: [] })
    expect(r.status).toBe(429)
    await later(25 * 3600_000)
  })
})

describe('rights and revocation', () => {
  test('rights changed by the main responsable hold from the next call; revoking ends the sessions at once', async () => {
    const lea = await newLogin('lea@exemple.fr', ['book'], 'Léa')
    const accountId = (await lea.call('auth-session', {})).body.user.accountId
    expect((await lea.call('billing-request-attestation', { year: 2026 })).body.error?.code).not.toBe('forbidden_right')
    expect((await lea.call('file-request-child', {})).body.error.code).toBe('forbidden_right')
    expect((await main.call('logins-set-rights', { accountId, rights: ['book', 'edit'] })).status).toBe(200)
    expect((await lea.call('file-request-child', {})).body.error.code).toBe('invalid_input')
    expect((await lea.call('auth-session', {})).body.user.rights).toEqual(['book', 'edit'])

    expect((await main.call('logins-revoke', { accountId })).status).toBe(200)
    expect((await lea.call('home-get', {})).status).toBe(401)
    const again = await (await client(portalApp, 'portal')).call('auth-login', { login: 'lea@exemple.fr', password: PASSWORD })
    expect(again.status).toBe(403)
    // The main login's own rights and access are not for changing here.
    const mainId = family.accountId!
    expect((await main.call('logins-revoke', { accountId: mainId })).status).toBe(400)
  })

  test('every audit row names the adult and the login, not just the family', async () => {
    const nina = await newLogin('nina@exemple.fr', ['book'], 'Nina')
    expect((await nina.call('auth-change-password', { current: PASSWORD, next: 'un-tout-autre-secret-44' })).status).toBe(200)
    const rows = (await auditRows(core, 'password-change')).filter((r) => r.actorKind === 'family')
    expect(rows.at(-1)!.actorLabel).toBe('MARTIN Nina (nina@exemple.fr)')
    const invites = await auditRows(core, 'login-invite')
    expect(invites.at(-1)!.actorLabel).toBe(`MARTIN Claire (${family.login})`)
  })

  test('staff see the household’s logins (adult, rights) in the back-office and revoke one: its sessions end at once', async () => {
    const olga = await newLogin('olga@exemple.fr', ['pay'], 'Olga')
    // The clock moved on in earlier tests: the desk logs in again.
    staff = await client(staffApp, 'staff')
    await staff.loginStaff(director.login, director.password)
    const accounts = (await staff.call('families-get', { familyId: family.familyId })).body.accounts
    const row = accounts.find((a: { login: string }) => a.login === 'olga@exemple.fr')
    expect(row).toMatchObject({ holder: 'MARTIN Olga', main: false, rights: ['pay'], status: 'active' })
    expect(accounts.find((a: { login: string }) => a.login === family.login)).toMatchObject({ main: true, rights: [...PORTAL_RIGHTS] })
    expect((await staff.call('accounts-set-portal-status', { accountId: row.id, status: 'disabled' })).status).toBe(200)
    expect((await olga.call('home-get', {})).status).toBe(401)
  })
})

describe('staff and the household’s logins on the family’s page', () => {
  const detail = async () => (await staff.call('families-get', { familyId: family.familyId })).body
  beforeAll(async () => {
    staff = await client(staffApp, 'staff')
    await staff.loginStaff(director.login, director.password)
  })

  test('staff see the pending invitations (to whom, sent when and by whom, expiring when) and cancel one: its link stops working, audited', async () => {
    const { token } = await invite('rose@exemple.fr', ['book'], 'Rose')
    const pending = (await detail()).invitations.find((i: { email: string }) => i.email === 'rose@exemple.fr')
    expect(pending).toMatchObject({ firstName: 'Rose', lastName: 'Martin', rights: ['book'], invitedBy: `MARTIN Claire (${family.login})` })
    expect(new Date(pending.expiresAt).getTime() - new Date(pending.createdAt).getTime()).toBe(INVITATION_HOURS * 3600_000)
    expect((await staff.call('accounts-cancel-invitation', { invitationId: pending.invitationId })).status).toBe(200)
    expect((await detail()).invitations.map((i: { email: string }) => i.email)).not.toContain('rose@exemple.fr')
    expect((await main.call('logins-list', {})).body.invitations.map((i: { email: string }) => i.email)).not.toContain('rose@exemple.fr')
    const accepted = await (await client(portalApp, 'portal')).call('auth-accept-invitation', { token, password: PASSWORD })
    expect(accepted.body.error).toEqual({ code: 'bad_token', message: BAD_INVITATION })
    const row = (await auditRows(core, 'login-invite-cancel')).at(-1)!
    expect([row.entityId, row.actorKind, row.actorLabel]).toEqual([String(pending.invitationId), 'staff', director.actor.label])
  })

  test('the main login cannot be turned off while other adults have logins, unless staff name who takes over', async () => {
    const mainId = family.accountId!
    const nina = (await detail()).accounts.find((a: { login: string }) => a.login === 'nina@exemple.fr')
    expect(nina).toMatchObject({ status: 'active', main: false })
    const other = await seedFamily(core, { lastName: 'Autre', firstName: 'Foyer' })
    const before = everyRow()
    const refused = await staff.call('accounts-set-portal-status', { accountId: mainId, status: 'disabled' })
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toBe(MAIN_LOGIN_NEEDS_SUCCESSOR)
    // Nor with a successor that is not one of this household's active logins.
    expect((await staff.call('accounts-set-portal-status', { accountId: mainId, status: 'disabled', newMainAccountId: other.accountId })).status).toBe(409)
    expect(everyRow()).toBe(before)
    expect((await main.call('home-get', {})).status).toBe(200)

    expect((await staff.call('accounts-set-portal-status', { accountId: mainId, status: 'disabled', newMainAccountId: nina.id })).status).toBe(200)
    const accounts = (await detail()).accounts
    expect(accounts.find((a: { id: number }) => a.id === nina.id)).toMatchObject({ main: true, rights: [...PORTAL_RIGHTS] })
    expect(accounts.find((a: { id: number }) => a.id === mainId)).toMatchObject({ main: false, status: 'disabled' })
    expect((await main.call('home-get', {})).status).toBe(401)
    // The new main responsable manages the household's logins from the next click.
    const ninaClient = await client(portalApp, 'portal')
    await ninaClient.loginPortal('nina@exemple.fr', 'un-tout-autre-secret-44')
    expect((await ninaClient.call('logins-list', {})).body.logins.find((l: { self: boolean }) => l.self).main).toBe(true)
    const audit = (await auditRows(core, 'account-main')).at(-1)!
    expect([audit.entityId, audit.actorLabel, audit.before.mainAccountId, audit.after.mainAccountId]).toEqual([String(nina.id), director.actor.label, mainId, nina.id])

    // A household's only login may be turned off: the desk blocks that household's access on purpose.
    expect((await staff.call('accounts-set-portal-status', { accountId: other.accountId, status: 'disabled' })).status).toBe(200)
    // A new login staff then make for it becomes its main one; the old one, turned on again, is an ordinary login.
    const created = await staff.call('accounts-create-portal', { familyId: other.familyId, login: 'nouveau.principal@exemple.fr' })
    expect((await staff.call('accounts-set-portal-status', { accountId: other.accountId, status: 'active' })).status).toBe(200)
    const mains = (await staff.call('families-get', { familyId: other.familyId })).body.accounts.filter((a: { main: boolean }) => a.main).map((a: { id: number }) => a.id)
    expect(mains).toEqual([created.body.accountId])
  })
})
