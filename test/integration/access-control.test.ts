import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { portalProcedures, staffProcedures, STAFF_ROLES } from '@shared/contract'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { startServers } from '../../src-main/server/listen'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { buildLanApp, lanLogin, setUpTotp } from '../helpers/lan'
import type { RouteEntry } from '../../src-main/server/route-table'

let core: TestCore
let staffApp: FastifyInstance
/** The staff app in its LAN mode (HTTPS certificate, allowed ranges 10.0.0.0/8: the test clients' addresses). */
let lanApp: FastifyInstance
let portalApp: FastifyInstance
let family: SeededFamily
let portal: TestClient
beforeAll(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core)
  lanApp = await buildLanApp(core)
  portalApp = await buildPortalApp(core)
  await Promise.all([staffApp.ready(), lanApp.ready(), portalApp.ready()])
  family = await seedFamily(core)
  portal = await client(portalApp, 'portal')
  await portal.loginPortal(family.login, family.password)
})
afterAll(async () => {
  await staffApp.close()
  await lanApp.close()
  await portalApp.close()
  await core.cleanup()
})

/** A route of a table as a request: parameters filled with 1 (any id: the answer must not depend on it). */
function routeRequest(r: RouteEntry): { method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'; url: string } {
  return { method: r.method as 'GET', url: r.url.replace(/:[A-Za-z]+(\([^)]*\))?\??/g, '1') }
}
/** Every route but '/', the page both apps show when no built UI is given (the tests build none). */
const apiRoutes = (app: FastifyInstance) => app.routeTable.filter((r) => r.url !== '/')
const cookieHeader = (cookies: Map<string, string>, rename: Record<string, string> = {}) =>
  [...cookies].map(([k, v]) => `${rename[k] ?? k}=${encodeURIComponent(v)}`).join('; ')

const staffNames = Object.keys(staffProcedures)

describe('the listeners are separate, checked from their route tables', () => {
  test('the back-office on the LAN serves exactly the routes of the back-office on this computer', () => {
    const key = (r: RouteEntry) => `${r.method} ${r.url}`
    expect(apiRoutes(staffApp).length).toBeGreaterThan(staffNames.length)
    expect(lanApp.routeTable.map(key).sort()).toEqual(staffApp.routeTable.map(key).sort())
  })

  test('no route is both a portal route and a staff route', () => {
    const staffUrls = new Set(apiRoutes(staffApp).map((r) => r.url))
    expect(apiRoutes(portalApp).filter((r) => staffUrls.has(r.url))).toEqual([])
    expect(apiRoutes(portalApp).filter((r) => r.url.startsWith('/api/staff'))).toEqual([])
    expect(apiRoutes(staffApp).filter((r) => !r.url.startsWith('/api/staff/'))).toEqual([])
  })

  test('every portal route (procedures, files, payment) is 404 on both staff listeners, sent with a logged-in portal session and its CSRF token', async () => {
    const csrf = await portal.csrfToken()
    const routes = apiRoutes(portalApp)
    expect(routes.length).toBeGreaterThan(Object.keys(portalProcedures).length)
    for (const app of [staffApp, lanApp]) {
      for (const r of routes.map(routeRequest)) {
        const res = await app.inject({
          ...r,
          remoteAddress: portal.ip,
          headers: { host: '127.0.0.1', 'content-type': 'application/json', cookie: cookieHeader(portal.cookies), 'x-csrf-token': csrf },
          payload: r.method === 'GET' ? undefined : '{}'
        })
        expect(res.statusCode, `${app === lanApp ? 'LAN' : 'loopback'} ${r.method} ${r.url}`).toBe(404)
      }
    }
  })

  test('every staff route (procedures and files) is 404 on the portal listener', async () => {
    const csrf = await portal.csrfToken()
    for (const r of apiRoutes(staffApp).map(routeRequest)) {
      const res = await portalApp.inject({
        ...r,
        remoteAddress: portal.ip,
        headers: { 'content-type': 'application/json', cookie: cookieHeader(portal.cookies), 'x-csrf-token': csrf },
        payload: r.method === 'GET' ? undefined : '{}'
      })
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(404)
    }
  })
})

