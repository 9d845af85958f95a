import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import { networkInterfaces } from 'node:os'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { portalProcedures, staffProcedures, STAFF_ROLES } from '@shared/contract'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { startServers } from '../../src-main/server/listen'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'

let core: TestCore
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let family: SeededFamily
let portal: TestClient
beforeAll(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  family = await seedFamily(core)
  portal = await client(portalApp, 'portal')
  await portal.loginPortal(family.login, family.password)
})
afterAll(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

const staffNames = Object.keys(staffProcedures)

describe('the portal listener has no staff route', () => {
  test('every staff procedure is 404 on the portal app, with a logged-in portal session and a CSRF token', async () => {
    expect(staffNames.length).toBeGreaterThan(25)
    const csrf = await portal.csrfToken()
    for (const name of staffNames) {
      const r = await portal.post(`/api/staff/${name}`, {}, { 'x-csrf-token': csrf })
      expect(r.status, name).toBe(404)
      expect(JSON.stringify(r.body), name).not.toMatch(/"user"|"items"|"ok":true/)
    }
    // Nor is the staff API reachable by a path trick.
    for (const url of ['/api/portal/../staff/staff-list', '/api/portal/staff-list', '/api/portal/families-search']) {
      expect((await portal.post(url, {}, { 'x-csrf-token': csrf })).status, url).toBe(404)
    }
  })

  test('the staff event stream (live updates) does not exist on the portal, and refuses a portal session on the staff app', async () => {
    const cookie = [...portal.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ')
    const headers = { accept: 'text/event-stream', cookie }
    const onPortal = await portalApp.inject({ method: 'GET', url: '/api/staff/events', remoteAddress: portal.ip, headers: { ...headers, host: 'localhost' } })
    expect(onPortal.statusCode).toBe(404)
    expect(onPortal.body).not.toContain('event:')
    // The portal's cookie under the staff cookie's name: signed by the same secret, but not a staff session.
    const staffCookie = `rb_staff=${encodeURIComponent(portal.cookies.get('rb_portal')!)}`
    const onStaff = await staffApp.inject({ method: 'GET', url: '/api/staff/events', headers: { ...headers, cookie: staffCookie, host: '127.0.0.1' } })
    expect(onStaff.statusCode).toBe(401)
  })

  test('the portal session is valid on the portal (the 404s above are not a dead session)', async () => {
    expect((await portal.call('home-get')).status).toBe(200)
  })
})

describe('the staff listener refuses portal sessions', () => {
  test('a portal session cookie on the staff app gets 401 for every staff procedure that needs a session', async () => {
    const token = portal.cookies.get('rb_portal')!
    // Same installation secret on both listeners: the signature is valid, so only the session kind stops it.
    for (const cookieName of ['rb_staff', 'rb_portal']) {
      const c = await client(staffApp, 'staff')
      c.cookies.set(cookieName, token)
      for (const [name, proc] of Object.entries(staffProcedures)) {
        if (proc.public) continue
        const r = await c.call(name, {})
        expect(r.status, `${cookieName} ${name}`).toBe(401)
        expect(r.body.error.code).toBe('unauthenticated')
      }
      expect((await c.call('auth-session')).body.user).toBeNull()
    }
  })

  test('every staff procedure that is not public declares its roles', () => {
    for (const [name, proc] of Object.entries(staffProcedures)) {
      if (!proc.public) expect(proc.roles?.length, name).toBeGreaterThan(0)
    }
    for (const [name, proc] of Object.entries(portalProcedures)) expect(proc.roles, name).toBeUndefined()
  })
})

describe('roles', () => {
  test('each role is refused every staff procedure it is not listed for', async () => {
    const clients = new Map<string, TestClient>()
    for (const role of STAFF_ROLES) {
      const u = await seedStaff(core, role)
      const c = await client(staffApp, 'staff')
      await c.loginStaff(u.login, u.password)
      clients.set(role, c)
    }
    let refused = 0
    for (const [name, proc] of Object.entries(staffProcedures)) {
      if (proc.public || !proc.roles) continue
      for (const role of STAFF_ROLES.filter((r) => !proc.roles!.includes(r))) {
        const r = await clients.get(role)!.call(name, {})
        expect(r.status, `${role} → ${name}`).toBe(403)
        expect(r.body.error, `${role} → ${name}`).toEqual({ code: 'forbidden_role', message: 'Votre rôle ne permet pas cette action.' })
        refused++
      }
    }
    expect(refused).toBeGreaterThan(20)
    // Spot checks of the matrix the issue sets.
    expect((await clients.get('animateur')!.call('staff-list', {})).status).toBe(403)
    expect((await clients.get('comptable')!.call('families-create', {})).status).toBe(403)
    expect((await clients.get('accueil')!.call('smtp-get', {})).status).toBe(403)
    expect((await clients.get('direction')!.call('staff-list', {})).status).toBe(200)
    expect((await clients.get('animateur')!.call('families-search', {})).status).toBe(200)
  })
})

describe('staff listener: loopback only', () => {
  test('the staff app refuses a non-loopback Host header', async () => {
    for (const host of ['192.168.1.20:5180', 'ribambelle.local', 'evil.example', '127.0.0.1.evil.example']) {
      const r = await staffApp.inject({ method: 'POST', url: '/api/staff/auth-session', headers: { host }, payload: {} })
      expect(r.statusCode, host).toBe(403)
      expect(r.json().error.code).toBe('bad_host')
    }
    for (const host of ['127.0.0.1:5180', 'localhost:5180', '[::1]:5180']) {
      const r = await staffApp.inject({ method: 'POST', url: '/api/staff/auth-session', headers: { host }, payload: {} })
      expect(r.statusCode, host).toBe(200)
    }
  })

  test('both listeners send security headers', async () => {
    const s = await staffApp.inject({ method: 'GET', url: '/', headers: { host: '127.0.0.1' } })
    const p = await portalApp.inject({ method: 'GET', url: '/' })
    for (const r of [s, p]) {
      expect(r.headers['content-security-policy']).toContain("default-src 'self'")
      expect(r.headers['x-content-type-options']).toBe('nosniff')
      expect(r.headers['x-frame-options']).toBe('SAMEORIGIN')
      expect(r.headers['referrer-policy']).toBe('no-referrer')
    }
    expect(p.headers['strict-transport-security']).toMatch(/max-age=/)
    const api = await portal.call('home-get')
    expect(api.headers['cache-control']).toBe('no-store')
  })
})

/** A non-loopback IPv4 address of this machine, if it has one. */
const LAN = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address

describe('startServers', () => {
  let servers: Awaited<ReturnType<typeof startServers>>
  let staffPort: number
  beforeAll(async () => {
    servers = await startServers(core, {
      staffPort: 0,
      portalPort: 0,
      portalHost: '127.0.0.1',
      staffStaticDir: null,
      portalStaticDir: null,
      withStaff: true,
      mailIntervalMs: 3_600_000
    })
    staffPort = (servers.staff!.server.address() as AddressInfo).port
  })
  afterAll(() => servers.close())

  const get = (host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host, port: staffPort, path: '/', headers: { host: `127.0.0.1:${staffPort}` }, timeout: 3000 }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.end()
    })

  test('binds the staff API to 127.0.0.1 and serves it there', async () => {
    const addr = servers.staff!.server.address() as AddressInfo
    expect(addr.address).toBe('127.0.0.1')
    expect(servers.staffUrl).toBe(`http://127.0.0.1:${addr.port}`)
    expect(await get('127.0.0.1')).toBe(200)
  })

  test.skipIf(!LAN)(`refuses connections to the staff port on this machine's LAN address (${LAN ?? 'skipped: the machine has no non-loopback IPv4 address'})`, async () => {
    await expect(get(LAN!)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })

  test('the portal listener speaks HTTPS with the certificate whose fingerprint is published', async () => {
    const portalPort = (servers.portal.server.address() as AddressInfo).port
    const fingerprint = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: portalPort, path: '/', rejectUnauthorized: false }, (res) => {
        res.resume()
        resolve((res.socket as import('node:tls').TLSSocket).getPeerX509Certificate()!.fingerprint256)
      })
      req.on('error', reject)
      req.end()
    })
    expect(core.runtime.tlsFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    expect(fingerprint).toBe(core.runtime.tlsFingerprint)
  })
})
