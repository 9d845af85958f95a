import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type SeededStaff, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'

const CSRF = { error: { code: 'csrf', message: 'Jeton de sécurité manquant ou expiré. Rechargez la page puis recommencez.' } }

let core: TestCore
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let staff: SeededStaff
let other: SeededStaff
let family: SeededFamily
beforeAll(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  staff = await seedStaff(core, 'direction')
  other = await seedStaff(core, 'direction')
  family = await seedFamily(core)
})
afterAll(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

const structure = (name: string) => ({ name, address: '', postalCode: '', city: '', phone: '', email: '', siret: '', holidayZone: 'B', holidayRegion: '', logo: null, version: 0 })

describe('CSRF', () => {
  test('a state-changing staff call without the header is refused with 403 csrf and changes nothing', async () => {
    const c = await client(staffApp, 'staff')
    await c.loginStaff(staff.login, staff.password)
    const r = await c.call('structure-update', structure('Piratée'), { csrf: false })
    expect(r.status).toBe(403)
    expect(r.body).toEqual(CSRF)
    expect((await c.call('structure-get', {})).body.name).not.toBe('Piratée')
    // The same call with the token goes through.
    expect((await c.call('structure-update', structure('Accueil de loisirs'))).status).toBe(200)
    expect((await c.call('structure-get', {})).body.name).toBe('Accueil de loisirs')
  })

  test('a token from another session is refused', async () => {
    const a = await client(staffApp, 'staff')
    const b = await client(staffApp, 'staff')
    await a.loginStaff(staff.login, staff.password)
    await b.loginStaff(other.login, other.password)
    const stolen = await b.csrfToken()
    const r = await a.call('structure-update', structure('Piratée'), { csrf: stolen })
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('csrf')
    expect((await a.call('structure-get', {})).body.name).not.toBe('Piratée')
  })

  test('a token taken before login no longer works after it (bound to the session)', async () => {
    const c = await client(portalApp, 'portal')
    const anonymous = await c.csrfToken()
    await c.loginPortal(family.login, family.password)
    const r = await c.call('auth-logout', {}, { csrf: anonymous })
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('csrf')
    expect((await c.call('home-get')).status).toBe(200) // still logged in
  })

  test('a forged token is refused; login itself needs a token', async () => {
    const c = await client(portalApp, 'portal')
    await c.csrfToken()
    expect((await c.call('auth-login', { login: family.login, password: family.password }, { csrf: 'abc.def' })).body).toEqual(CSRF)
    expect((await c.call('auth-login', { login: family.login, password: family.password }, { csrf: false })).status).toBe(403)
    expect((await c.call('auth-register', {}, { csrf: false })).status).toBe(403)
  })

  test('query procedures work without a token', async () => {
    const s = await client(staffApp, 'staff')
    await s.loginStaff(staff.login, staff.password)
    for (const name of ['families-search', 'structure-get', 'requests-list', 'staff-list', 'auth-session']) {
      expect((await s.call(name, {}, { csrf: false })).status, name).toBe(200)
    }
    const p = await client(portalApp, 'portal')
    await p.loginPortal(family.login, family.password)
    expect((await p.call('home-get', {}, { csrf: false })).status).toBe(200)
  })

  test('a tampered session cookie is ignored (signed cookies)', async () => {
    const c = await client(portalApp, 'portal')
    await c.loginPortal(family.login, family.password)
    const [token, sig] = c.cookies.get('rb_portal')!.split('.')
    c.cookies.set('rb_portal', `${token.slice(0, -2)}AA.${sig}`)
    expect((await c.call('home-get')).status).toBe(401)
  })
})
