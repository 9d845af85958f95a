import type { Socket } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import fastifyHelmet from '@fastify/helmet'
import { staffProcedures } from '@shared/contract'
import type { Core } from '../core/app-core'
import { stmt } from '../db/statements'
import { resolveSession } from '../accounts/sessions'
import type { StaffListener } from '../accounts/second-factor'
import { staffHandlers } from '../rpc/staff-handlers'
import type { StaffActor } from '../rpc/types'
import { installErrorHandler } from './errors'
import { trackRoutes } from './route-table'
import { limitOptions, STAFF_LIMITS } from './limits'
import { rpcPlugin } from './rpc-plugin'
import { installationSecret } from '../core/installation-secret'
import { serveSpa } from './static-spa'
import { staffFilesPlugin } from './staff-files'
import { staffImportsPlugin } from './staff-imports'
import { staffEventsPlugin } from './staff-events'

export interface StaffAppOptions {
  /** Built back-office (out/renderer); null in API-only tests. */
  staticDir?: string | null
  logger?: boolean
  /**
   * The back-office on the LAN (server/lan-listener.ts): HTTPS with this certificate, answering only the addresses
   * `allowed` accepts. Absent: the back-office of this computer, plain HTTP on 127.0.0.1.
   */
  lan?: {
    https: { key: string; cert: string }
    allowed(address: string | undefined): boolean
    /** Told of each connection cut for its address (the settings screen shows the last one). */
    refused?(address: string): void
  }
  /** Live updates' timings (tests shorten them). */
  live?: { heartbeatMs?: number; recheckMs?: number }
}

/**
 * The session cookie of each staff listener. Different names, so a browser that uses both (they share the host
 * 127.0.0.1 in tests, cookies ignore ports) never mixes them; a session is valid only on the listener that opened
 * it anyway. `__Host-`: the browser keeps it only if Secure, for the whole host and no domain.
 */
export const STAFF_COOKIE: Record<StaffListener, string> = { loopback: 'rb_staff', lan: '__Host-rb_staff_lan', ipc: '' }

export async function resolveStaffActor(core: Core, token: string | null, listener: StaffListener = 'loopback'): Promise<StaffActor | null> {
  const s = await resolveSession(core, 'staff', token, listener)
  // A session awaiting its second factor is not a session yet.
  if (!s || s.stage === 'second-factor') return null
  // Snapshot read, like the session (see Core.snapshot): the desk does not wait behind the portal's writes.
  const u = stmt(core.snapshot, 'SELECT id, display_name AS displayName, role, active, must_change_password AS mustChange FROM staff_user WHERE id = ?').get(s.userId) as
    | { id: number; displayName: string; role: StaffActor['role']; active: number; mustChange: number }
    | undefined
  if (!u || u.active !== 1) return null
  return {
    kind: 'staff',
    id: u.id,
    label: u.displayName,
    role: u.role,
    mustChangePassword: u.mustChange === 1,
    ...(s.stage === 'two-factor-setup' ? { mustSetUpTwoFactor: true } : {})
  }
}

const OUTSIDE_RANGES = 'Ce poste n’est pas autorisé à ouvrir le back-office : son adresse n’est pas dans les plages choisies par la direction (Paramètres › Postes et tablettes).'

/**
 * The staff application (back-office and its API), for either listener: on
 * 127.0.0.1 (plain HTTP, Host checked) or on the LAN (HTTPS, addresses
 * checked). Both serve the same routes: whatever is registered here (a future
 * event stream, a tablet's pages) exists on both, with the same sessions,
 * roles and CSRF rules. It is built separately from `listen` so tests drive
 * it with `inject`.
 */
export async function buildStaffApp(core: Core, opts: StaffAppOptions = {}): Promise<FastifyInstance> {
  const lan = opts.lan ?? null
  const listener: StaffListener = lan ? 'lan' : 'loopback'
  const serverOpts = { logger: opts.logger ?? false, trustProxy: false, ...limitOptions(STAFF_LIMITS, lan?.https ?? null) }
  const app = Fastify(serverOpts as FastifyServerOptions) as unknown as FastifyInstance
  trackRoutes(app)
  installErrorHandler(app)
  if (lan) {
    // Cut before the TLS handshake: an address outside the ranges gets no certificate, no page, no login form.
    app.server.prependListener('connection', (socket: Socket) => {
      if (lan.allowed(socket.remoteAddress)) return
      lan.refused?.(socket.remoteAddress ?? '')
      socket.destroy()
    })
    // And per request, should a connection outlive a change of the ranges.
    app.addHook('onRequest', async (req, reply) => {
      if (!lan.allowed(req.ip)) return reply.status(403).send({ error: { code: 'address_refused', message: OUTSIDE_RANGES } })
    })
  } else {
    // Loopback only, and a Host check on top: a LAN page cannot reach us through DNS rebinding.
    app.addHook('onRequest', async (req, reply) => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '')
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
        return reply.status(403).send({ error: { code: 'bad_host', message: 'Le back-office n’est accessible que depuis ce poste.' } })
      }
    })
  }
  await app.register(fastifyHelmet, {
    // On the LAN, HTTPS: helmet's defaults (HSTS, upgrade of requests). On loopback, plain http: neither.
    hsts: lan ? undefined : false,
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { ...(lan ? {} : { 'upgrade-insecure-requests': null }), 'img-src': ["'self'", 'data:', 'blob:'] }
    }
  })
  const secret = installationSecret(core.paths.dataDir)
  const resolveActor = (t: string | null) => resolveStaffActor(core, t, listener)
  await app.register(rpcPlugin<StaffActor>, {
    core,
    prefix: '/api/staff',
    procedures: staffProcedures,
    handlers: staffHandlers as never,
    cookieName: STAFF_COOKIE[listener],
    secret,
    listener,
    resolveActor,
    limited: ['auth-login', 'auth-second-factor'],
    limitPerMinute: 20
  })
  await app.register(staffFilesPlugin, { core, cookieName: STAFF_COOKIE[listener], secret, resolveActor })
  await app.register(staffImportsPlugin, { core, cookieName: STAFF_COOKIE[listener], secret, resolveActor })
  // Live updates between desks: on every staff listener (this app), never on the portal's.
  await app.register(staffEventsPlugin, { core, cookieName: STAFF_COOKIE[listener], secret, resolveActor, ...opts.live })
  await serveSpa(app, opts.staticDir ?? null)
  return app
}