describe('sessions do not cross listeners', () => {
  test('a LAN session is refused on this computer, a session of this computer is refused on the LAN, a portal session on both', async () => {
    const direction = await seedStaff(core, 'direction')
    const { secret, loopback } = await setUpTotp(core, staffApp, direction)
    const onLan = await lanLogin(core, lanApp, direction, secret)
    expect((await onLan.call('staff-list', {})).status).toBe(200)
    expect((await loopback.call('staff-list', {})).status).toBe(200)
    const lanToken = onLan.cookies.get('__Host-rb_staff_lan')!
    const loopbackToken = loopback.cookies.get('rb_staff')!
    const portalToken = portal.cookies.get('rb_portal')!
    // Same installation secret everywhere: the signatures are valid, so only the session's listener stops them.
    const attempts: [FastifyInstance, string, string][] = []
    for (const name of ['rb_staff', '__Host-rb_staff_lan']) {
      attempts.push([staffApp, name, lanToken], [lanApp, name, loopbackToken], [lanApp, name, portalToken])
    }
    for (const [app, cookieName, token] of attempts) {
      const c = await client(app, 'staff')
      c.cookies.set(cookieName, token)
      for (const [name, proc] of Object.entries(staffProcedures)) {
        if (proc.public) continue
        const r = await c.call(name, {})
        expect(r.status, `${app === lanApp ? 'LAN' : 'loopback'} ${cookieName} ${name}`).toBe(401)
      }
      expect((await c.call('auth-session')).body.user).toBeNull()
    }
    // And the sessions themselves are still alive where they belong (the 401s above are not dead sessions).
    expect((await onLan.call('staff-list', {})).status).toBe(200)
    expect((await loopback.call('staff-list', {})).status).toBe(200)
  })
})

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
  test.each(['loopback', 'lan'] as const)('each role is refused every staff procedure it is not listed for (%s)', async (listener) => {
    const clients = new Map<string, TestClient>()
    for (const role of STAFF_ROLES) {
      const u = await seedStaff(core, role)
      if (listener === 'lan') {
        const { secret } = await setUpTotp(core, staffApp, u)
        clients.set(role, await lanLogin(core, lanApp, u, secret))
        continue
      }
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

  test('every listener sends security headers; the HTTPS ones HSTS too', async () => {
    const s = await staffApp.inject({ method: 'GET', url: '/', headers: { host: '127.0.0.1' } })
    const l = await lanApp.inject({ method: 'GET', url: '/', remoteAddress: '10.1.2.3', headers: { host: 'pc-accueil:5181' } })
    const p = await portalApp.inject({ method: 'GET', url: '/' })
    expect(l.statusCode).toBe(200)
    expect(l.headers['strict-transport-security']).toMatch(/max-age=/)
    expect(l.headers['content-security-policy']).toContain('upgrade-insecure-requests')
    expect(s.headers['strict-transport-security']).toBeUndefined()
    for (const r of [s, l, p]) {
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

describe('the back-office on the LAN: addresses, CSRF, cookies', () => {
  test('a request from outside the allowed ranges is refused in French, whatever it asks', async () => {
    for (const ip of ['192.168.1.20', '172.16.0.9', '::ffff:192.168.1.20', '2001:db8::1', '127.0.0.1']) {
      for (const url of ['/', '/api/staff/auth-session', '/api/staff/auth-login']) {
        const r = await lanApp.inject({ method: url === '/' ? 'GET' : 'POST', url, remoteAddress: ip, headers: { host: 'pc-accueil:5181', 'content-type': 'application/json' }, payload: url === '/' ? undefined : '{}' })
        expect(r.statusCode, `${ip} ${url}`).toBe(403)
        expect(r.json().error.code).toBe('address_refused')
      }
    }
    expect((await lanApp.inject({ method: 'POST', url: '/api/staff/auth-session', remoteAddress: '::ffff:10.9.9.9', payload: {} })).statusCode).toBe(200)
  })

  test('any Host is served on the LAN (pc-accueil, an address): the certificate and the ranges are the guard there', async () => {
    for (const host of ['pc-accueil:5181', '192.168.1.10:5181', 'pc-accueil.local']) {
      expect((await lanApp.inject({ method: 'POST', url: '/api/staff/auth-session', remoteAddress: '10.0.0.7', headers: { host }, payload: {} })).statusCode, host).toBe(200)
    }
  })

  test('a state-changing call without its CSRF token is refused on the LAN, login included', async () => {
    const c = await client(lanApp, 'staff')
    const csrfCookie = (await c.call('auth-session')).setCookies.find((h) => h.startsWith('__Host-rb_staff_lan_csrf='))
    expect(csrfCookie).toMatch(/; Secure/)
    const r = await c.call('auth-login', { login: 'direction', password: 'x' }, { csrf: false })
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('csrf')
    expect((await c.call('auth-second-factor', { code: '123456' }, { csrf: false })).body.error.code).toBe('csrf')
  })
})

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

  // A bound-address check: tests never send traffic to another address of this machine (its LAN address included).
  test('binds the staff API to 127.0.0.1 and serves it there', async () => {
    const addr = servers.staff!.server.address() as AddressInfo
    expect(addr.address).toBe('127.0.0.1')
    expect(servers.staffUrl).toBe(`http://127.0.0.1:${addr.port}`)
    expect(await get('127.0.0.1')).toBe(200)
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
