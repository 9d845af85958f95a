import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { portalLogin, staffLogin } from '../../src-main/accounts/auth'
import { LoginKnownAddress, LoginThrottle } from '../../src-main/accounts/entities'
import { registerFamily } from '../../src-main/accounts/registration'
import { delayAfter, LOGIN_THROTTLE, throttleAddress } from '../../src-main/accounts/throttle'
import { DomainError } from '../../src-main/core/errors'
import { OutboxMail } from '../../src-main/mail/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, outboxMails, seedFamily, seedStaff, type SeededFamily, type SeededStaff, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'

const SEC = 1000
const MIN = 60_000
const HOME = '203.0.113.7'
const WRONG = 'mauvais-mot-de-passe'

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (e) {
    if (e instanceof DomainError) return e.code
    throw e
  }
}

let n = 0
/** A fresh address each call, as a botnet would use. */
const elsewhere = () => `198.51.${(++n >> 8) & 255}.${n & 255}`

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
  await core.deferred.idle()
  await core.tx.run(async (m) => {
    await m.clear(LoginThrottle)
    await m.clear(LoginKnownAddress)
    await m.clear(OutboxMail)
  })
})

describe('failed logins slow down, they never lock the owner out', () => {
  test('8 hours of guesses from 240 other addresses: the owner still logs in from home at once, the attacker gets about 40 guesses', async () => {
    expect(await code(portalLogin(core, family.login, family.password, HOME))).toBe('ok') // home becomes a usual address
    let guesses = 0
    let refused = 0
    const ownerAnswers: string[] = []
    for (let t = 0; t < 8 * 30; t++) {
      // One try every two minutes, each from an address never seen before.
      const c = await code(portalLogin(core, family.login, WRONG, elsewhere()))
      if (c === 'bad_credentials') guesses++
      else if (c === 'throttled') refused++
      else throw new Error(c)
      if (t % 30 === 0) ownerAnswers.push(await code(portalLogin(core, family.login, family.password, HOME)))
      core.clock.advance(2 * MIN)
    }
    expect(ownerAnswers).toEqual(Array(8).fill('ok'))
    // 5 free, then waits doubling to 15 min (about 14 guesses in the first half hour, then 4 an hour).
    expect(guesses).toBeGreaterThan(35)
    expect(guesses).toBeLessThan(50)
    expect(refused).toBe(8 * 30 - guesses)
  }, 30_000)

  test('spreading guesses over many addresses does not escape the account budget', async () => {
    const answers: string[] = []
    for (let i = 0; i < 8; i++) answers.push(await code(staffLogin(core, staff.login, WRONG, elsewhere())))
    expect(answers).toEqual(['bad_credentials', 'bad_credentials', 'bad_credentials', 'bad_credentials', 'bad_credentials', 'throttled', 'throttled', 'throttled'])
    const e = (await staffLogin(core, staff.login, staff.password, elsewhere()).catch((x: unknown) => x)) as DomainError
    expect(e.status).toBe(429)
    expect(e.message).toBe('Trop de tentatives de connexion. Par sécurité, réessayez dans 2 secondes.')
    // The wait is the one the budget states, then the next guess is checked (and doubles the wait).
    core.clock.advance(delayAfter(LOGIN_THROTTLE.account, 5) - 1)
    expect(await code(staffLogin(core, staff.login, staff.password, elsewhere()))).toBe('throttled')
    core.clock.advance(1)
    expect(await code(staffLogin(core, staff.login, WRONG, elsewhere()))).toBe('bad_credentials')
    core.clock.advance(2 * SEC)
    expect(await code(staffLogin(core, staff.login, staff.password, elsewhere()))).toBe('throttled')
    core.clock.advance(2 * SEC)
    expect(await code(staffLogin(core, staff.login, staff.password, elsewhere()))).toBe('ok')
  })

  test('one address spraying one password over many logins is slowed after 10, whatever the logins', async () => {
    const sprayer = '192.0.2.66'
    const answers: string[] = []
    for (let i = 0; i < 12; i++) answers.push(await code(portalLogin(core, `essai${i}@exemple.fr`, 'Soleil2026!!', sprayer)))
    expect(answers.slice(0, 10)).toEqual(Array(10).fill('bad_credentials'))
    expect(answers.slice(10)).toEqual(['throttled', 'throttled'])
    // Another address is not affected, nor the owner at home.
    expect(await code(portalLogin(core, 'essai11@exemple.fr', 'Soleil2026!!', elsewhere()))).toBe('bad_credentials')
    expect(await code(portalLogin(core, family.login, family.password, HOME))).toBe('ok')
  })

  test("the owner's own typos at home cost at most a minute, even while the account is under attack", async () => {
    expect(await code(portalLogin(core, family.login, family.password, HOME))).toBe('ok')
    for (let i = 0; i < 30; i++) await code(portalLogin(core, family.login, WRONG, elsewhere())) // account budget exhausted
    const waits: number[] = []
    for (let i = 0; i < 12; i++) {
      // Type wrong as soon as allowed; measure how long "allowed" took.
      let waited = 0
      while ((await code(portalLogin(core, family.login, WRONG, HOME))) === 'throttled') {
        core.clock.advance(SEC)
        waited += SEC
      }
      waits.push(waited)
    }
    expect(waits.slice(0, 4)).toEqual([0, 0, 0, 2 * SEC])
    expect(Math.max(...waits)).toBe(LOGIN_THROTTLE.pair.capMs)
    core.clock.advance(LOGIN_THROTTLE.pair.capMs)
    expect(await code(portalLogin(core, family.login, family.password, HOME))).toBe('ok')
  }, 30_000)

  test('an unknown identifier is throttled exactly like a real one, with the same answers', async () => {
    const known: string[] = []
    const unknown: string[] = []
    for (let i = 0; i < 7; i++) {
      known.push(await code(portalLogin(core, family.login, WRONG, elsewhere())))
      unknown.push(await code(portalLogin(core, 'personne@exemple.fr', WRONG, elsewhere())))
    }
    expect(known).toEqual(['bad_credentials', 'bad_credentials', 'bad_credentials', 'bad_credentials', 'bad_credentials', 'throttled', 'throttled'])
    expect(unknown).toEqual(known)
  })

  test('failures of a past window are forgotten; a right password gives its attempt back', async () => {
    for (let i = 0; i < 5; i++) await code(staffLogin(core, staff.login, WRONG, elsewhere()))
    core.clock.advance(LOGIN_THROTTLE.account.windowMs)
    for (let i = 0; i < 4; i++) expect(await code(staffLogin(core, staff.login, WRONG, elsewhere()))).toBe('bad_credentials')
    expect(await code(staffLogin(core, staff.login, staff.password, elsewhere()))).toBe('ok') // 5th attempt, taken back
    expect(await code(staffLogin(core, staff.login, WRONG, elsewhere()))).toBe('bad_credentials') // still the 5th failure
    expect(await code(staffLogin(core, staff.login, WRONG, elsewhere()))).toBe('throttled')
  })

  test('parallel guesses cannot share one free slot', async () => {
    for (let i = 0; i < 4; i++) await code(portalLogin(core, family.login, WRONG, elsewhere()))
    const answers = await Promise.all(Array.from({ length: 10 }, () => code(portalLogin(core, family.login, WRONG, elsewhere()))))
    expect(answers.filter((a) => a === 'bad_credentials')).toHaveLength(1)
    expect(answers.filter((a) => a === 'throttled')).toHaveLength(9)
  })

  test('IPv6 addresses count per /64; IPv4-mapped ones as IPv4', () => {
    expect(throttleAddress('2001:db8:1:2:aaaa::1')).toBe(throttleAddress('2001:db8:1:2:bbbb::99'))
    expect(throttleAddress('2001:db8:1:2:aaaa::1')).not.toBe(throttleAddress('2001:db8:1:3::1'))
    expect(throttleAddress('::ffff:192.0.2.1')).toBe('192.0.2.1')
    expect(throttleAddress('ipc')).toBe('ipc')
  })
})

