import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Session } from '../../src-main/accounts/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type SeededStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'

const MIN = 60_000

let core: TestCore
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let staff: SeededStaff
let family: SeededFamily
beforeEach(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  staff = await seedStaff(core, 'direction')
  family = await seedFamily(core)
})
afterEach(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

/** A second browser holding a copy of `c`'s session cookie. */
async function cloneOf(c: TestClient, app: FastifyInstance): Promise<TestClient> {
  const other = await client(app, c.side)
  for (const [k, v] of c.cookies) other.cookies.set(k, v)
  return other
}

describe('session cookies', () => {
  test('staff and portal session cookies are Secure, HttpOnly, SameSite=Strict', async () => {
    const s = await client(staffApp, 'staff')
    const p = await client(portalApp, 'portal')
    const lines = [...(await s.loginStaff(staff.login, staff.password)).setCookies, ...(await p.loginPortal(family.login, family.password)).setCookies]
    const session = lines.filter((l) => /^rb_(staff|portal)=/.test(l))
    expect(session).toHaveLength(2)
    for (const l of session) {
      const attrs = l.split(';').map((a) => a.trim().toLowerCase())
      expect(attrs).toContain('secure')
      expect(attrs).toContain('httponly')
      expect(attrs).toContain('samesite=strict')
      expect(attrs).toContain('path=/')
    }
    // The CSRF secret cookie gets the same flags.
    const csrfLines = [s, p].map((c) => [...c.cookies.keys()].filter((k) => k.endsWith('_csrf')))
    expect(csrfLines.flat()).toEqual(['rb_staff_csrf', 'rb_portal_csrf'])
  })

  test('only a hash of the session token is stored', async () => {
    const c = await client(portalApp, 'portal')
    await c.loginPortal(family.login, family.password)
    const token = c.cookies.get('rb_portal')!.split('.')[0]
    const rows = await core.tx.read((m) => m.find(Session))
    expect(rows).toHaveLength(1)
    expect(rows[0].id).toMatch(/^[0-9a-f]{64}$/)
    expect(rows[0].id).not.toContain(token)
  })
})

describe('the portal names its structure before login', () => {
  test('an anonymous session answer carries the structure’s name and website; a change by the direction shows at once', async () => {
    const anonymous = await client(portalApp, 'portal')
    const first = await anonymous.call('auth-session')
    expect(first.body).toMatchObject({ user: null, structure: { name: expect.any(String), websiteUrl: '' } })
    const desk = await client(staffApp, 'staff')
    expect((await desk.call('auth-login', { login: staff.login, password: staff.password })).status).toBe(200)
    const current = (await desk.call('structure-get')).body
    expect(first.body.structure.name).toBe(current.name)
    // A website that is not an http(s) address is refused in French, and nothing is saved.
    const bad = await desk.call('structure-update', { ...current, websiteUrl: 'javascript:alert(1)' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields.websiteUrl).toMatch(/^Adresse du site invalide/)
    expect((await anonymous.call('auth-session')).body.structure.websiteUrl).toBe('')
    const ok = await desk.call('structure-update', { ...current, name: 'Mairie de Saint-Exemple', websiteUrl: 'https://www.saint-exemple.fr/enfance' })
    expect(ok.status).toBe(200)
    expect((await anonymous.call('auth-session')).body.structure).toEqual({ name: 'Mairie de Saint-Exemple', websiteUrl: 'https://www.saint-exemple.fr/enfance' })
    expect((await desk.call('structure-get')).body.websiteUrl).toBe('https://www.saint-exemple.fr/enfance')
  })
})

describe('rotation and invalidation', () => {
  test('login rotates the session: the cookie held before login is dead after it', async () => {
    const c = await client(staffApp, 'staff')
    await c.loginStaff(staff.login, staff.password)
    const before = await cloneOf(c, staffApp)
    expect((await before.call('auth-session')).body.user.login).toBe(staff.login)
    await c.loginStaff(staff.login, staff.password)
    expect(c.cookies.get('rb_staff')).not.toBe(before.cookies.get('rb_staff'))
    expect((await before.call('auth-session')).body.user).toBeNull()
    expect((await before.call('families-search', {})).status).toBe(401)
    expect((await c.call('families-search', {})).status).toBe(200)
  })

  test('a session planted before login is not the one that gets authenticated (fixation)', async () => {
    // The attacker's own valid session cookie, slipped into the victim's browser.
    const attacker = await client(portalApp, 'portal')
    const mine = await seedFamily(core)
    await attacker.loginPortal(mine.login, mine.password)
    const victim = await cloneOf(attacker, portalApp)
    await victim.loginPortal(family.login, family.password)
    expect(victim.cookies.get('rb_portal')).not.toBe(attacker.cookies.get('rb_portal'))
    expect((await attacker.call('home-get')).status).toBe(401)
    expect((await victim.call('home-get')).body.familyNumber).toBe(family.number)
  })

  test('logout invalidates the session server-side and clears the cookie', async () => {
    const c = await client(portalApp, 'portal')
    await c.loginPortal(family.login, family.password)
    const copy = await cloneOf(c, portalApp)
    const out = await c.call('auth-logout', {})
    expect(out.status).toBe(200)
    expect(c.cookies.has('rb_portal')).toBe(false)
    expect((await copy.call('home-get')).status).toBe(401)
    expect((await copy.call('home-get')).body.error.code).toBe('unauthenticated')
  })

  test('changing the password closes the user’s other sessions but keeps the current one', async () => {
    const a = await client(staffApp, 'staff')
    const b = await client(staffApp, 'staff')
    await a.loginStaff(staff.login, staff.password)
    await b.loginStaff(staff.login, staff.password)
    const r = await a.call('auth-change-password', { current: staff.password, next: 'un-tout-nouveau-secret' })
    expect(r.status).toBe(200)
    expect((await a.call('families-search', {})).status).toBe(200)
    expect((await b.call('families-search', {})).status).toBe(401)
    expect((await b.call('auth-login', { login: staff.login, password: staff.password })).status).toBe(401)
    expect((await b.call('auth-login', { login: staff.login, password: 'un-tout-nouveau-secret' })).status).toBe(200)
  })

  test('disabling a portal account ends its sessions', async () => {
    const p = await client(portalApp, 'portal')
    await p.loginPortal(family.login, family.password)
    const s = await client(staffApp, 'staff')
    await s.loginStaff(staff.login, staff.password)
    expect((await s.call('accounts-set-portal-status', { accountId: family.accountId, status: 'disabled' })).status).toBe(200)
    expect((await p.call('home-get')).status).toBe(401)
    const again = await p.call('auth-login', { login: family.login, password: family.password })
    expect(again.status).toBe(403)
    expect(again.body.error.message).toBe('Ce compte est désactivé. Contactez la structure.')
  })
})

describe('timeouts', () => {
  test('portal idle timeout: 30 minutes without a request ends the session', async () => {
    const c = await client(portalApp, 'portal')
    await c.loginPortal(family.login, family.password)
    core.clock.advance(29 * MIN)
    expect((await c.call('home-get')).status).toBe(200)
    core.clock.advance(29 * MIN) // 58 min after login, but active 29 min ago
    expect((await c.call('home-get')).status).toBe(200)
    core.clock.advance(30 * MIN)
    expect((await c.call('home-get')).status).toBe(401)
    expect(await core.tx.read((m) => m.count(Session))).toBe(0)
  })

  test('portal absolute timeout: 8 hours after login the session ends even if active', async () => {
    const c = await client(portalApp, 'portal')
    await c.loginPortal(family.login, family.password)
    for (let t = 25; t <= 475; t += 25) {
      core.clock.advance(25 * MIN)
      expect((await c.call('home-get')).status, `${t} min`).toBe(200)
    }
    core.clock.advance(6 * MIN) // 481 min
    expect((await c.call('home-get')).status).toBe(401)
  })

  test('staff idle (2 h) and absolute (12 h) timeouts', async () => {
    const c = await client(staffApp, 'staff')
    await c.loginStaff(staff.login, staff.password)
    core.clock.advance(119 * MIN)
    expect((await c.call('families-search', {})).status).toBe(200)
    core.clock.advance(121 * MIN)
    expect((await c.call('families-search', {})).status).toBe(401)

    await c.loginStaff(staff.login, staff.password)
    for (let i = 0; i < 7; i++) {
      core.clock.advance(100 * MIN) // 700 min
      expect((await c.call('families-search', {})).status).toBe(200)
    }
    core.clock.advance(21 * MIN) // 721 min
    expect((await c.call('families-search', {})).status).toBe(401)
  })

  test('after a timeout, the same browser (still holding the dead cookie) can log in again', async () => {
    const c = await client(portalApp, 'portal')
    await c.loginPortal(family.login, family.password)
    core.clock.advance(31 * MIN)
    expect((await c.call('home-get')).status).toBe(401)
    expect(c.cookies.has('rb_portal')).toBe(true)
    const again = await c.call('auth-login', { login: family.login, password: family.password })
    expect(again.status, JSON.stringify(again.body)).toBe(200)
    expect((await c.call('home-get')).status).toBe(200)
    // Same on the staff side.
    const s = await client(staffApp, 'staff')
    await s.loginStaff(staff.login, staff.password)
    core.clock.advance(121 * MIN)
    expect((await s.call('auth-login', { login: staff.login, password: staff.password })).status).toBe(200)
  })
})
