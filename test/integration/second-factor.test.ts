/**
 * The second factor of staff logins (issue 15 §1): always on the back-office
 * on the LAN, on this computer for the roles the direction chooses; TOTP set
 * up with otplib's codes computed here, recovery codes, replays, throttling,
 * the connected posts and their ending. Real SQLite, the real staff apps
 * (loopback and LAN mode) through `inject`.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { NO_SECOND_FACTOR_ON_LAN } from '../../src-main/accounts/second-factor'
import { REPLAYED_CODE } from '../../src-main/accounts/totp'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { buildLanApp, lanLogin, setUpTotp, totpCode } from '../helpers/lan'

let core: TestCore
let loopback: FastifyInstance
let lan: FastifyInstance
let direction: SeededStaff
let directionSecret: string
let directionCodes: string[]

beforeAll(async () => {
  core = await openTestCore()
  loopback = await buildStaffApp(core)
  lan = await buildLanApp(core)
  direction = await seedStaff(core, 'direction')
  ;({ secret: directionSecret, recoveryCodes: directionCodes } = await setUpTotp(core, loopback, direction))
})
afterAll(async () => {
  await loopback.close()
  await lan.close()
  await core.cleanup()
})

const lanSessions = () => core.tx.read((m) => m.query(`SELECT user_id AS userId, stage FROM session WHERE listener = 'lan'`)) as Promise<{ userId: number; stage: string }[]>

describe('no second factor, no session on the LAN', () => {
  test('an account without TOTP is refused on the LAN after a right password, with no session of any kind, and the refusal is audited with its address', async () => {
    const accueil = await seedStaff(core, 'accueil')
    const c = await client(lan, 'staff')
    const r = await c.call('auth-login', { login: accueil.login, password: accueil.password })
    expect(r.status).toBe(403)
    expect(r.body.error).toEqual({ code: 'second_factor_missing', message: NO_SECOND_FACTOR_ON_LAN })
    expect((await lanSessions()).filter((s) => s.userId === accueil.id)).toEqual([])
    expect((await c.call('auth-session')).body).toMatchObject({ user: null, stage: null })
    expect((await c.call('families-search', {})).status).toBe(401)
    // A wrong password says nothing about the second factor.
    expect((await c.call('auth-login', { login: accueil.login, password: 'pas-le-bon-mot-de-passe' })).body.error.code).toBe('bad_credentials')
    await core.deferred.idle()
    const refused = (await auditRows(core, 'login-refused')).filter((a) => a.entityId === String(accueil.id))
    expect(refused.map((a) => a.after)).toEqual([
      { login: accueil.login, address: c.ip, reason: 'no-second-factor' },
      { login: accueil.login, address: c.ip, reason: 'password' }
    ])
  })

  test('the same account logs in on this computer as before (no second factor required there by default)', async () => {
    const accueil = await seedStaff(core, 'accueil')
    const c = await client(loopback, 'staff')
    const r = await c.loginStaff(accueil.login, accueil.password)
    expect(r.body).toMatchObject({ stage: null, user: { login: accueil.login } })
  })
})

describe('TOTP on the LAN', () => {
  test('password then code: the session awaiting its code can do nothing else, a wrong code is refused, the right one opens a full session', async () => {
    const c = await client(lan, 'staff')
    const first = await c.call('auth-login', { login: direction.login, password: direction.password })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ user: null, stage: 'second-factor' })
    expect(first.setCookies.some((h) => h.startsWith('__Host-rb_staff_lan='))).toBe(true)
    // Awaiting the code is not a session: every procedure that needs one answers 401.
    expect((await c.call('families-search', {})).status).toBe(401)
    expect((await c.call('sessions-list', {})).status).toBe(401)
    expect((await c.call('auth-session')).body).toMatchObject({ user: null, stage: 'second-factor' })
    const wrong = await c.call('auth-second-factor', { code: '000000' === totpCode(core, directionSecret, 1) ? '111111' : '000000' })
    expect(wrong.status).toBe(401)
    expect(wrong.body.error.code).toBe('bad_code')
    core.clock.advance(30_000)
    const ok = await c.call('auth-second-factor', { code: totpCode(core, directionSecret) })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ stage: null, user: { login: direction.login } })
    expect((await c.call('families-search', {})).status).toBe(200)
    const login = (await auditRows(core, 'login')).at(-1)!
    expect(login).toMatchObject({ actorId: direction.id, entityId: String(direction.id), after: { listener: 'lan', address: c.ip, secondFactor: 'totp' } })
  })

  test('the session cookie on the LAN is __Host-, Secure, HttpOnly, SameSite=Strict, for the whole host', async () => {
    const c = await client(lan, 'staff')
    const r = await c.call('auth-login', { login: direction.login, password: direction.password })
    const cookie = r.setCookies.find((h) => h.startsWith('__Host-rb_staff_lan='))!
    expect(cookie).toMatch(/; Path=\//)
    expect(cookie).toMatch(/; HttpOnly/)
    expect(cookie).toMatch(/; Secure/)
    expect(cookie).toMatch(/; SameSite=Strict/)
    expect(cookie).not.toMatch(/Domain=/i)
  })

  test('a code is never accepted twice: not after a login with it, not by two logins racing with it', async () => {
    const a = await lanLogin(core, lan, direction, directionSecret)
    expect((await a.call('families-search', {})).status).toBe(200)
    const used = totpCode(core, directionSecret)
    const b = await client(lan, 'staff')
    await b.call('auth-login', { login: direction.login, password: direction.password })
    const replay = await b.call('auth-second-factor', { code: used })
    expect(replay.status).toBe(401)
    expect(replay.body.error.message).toBe(REPLAYED_CODE)
    // The next step's code, sent by two pending logins at the same time: one gets in, the other is refused.
    const racers = [b, await client(lan, 'staff')]
    await racers[1].call('auth-login', { login: direction.login, password: direction.password })
    core.clock.advance(30_000)
    const code = totpCode(core, directionSecret)
    const answers = await Promise.all(racers.map((r) => r.call('auth-second-factor', { code })))
    expect(answers.map((x) => x.status).sort()).toEqual([200, 401])
  })

  test('a recovery code opens a LAN session once; used again, it is refused', async () => {
    const [code] = directionCodes
    const a = await client(lan, 'staff')
    await a.call('auth-login', { login: direction.login, password: direction.password })
    // Typed as people do: lower case, spaces instead of dashes.
    const r = await a.call('auth-second-factor', { code: code.toLowerCase().replace(/-/g, ' ') })
    expect(r.status).toBe(200)
    expect((await auditRows(core, 'login')).at(-1)!.after).toMatchObject({ listener: 'lan', secondFactor: 'recovery-code' })
    const b = await client(lan, 'staff')
    await b.call('auth-login', { login: direction.login, password: direction.password })
    expect((await b.call('auth-second-factor', { code })).status).toBe(401)
    expect((await a.call('totp-status', {})).body).toMatchObject({ enabled: true, recoveryCodesLeft: 9, requiredHere: true })
  })

  test('wrong codes are slowed down like wrong passwords, never locked: after the wait, the right code gets in', async () => {
    // A fresh account: the tests above spent some of the direction's account-wide budget.
    const user = await seedStaff(core, 'direction')
    const { secret } = await setUpTotp(core, loopback, user)
    const c = await client(lan, 'staff')
    await c.call('auth-login', { login: user.login, password: user.password })
    const codes: string[] = []
    for (let i = 0; i < 5; i++) codes.push((await c.call('auth-second-factor', { code: `12345${i}` })).body.error.code)
    expect(codes.slice(0, 3)).toEqual(['bad_code', 'bad_code', 'bad_code'])
    expect(codes.slice(3)).toEqual(['throttled', 'throttled'])
    // The right code is refused too while the wait runs: nothing is checked during it.
    expect((await c.call('auth-second-factor', { code: totpCode(core, secret, 1) })).body.error.code).toBe('throttled')
    core.clock.advance(31_000)
    expect((await c.call('auth-second-factor', { code: totpCode(core, secret) })).status).toBe(200)
  })

  test('a session awaiting its code ends after 5 minutes', async () => {
    const c = await client(lan, 'staff')
    await c.call('auth-login', { login: direction.login, password: direction.password })
    core.clock.advance(5 * 60_000 + 1000)
    const r = await c.call('auth-second-factor', { code: totpCode(core, directionSecret) })
    expect(r.status).toBe(401)
    expect(r.body.error.code).toBe('unauthenticated')
  })
})

describe('connected posts', () => {
  test('the direction sees every staff session with its listener and address, and one it ends is dead at once on the LAN', async () => {
    const animateur = await seedStaff(core, 'animateur')
    const { secret } = await setUpTotp(core, loopback, animateur)
    const tablet = await lanLogin(core, lan, animateur, secret)
    expect((await tablet.call('requests-list', {})).status).toBe(200)
    const desk = await client(loopback, 'staff')
    await desk.loginStaff(direction.login, direction.password)
    const posts = (await desk.call('sessions-list', {})).body as { id: string; login: string; listener: string; address: string; current: boolean }[]
    const onLan = posts.find((p) => p.login === animateur.login && p.listener === 'lan')!
    expect(onLan).toMatchObject({ address: tablet.ip, current: false })
    expect(posts.find((p) => p.current)).toMatchObject({ login: direction.login, listener: 'loopback' })
    expect(JSON.stringify(posts)).not.toMatch(/[0-9a-f]{64}/) // never a session's key

    expect((await desk.call('sessions-end', { id: onLan.id })).status).toBe(200)
    const after = await tablet.call('requests-list', {})
    expect(after.status).toBe(401)
    expect(after.body.error.code).toBe('unauthenticated')
    const file = await lan.inject({ method: 'GET', url: '/api/staff/files/invoice/1', remoteAddress: tablet.ip, headers: { cookie: [...tablet.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ') } })
    expect(file.statusCode).toBe(401)
    expect((await desk.call('sessions-end', { id: onLan.id })).body.error).toMatchObject({ code: 'not_found', message: 'Cette session est déjà terminée.' })
    expect((await auditRows(core, 'session-end')).at(-1)).toMatchObject({ actorId: direction.id, entityId: String(animateur.id), after: { listener: 'lan', address: tablet.ip } })
  })

  test('only the direction lists and ends sessions', async () => {
    const accueil = await seedStaff(core, 'accueil')
    const c = await client(loopback, 'staff')
    await c.loginStaff(accueil.login, accueil.password)
    expect((await c.call('sessions-list', {})).status).toBe(403)
    expect((await c.call('sessions-end', { id: 'x' })).status).toBe(403)
  })

  test('the direction resets a lost phone: the second factor is gone and its LAN sessions end', async () => {
    const comptable = await seedStaff(core, 'comptable')
    const { secret } = await setUpTotp(core, loopback, comptable)
    const on = await lanLogin(core, lan, comptable, secret)
    const desk = await client(loopback, 'staff')
    await desk.loginStaff(direction.login, direction.password)
    expect((await desk.call('staff-list', {})).body.find((u: { id: number }) => u.id === comptable.id).twoFactor).toBe(true)
    expect((await desk.call('staff-two-factor-reset', { id: comptable.id })).status).toBe(200)
    expect((await on.call('requests-list', {})).status).toBe(401)
    const again = await client(lan, 'staff')
    expect((await again.call('auth-login', { login: comptable.login, password: comptable.password })).body.error.code).toBe('second_factor_missing')
    expect((await desk.call('staff-list', {})).body.find((u: { id: number }) => u.id === comptable.id).twoFactor).toBe(false)
  })
})

describe('on this computer', () => {
  test('a role the direction lists must set up a second factor at its next login, and can do nothing else until then', async () => {
    const desk = await client(loopback, 'staff')
    await desk.loginStaff(direction.login, direction.password)
    expect((await desk.call('two-factor-policy-update', { loopbackRoles: ['accueil'], version: (await desk.call('network-settings-get', {})).body.policy.version })).status).toBe(200)
    const accueil = await seedStaff(core, 'accueil')
    const c = await client(loopback, 'staff')
    const r = await c.loginStaff(accueil.login, accueil.password)
    expect(r.body).toMatchObject({ stage: 'two-factor-setup', user: { login: accueil.login } })
    const blocked = await c.call('families-search', {})
    expect(blocked.status).toBe(403)
    expect(blocked.body.error.code).toBe('two_factor_setup_required')
    const start = await c.call('totp-setup-start', {})
    expect(start.body.uri).toMatch(/^otpauth:\/\/totp\/Ribambelle:/)
    expect(start.body.qrDataUrl).toMatch(/^data:image\/png;base64,/)
    const done = await c.call('totp-setup-confirm', { code: totpCode(core, start.body.secret) })
    expect(done.body.recoveryCodes).toHaveLength(10)
    expect(new Set(done.body.recoveryCodes).size).toBe(10)
    expect((await c.call('auth-session')).body.stage).toBeNull()
    expect((await c.call('families-search', {})).status).toBe(200)
    // From now on this computer asks for the code too.
    const next = await client(loopback, 'staff')
    expect((await next.loginStaff(accueil.login, accueil.password)).body).toMatchObject({ user: null, stage: 'second-factor' })
    await desk.call('two-factor-policy-update', { loopbackRoles: [], version: (await desk.call('network-settings-get', {})).body.policy.version })
  })

  test('moving the second factor to another phone asks for the password; the old secret works until the new one is confirmed', async () => {
    const c = await client(loopback, 'staff')
    await c.loginStaff(direction.login, direction.password)
    const refused = await c.call('totp-setup-start', { password: 'pas-le-mot-de-passe' })
    expect(refused.status).toBe(400)
    expect(refused.body.error.fields).toEqual({ password: 'Le mot de passe actuel est incorrect.' })
    const start = await c.call('totp-setup-start', { password: direction.password })
    expect(start.status).toBe(200)
    expect(start.body.secret).not.toBe(directionSecret)
    // Not confirmed yet: the LAN still takes the old phone's code.
    const before = await lanLogin(core, lan, direction, directionSecret)
    expect((await before.call('families-search', {})).status).toBe(200)
    expect((await c.call('totp-setup-confirm', { code: '000000' === totpCode(core, start.body.secret) ? '111111' : '000000' })).status).toBe(400)
    core.clock.advance(30_000)
    expect((await c.call('totp-setup-confirm', { code: totpCode(core, start.body.secret) })).status).toBe(200)
    directionSecret = start.body.secret
    const old = await client(lan, 'staff')
    await old.call('auth-login', { login: direction.login, password: direction.password })
    expect((await old.call('auth-second-factor', { code: directionCodes[1] })).status).toBe(401) // the old recovery codes are gone too
    expect((await lanLogin(core, lan, direction, directionSecret)).ip).toBeTruthy()
  })
})