describe('« tentatives de connexion » e-mail', () => {
  test('after 10 failures the owner is told once per window, by e-mail through the outbox', async () => {
    const alertsBefore = (await auditRows(core, 'login-alert')).length
    for (let i = 0; i < 30; i++) {
      await code(portalLogin(core, family.login, WRONG, elsewhere()))
      core.clock.advance(MIN)
    }
    await core.deferred.idle()
    let mails = (await outboxMails(core)).filter((m) => /Tentatives de connexion/.test(m.subject))
    expect(mails).toHaveLength(1)
    expect(mails[0].recipient).toBe(family.login)
    expect(mails[0].textBody).toContain('10 tentatives de connexion avec un mot de passe incorrect')
    expect(mails[0].textBody).toContain('votre compte n’est pas bloqué')
    expect((await auditRows(core, 'login-alert')).slice(alertsBefore).map((r) => r.entityId)).toEqual([String(family.accountId)])
    // A new window, a new e-mail if it goes on.
    core.clock.advance(LOGIN_THROTTLE.account.windowMs)
    for (let i = 0; i < 12; i++) {
      await code(portalLogin(core, family.login, WRONG, elsewhere()))
      core.clock.advance(20 * MIN)
    }
    await core.deferred.idle()
    mails = (await outboxMails(core)).filter((m) => /Tentatives de connexion/.test(m.subject))
    expect(mails).toHaveLength(2)
  }, 30_000)

  test('a staff login is told at its e-mail if it has one; an unknown identifier sends nothing', async () => {
    const withMail = await seedStaff(core, 'direction')
    await core.tx.run((m) => m.query("UPDATE staff_user SET email = 'claire@mairie.fr' WHERE id = ?", [withMail.id]))
    for (let i = 0; i < 10; i++) {
      await code(staffLogin(core, withMail.login, WRONG, elsewhere()))
      await code(staffLogin(core, staff.login, WRONG, elsewhere()))
      await code(staffLogin(core, 'inconnu', WRONG, elsewhere()))
      core.clock.advance(15 * MIN)
    }
    await core.deferred.idle()
    expect((await outboxMails(core)).map((m) => m.recipient)).toEqual(['claire@mairie.fr'])
  }, 30_000)
})

