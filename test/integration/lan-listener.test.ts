/**
 * The back-office on the LAN on real sockets, bound to 127.0.0.1 (tests never
 * send traffic to another address of this machine). "Other computers" are
 * other loopback source addresses (127.0.0.2, 127.0.0.3: Linux's loopback
 * answers all of 127.0.0.0/8), so the allowed ranges are checked on real
 * connections: a refused address gets no TLS handshake at all. The listener is
 * opened, moved and closed from Paramètres without restart.
 */
import { createServer, type AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { lanBindHost } from '../../src-main/core/config'
import { StaffLanListener } from '../../src-main/server/lan-listener'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { selfSignedMaterial } from '../../src-main/settings/tls'
import { openTestCore, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { httpsClient, tlsHandshake } from '../helpers/https-client'
import { setUpTotp, totpCode } from '../helpers/lan'

let core: TestCore
let loopback: FastifyInstance
let lan: StaffLanListener
let direction: SeededStaff
let secret: string
let desk: TestClient

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}

/** The settings to save, with the version the screen would have loaded. */
const settings = async (over: Record<string, unknown> = {}) => ({
  enabled: true,
  port: 5181,
  allowedRanges: ['127.0.0.2/32'],
  tlsMode: 'self-signed',
  version: (await desk.call('network-settings-get', {})).body.version,
  ...over
})

beforeAll(async () => {
  core = await openTestCore()
  loopback = await buildStaffApp(core)
  lan = new StaffLanListener(core, { staticDir: null, host: '127.0.0.1' })
  core.runtime.staffLan = lan
  direction = await seedStaff(core, 'direction')
  ;({ secret, loopback: desk } = await setUpTotp(core, loopback, direction))
})
afterAll(async () => {
  await lan.close()
  await loopback.close()
  await core.cleanup()
})

describe('opened from Paramètres, without restart', () => {
  let port: number

  test('off by default: nothing listens, and the settings propose the subnets of this computer', async () => {
    await lan.apply()
    const r = await desk.call('network-settings-get', {})
    expect(r.body).toMatchObject({ enabled: false, port: 5181, allowedRanges: [], tlsMode: 'self-signed', status: { running: false, urls: [], live: true } })
    expect(Array.isArray(r.body.suggestedRanges)).toBe(true)
    expect(r.body.suggestedRanges.every((x: string) => /\/\d+$/.test(x) && !x.startsWith('127.'))).toBe(true)
  })

  test('bad ranges are refused in French on their line, and enabling needs at least one', async () => {
    const bad = await desk.call('network-settings-update', await settings({ allowedRanges: ['192.168.1.0/24', 'salle du fond', '0.0.0.0/0'] }))
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields['allowedRanges.1']).toMatch(/n’est pas une plage d’adresses/)
    expect(bad.body.error.fields['allowedRanges.2']).toMatch(/couvre trop d’adresses/)
    const none = await desk.call('network-settings-update', await settings({ allowedRanges: [' '] }))
    expect(none.body.error.code).toBe('no_range')
    const low = await desk.call('network-settings-update', await settings({ port: 80 }))
    expect(low.body.error.fields.port).toMatch(/entre 1024 et 65535/)
    expect((await desk.call('network-settings-get', {})).body.enabled).toBe(false)
  })

  test('enabled: HTTPS on its port with the certificate whose fingerprint is shown; an address outside the ranges gets no handshake', async () => {
    port = await freePort()
    const r = await desk.call('network-settings-update', await settings({ port, allowedRanges: ['127.0.0.2'] }))
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ running: true, urls: [`https://127.0.0.1:${port}`], error: null })
    expect(r.body.fingerprint).toBe(selfSignedMaterial(core.paths.tlsDir).fingerprint)
    expect((await desk.call('network-settings-get', {})).body.allowedRanges).toEqual(['127.0.0.2/32'])
    expect(await tlsHandshake(port, '127.0.0.2')).toEqual({ ok: true, fingerprint: r.body.fingerprint })
    const refused = await tlsHandshake(port, '127.0.0.3')
    expect(refused.ok).toBe(false)
    expect((await desk.call('network-settings-get', {})).body.status.refused).toMatchObject({ count: 1, lastAddress: '127.0.0.3' })
  })

  test('a whole login over TLS from an allowed address: password, code, then the back-office', async () => {
    const c = httpsClient(port, '127.0.0.2')
    const first = await c.call('auth-login', { login: direction.login, password: direction.password })
    expect(first.body).toMatchObject({ user: null, stage: 'second-factor' })
    expect([...c.jar.keys()]).toContain('__Host-rb_staff_lan')
    core.clock.advance(30_000)
    expect((await c.call('auth-second-factor', { code: totpCode(core, secret) })).status).toBe(200)
    expect((await c.call('families-search', {})).status).toBe(200)
    const posts = (await desk.call('sessions-list', {})).body as { listener: string; address: string }[]
    expect(posts.filter((p) => p.listener === 'lan').map((p) => p.address)).toEqual(['127.0.0.2'])
  })

  test('new ranges apply to the next connection, with the same listener (no restart)', async () => {
    const before = lan.status()
    const r = await desk.call('network-settings-update', await settings({ port, allowedRanges: ['127.0.0.3/32'] }))
    expect(r.body.running).toBe(true)
    expect(lan.status().fingerprint).toBe(before.fingerprint)
    expect((await tlsHandshake(port, '127.0.0.3')).ok).toBe(true)
    expect((await tlsHandshake(port, '127.0.0.2')).ok).toBe(false)
  })

  test('a port already taken is said in French, and another port works at once', async () => {
    const taken = createServer().listen(0, '127.0.0.1')
    await new Promise((r) => taken.once('listening', r))
    const busy = (taken.address() as AddressInfo).port
    const r = await desk.call('network-settings-update', await settings({ port: busy, allowedRanges: ['127.0.0.2/32'] }))
    expect(r.status).toBe(200) // the settings are saved; the screen shows why the listener is not open
    expect(r.body).toMatchObject({ running: false, error: `Le port ${busy} est déjà utilisé sur cet ordinateur (par un autre programme ou par le portail famille) : choisissez-en un autre.` })
    taken.close()
    port = await freePort()
    const moved = await desk.call('network-settings-update', await settings({ port, allowedRanges: ['127.0.0.2/32'] }))
    expect(moved.body).toMatchObject({ running: true, error: null })
    expect((await tlsHandshake(port, '127.0.0.2')).ok).toBe(true)
  })

  test('the direction moves the port from a LAN session itself: the answer comes back, then the new port serves', async () => {
    const c = httpsClient(port, '127.0.0.2')
    await c.call('auth-login', { login: direction.login, password: direction.password })
    core.clock.advance(30_000)
    expect((await c.call('auth-second-factor', { code: totpCode(core, secret) })).status).toBe(200)
    const next = await freePort()
    const r = await c.call('network-settings-update', await settings({ port: next, allowedRanges: ['127.0.0.2/32'] }))
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ running: true, urls: [`https://127.0.0.1:${next}`] })
    expect((await tlsHandshake(port, '127.0.0.2')).ok).toBe(false)
    const moved = httpsClient(next, '127.0.0.2')
    moved.jar.set('__Host-rb_staff_lan', c.jar.get('__Host-rb_staff_lan')!)
    expect((await moved.call('families-search', {})).status).toBe(200) // same session, new listener
    port = next
  })

  test('disabled: the port closes and every session opened on the LAN ends', async () => {
    const c = httpsClient(port, '127.0.0.2')
    await c.call('auth-login', { login: direction.login, password: direction.password })
    core.clock.advance(30_000)
    await c.call('auth-second-factor', { code: totpCode(core, secret) })
    const r = await desk.call('network-settings-update', await settings({ enabled: false, port }))
    expect(r.body).toMatchObject({ running: false, urls: [] })
    expect((await tlsHandshake(port, '127.0.0.2')).ok).toBe(false)
    const left = await core.tx.read((m) => m.query(`SELECT count(*) AS n FROM session WHERE listener = 'lan'`))
    expect(left[0].n).toBe(0)
    // The back-office of this computer is untouched.
    expect((await desk.call('families-search', {})).status).toBe(200)
  })
})

