import Fastify, { type FastifyInstance } from 'fastify'
import fastifyHelmet from '@fastify/helmet'
import { staffProcedures } from '@shared/contract'
import type { Core } from '../core/app-core'
import { stmt } from '../db/statements'
import { resolveSession } from '../accounts/sessions'
import { staffHandlers } from '../rpc/staff-handlers'
import type { StaffActor } from '../rpc/types'
import { installErrorHandler } from './errors'
import { limitOptions, STAFF_LIMITS } from './limits'
import { rpcPlugin } from './rpc-plugin'
import { installationSecret } from './secrets'
import { serveSpa } from './static-spa'
import { staffFilesPlugin } from './staff-files'
import { staffImportsPlugin } from './staff-imports'

export interface StaffAppOptions {
  /** Built back-office (out/renderer); null in API-only tests. */
  staticDir?: string | null
  logger?: boolean
}

export async function resolveStaffActor(core: Core, token: string | null): Promise<StaffActor | null> {
  const s = await resolveSession(core, 'staff', token)
  if (!s) return null
  // Snapshot read, like the session (see Core.snapshot): the desk does not wait behind the portal's writes.
  const u = stmt(core.snapshot, 'SELECT id, display_name AS displayName, role, active, must_change_password AS mustChange FROM staff_user WHERE id = ?').get(s.userId) as
    | { id: number; displayName: string; role: StaffActor['role']; active: number; mustChange: number }
    | undefined
  if (!u || u.active !== 1) return null
  return { kind: 'staff', id: u.id, label: u.displayName, role: u.role, mustChangePassword: u.mustChange === 1 }
}

/**
 * The staff application (headless back-office and its API). It is built
 * separately from `listen` so tests drive it with `inject`; `listen.ts`
 * binds it to 127.0.0.1 only.
 */
export async function buildStaffApp(core: Core, opts: StaffAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, trustProxy: false, ...limitOptions(STAFF_LIMITS, null) })
  installErrorHandler(app)
  // Loopback only, and a Host check on top: a LAN page cannot reach us through DNS rebinding.
  app.addHook('onRequest', async (req, reply) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '')
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
      return reply.status(403).send({ error: { code: 'bad_host', message: 'Le back-office n’est accessible que depuis ce poste.' } })
    }
  })
  await app.register(fastifyHelmet, {
    // Plain http on loopback: no HSTS, no upgrade of requests to https.
    hsts: false,
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { 'upgrade-insecure-requests': null, 'img-src': ["'self'", 'data:', 'blob:'] }
    }
  })
  await app.register(rpcPlugin<StaffActor>, {
    core,
    prefix: '/api/staff',
    procedures: staffProcedures,
    handlers: staffHandlers as never,
    cookieName: 'rb_staff',
    secret: installationSecret(core.paths.dataDir),
    resolveActor: (t) => resolveStaffActor(core, t),
    limited: ['auth-login'],
    limitPerMinute: 20
  })
  await app.register(staffFilesPlugin, { core, secret: installationSecret(core.paths.dataDir), resolveActor: (t) => resolveStaffActor(core, t) })
  await app.register(staffImportsPlugin, { core, secret: installationSecret(core.paths.dataDir), resolveActor: (t) => resolveStaffActor(core, t) })
  await serveSpa(app, opts.staticDir ?? null)
  return app
}