describe('over HTTP', () => {
  let staffApp: FastifyInstance
  let portalApp: FastifyInstance
  let proxied: FastifyInstance
  beforeAll(async () => {
    staffApp = await buildStaffApp(core)
    portalApp = await buildPortalApp(core)
    proxied = await buildPortalApp(core, { trustProxy: true })
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
    await proxied.close()
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

  test('a throttled login gets a French 429 over HTTP', async () => {
    const attacker = await client(portalApp, 'portal')
    for (let i = 0; i < 5; i++) await attacker.call('auth-login', { login: family.login, password: WRONG })
    const r = await attacker.call('auth-login', { login: family.login, password: family.password })
    expect(r.status).toBe(429)
    expect(r.body.error).toEqual({ code: 'throttled', message: 'Trop de tentatives de connexion. Par sécurité, réessayez dans 2 secondes.' })
  })

  test('the portal limits login attempts per address and identifier: the others there still log in', async () => {
    const c = await client(portalApp, 'portal')
    expect((await c.call('auth-login', { login: family.login, password: family.password })).status).toBe(200) // a usual address now
    // Ten other identifiers from the same address (a family's NAT, a school's Wi-Fi): the owner is not shut out by them.
    const statuses: number[] = []
    for (let i = 0; i < 10; i++) statuses.push((await c.call('auth-login', { login: `essai${i}@exemple.fr`, password: 'peu-importe-ici' })).status)
    expect(statuses).toEqual(Array(10).fill(401))
    expect((await c.call('auth-login', { login: family.login, password: family.password })).status).toBe(200)
    // One identifier hammered from another address: the eleventh call in the minute is refused before any work.
    const d = await client(portalApp, 'portal')
    const hammered: string[] = []
    for (let i = 0; i < 11; i++) hammered.push((await d.call('auth-login', { login: 'cible@exemple.fr', password: 'peu-importe-ici' })).body.error.code)
    expect(hammered.slice(0, 3)).toEqual(Array(3).fill('bad_credentials'))
    expect(hammered.slice(3, 10)).toEqual(Array(7).fill('throttled')) // the pair budget: 3 free, then waits
    expect(hammered[10]).toBe('rate_limited')
    const last = await d.call('auth-login', { login: 'cible@exemple.fr', password: 'peu-importe-ici' })
    expect(last.status).toBe(429)
    expect(last.body.error.message).toMatch(/Patientez/)
    // The same address, another identifier: not affected.
    expect((await d.call('auth-login', { login: family.login, password: family.password })).status).toBe(200)
  })

  test('behind a reverse proxy, a forged X-Forwarded-For does not make a new address', async () => {
    const c = await client(proxied, 'portal')
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) {
      // The client writes a fresh address at the front; the proxy (the socket peer) appends the real one.
      const headers = { 'x-forwarded-for': `100.64.0.${i + 1}, 192.0.2.200` }
      statuses.push((await c.call('auth-login', { login: `essai-proxy${i}@exemple.fr`, password: 'peu-importe-ici' }, { headers })).status)
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401))
    expect(statuses.slice(10)).toEqual([429, 429]) // the address budget (accounts/throttle.ts), kept for the real address
    // Another family behind the same proxy is another address: the proxy's own address is not what gets limited.
    const neighbour = await client(proxied, 'portal', { ip: c.ip })
    const r = await neighbour.call('auth-login', { login: family.login, password: family.password }, { headers: { 'x-forwarded-for': '192.0.2.201' } })
    expect(r.status).toBe(200)
  })
})
