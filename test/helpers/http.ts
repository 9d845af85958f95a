/**
 * A tiny browser stand-in over Fastify `inject`: it keeps cookies like a
 * browser would, fetches the CSRF token through `auth-session` before each
 * state-changing call, and sends Host 127.0.0.1 (the staff app refuses other
 * hosts).
 *
 *   const app = await buildStaffApp(core)
 *   const c = await client(app, 'staff')
 *   await c.loginStaff(staff.login, staff.password)
 *   const r = await c.call('families-search', { query: 'dupont' })  // { status, body }
 *
 * Each client gets its own remote address by default, so the per-IP rate
 * limits of one client do not spill into another (pass `ip` to share one).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { portalProcedures, staffProcedures, type ProcedureMap } from '@shared/contract'

export type Side = 'staff' | 'portal'

export interface CallResult {
  status: number
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any
  /** Raw Set-Cookie header lines of the response. */
  setCookies: string[]
  headers: LightMyRequestResponse['headers']
}

export interface CallOptions {
  /** true (default): fetch and send a token for non-query procedures; false: send none; a string: send that token. */
  csrf?: boolean | string
  headers?: Record<string, string>
}

let clientSeq = 0

export interface TestClient {
  side: Side
  ip: string
  /** Cookie jar: name → value as set by the server (signed form). */
  cookies: Map<string, string>
  call(name: string, input?: unknown, opts?: CallOptions): Promise<CallResult>
  /** A raw POST of JSON to any path, with the jar's cookies (no CSRF token unless given in headers). */
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<CallResult>
  /** The CSRF token for the jar's current session, via auth-session. */
  csrfToken(): Promise<string>
  loginStaff(login: string, password: string): Promise<CallResult>
  loginPortal(login: string, password: string): Promise<CallResult>
}

export async function client(app: FastifyInstance, side: Side, opts: { ip?: string } = {}): Promise<TestClient> {
  const n = ++clientSeq
  const ip = opts.ip ?? `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
  const procedures: ProcedureMap = side === 'staff' ? staffProcedures : portalProcedures
  const cookies = new Map<string, string>()

  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ')

  async function request(url: string, body: unknown, headers: Record<string, string> = {}): Promise<CallResult> {
    const res = await app.inject({
      method: 'POST',
      url,
      remoteAddress: ip,
      headers: { host: '127.0.0.1', 'content-type': 'application/json', ...(cookies.size ? { cookie: cookieHeader() } : {}), ...headers },
      payload: JSON.stringify(body ?? {})
    })
    for (const c of res.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const gone = c.value === '' || (c.maxAge !== undefined && c.maxAge <= 0) || (c.expires && c.expires.getTime() <= Date.now())
      if (gone) cookies.delete(c.name)
      else cookies.set(c.name, c.value)
    }
    const raw = res.headers['set-cookie']
    let parsed: unknown = res.body
    try {
      parsed = JSON.parse(res.body)
    } catch {
      /* not JSON (HTML 404…): keep the text */
    }
    return { status: res.statusCode, body: parsed, setCookies: raw === undefined ? [] : ([] as string[]).concat(raw), headers: res.headers }
  }

  const self: TestClient = {
    side,
    ip,
    cookies,
    post: (url, body, headers) => request(url, body, headers),
    async csrfToken() {
      const r = await request(`/api/${side}/auth-session`, {})
      if (r.status !== 200) throw new Error(`auth-session failed: ${r.status} ${JSON.stringify(r.body)}`)
      return r.body.csrfToken as string
    },
    async call(name, input, o = {}) {
      const headers: Record<string, string> = { ...o.headers }
      const isQuery = procedures[name]?.query === true
      const csrf = o.csrf ?? true
      if (typeof csrf === 'string') headers['x-csrf-token'] = csrf
      else if (csrf && !isQuery) headers['x-csrf-token'] = await self.csrfToken()
      return request(`/api/${side}/${name}`, input, headers)
    },
    async loginStaff(login, password) {
      const r = await self.call('auth-login', { login, password })
      if (r.status !== 200) throw new Error(`staff login failed: ${r.status} ${JSON.stringify(r.body)}`)
      return r
    },
    async loginPortal(login, password) {
      const r = await self.call('auth-login', { login, password })
      if (r.status !== 200) throw new Error(`portal login failed: ${r.status} ${JSON.stringify(r.body)}`)
      return r
    }
  }
  return self
}