describe('versioned like every setting staff edit', () => {
  test('a save made on a stale screen is refused with 409 naming who changed it, and opens nothing', async () => {
    const stale = await settings({ enabled: false })
    expect((await desk.call('network-settings-update', await settings({ enabled: false, allowedRanges: ['127.0.0.4/32'] }))).status).toBe(200)
    const r = await desk.call('network-settings-update', { ...stale, enabled: true, port: await freePort() })
    expect(r.status).toBe(409)
    expect(r.body.error.message).toMatch(/modifiés par Test direction/)
    expect((await desk.call('network-settings-get', {})).body).toMatchObject({ enabled: false, allowedRanges: ['127.0.0.4/32'], status: { running: false } })
    const policy = (await desk.call('network-settings-get', {})).body.policy
    expect((await desk.call('two-factor-policy-update', { loopbackRoles: ['comptable'], version: policy.version })).status).toBe(200)
    const late = await desk.call('two-factor-policy-update', { loopbackRoles: [], version: policy.version })
    expect(late.status).toBe(409)
    expect((await desk.call('network-settings-get', {})).body.policy.loopbackRoles).toEqual(['comptable'])
    await desk.call('two-factor-policy-update', { loopbackRoles: [], version: (await desk.call('network-settings-get', {})).body.policy.version })
  })
})

describe('test-only binding', () => {
  test('RIBAMBELLE_STAFF_LAN_HOST is refused outside test mode, and every interface is the default', () => {
    expect(lanBindHost({})).toBe('0.0.0.0')
    expect(lanBindHost({ RIBAMBELLE_STAFF_LAN_HOST: '127.0.0.1', RIBAMBELLE_TEST_MODE: '1' })).toBe('127.0.0.1')
    expect(() => lanBindHost({ RIBAMBELLE_STAFF_LAN_HOST: '127.0.0.1' })).toThrow(/refusé hors du mode test/)
  })
})

describe('roles', () => {
  test('only the direction reads and changes the network settings', async () => {
    const accueil = await seedStaff(core, 'accueil')
    const c = await client(loopback, 'staff')
    await c.loginStaff(accueil.login, accueil.password)
    expect((await c.call('network-settings-get', {})).status).toBe(403)
    expect((await c.call('network-settings-update', await settings())).status).toBe(403)
    expect((await c.call('two-factor-policy-update', { loopbackRoles: [], version: 0 })).status).toBe(403)
  })
})
