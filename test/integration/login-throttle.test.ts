import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { portalLogin, staffLogin } from '../../src-main/accounts/auth'
import { LoginThrottle } from '../../src-main/accounts/entities'
import { registerFamily } from '../../src-main/accounts/registration'
import { DomainError } from '../../src-main/core/errors'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type SeededStaff, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'

const MIN = 60_000

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (e) {
    if (e instanceof DomainError) return e.code
    throw e
  }
}

let core: TestCore
let staff: SeededStaff
let family: SeededFamily
beforeAll(async () => {
  core = await openTestCore()
  staff = await seedStaff(core, 'accueil')
  family = await seedFamily(core)
})
afterAll(() => core.cleanup())
beforeEach(async () => {
  await core.tx.run((m) => m.clear(LoginThrottle))
})

describe('login throttle', () => {
  test('5 failures lock the identifier: even the right password is refused until 15 minutes pass', async () => {
    for (let i = 0; i < 5; i++) expect(await code(staffLogin(core, staff.login, 'mauvais-mot-de-passe'))).toBe('bad_credentials')
    const locked = await staffLogin(core, staff.login, staff.password).catch((e: DomainError) => e)
    expect(locked).toBeInstanceOf(DomainError)
    expect((locked as DomainError).code).toBe('locked')
    expect((locked as DomainError).status).toBe(429)
    expect((locked as DomainError).message).toBe('Trop de tentatives de connexion. Réessayez dans quelques minutes.')
    // The lock is per identifier, whatever its case.
    expect(await code(staffLogin(core, staff.login.toUpperCase(), staff.password))).toBe('locked')
    core.clock.advance(14 * MIN)
    expect(await code(staffLogin(core, staff.login, staff.password))).toBe('locked')
    core.clock.advance(1 * MIN)
    expect(await code(staffLogin(core, staff.login, staff.password))).toBe('ok')
  })

  test('an unknown identifier is locked the same way, with the same message', async () => {
    const known: string[] = []
    const unknown: string[] = []
    for (let i = 0; i < 6; i++) {
      known.push(await code(portalLogin(core, family.login, 'mauvais-mot-de-passe')))
      unknown.push(await code(portalLogin(core, 'personne@exemple.fr', 'mauvais-mot-de-passe')))
    }
    expect(known).toEqual(['bad_credentials', 'bad_credentials', 'bad_credentials', 'bad_credentials', 'bad_credentials', 'locked'])
    expect(unknown).toEqual(known)
    core.clock.advance(15 * MIN)
    expect(await code(portalLogin(core, family.login, family.password))).toBe('ok')
  })

  test('failures older than the window do not add up, and a success clears them', async () => {
    for (let i = 0; i < 4; i++) await code(staffLogin(core, staff.login, 'mauvais-mot-de-passe'))
    core.clock.advance(16 * MIN)
    expect(await code(staffLogin(core, staff.login, 'mauvais-mot-de-passe'))).toBe('bad_credentials')
    expect(await code(staffLogin(core, staff.login, staff.password))).toBe('ok') // 1 failure in the new window only
    for (let i = 0; i < 4; i++) await code(staffLogin(core, staff.login, 'mauvais-mot-de-passe'))
    expect(await code(staffLogin(core, staff.login, staff.password))).toBe('ok') // the earlier success reset the count
  })
})

describe('no user enumeration over HTTP', () => {
  let staffApp: FastifyInstance
  let portalApp: FastifyInstance
  beforeAll(async () => {
    staffApp = await buildStaffApp(core)
    portalApp = await buildPortalApp(core)
    // A pending registration: its wrong-password answer must not reveal it exists.
    await registerFamily(core, {
      civility: 'Mme',
      lastName: 'Attente',
      firstName: 'Inès',
      birthDate: '1990-01-01',
      phoneMobile: '0612345678',
      phoneHome: '',
      email: 'ines.attente@exemple.fr',
      address: '1 rue Haute',
      postalCode: '31000',
      city: 'Démoville',
      password: 'une-phrase-de-passe-longue'
    })
  })
  afterAll(async () => {
    await staffApp.close()
    await portalApp.close()
  })

  test('staff: unknown login and wrong password give the same status, code and message', async () => {
    const c = await client(staffApp, 'staff')
    const unknown = await c.call('auth-login', { login: 'inconnu', password: 'peu-importe-ici' })
    const wrong = await c.call('auth-login', { login: staff.login, password: 'peu-importe-ici' })
    expect(unknown.status).toBe(401)
    expect(wrong.status).toBe(unknown.status)
    expect(wrong.body).toEqual(unknown.body)
    expect(unknown.body).toEqual({ error: { code: 'bad_credentials', message: 'Identifiant ou mot de passe incorrect.' } })
  })

  test('portal: unknown, wrong password and pending-with-wrong-password all look alike', async () => {
    const c = await client(portalApp, 'portal')
    const answers = [
      await c.call('auth-login', { login: 'inconnu@exemple.fr', password: 'peu-importe-ici' }),
      await c.call('auth-login', { login: family.login, password: 'peu-importe-ici' }),
      await c.call('auth-login', { login: 'ines.attente@exemple.fr', password: 'peu-importe-ici' })
    ]
    for (const a of answers) {
      expect(a.status).toBe(401)
      expect(a.body).toEqual({ error: { code: 'bad_credentials', message: 'Identifiant ou mot de passe incorrect.' } })
    }
  })

  test('the portal limits login attempts per IP address', async () => {
    const c = await client(portalApp, 'portal')
    const statuses: number[] = []
    for (let i = 0; i < 10; i++) {
      // A different identifier each time, so only the per-IP limit can trigger.
      statuses.push((await c.call('auth-login', { login: `essai${i}@exemple.fr`, password: 'peu-importe-ici' })).status)
    }
    expect(statuses).toEqual(Array(10).fill(401))
    const last = await c.call('auth-login', { login: family.login, password: family.password })
    expect(last.status).toBe(429)
    expect(last.body.error.code).toBe('rate_limited')
    expect(last.body.error.message).toMatch(/Patientez/)
    // Another address is not affected.
    const other = await client(portalApp, 'portal')
    expect((await other.call('auth-login', { login: family.login, password: family.password })).status).toBe(200)
  })
})
