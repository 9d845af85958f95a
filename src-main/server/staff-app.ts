import Fastify, { type FastifyInstance } from 'fastify'
import fastifyHelmet from '@fastify/helmet'
import { staffProcedures } from '@shared/contract'
import type { Core } from '../core/app-core'
import { StaffUser } from '../accounts/entities'
import { resolveSession } from '../accounts/sessions'
import { staffHandlers } from '../rpc/staff-handlers'
import type { StaffActor } from '../rpc/types'
import { installErrorHandler } from './errors'
import { rpcPlugin } from './rpc-plugin'
import { installationSecret } from './secrets'
import { serveSpa } from './static-spa'
import { staffFilesPlugin } from './staff-files'

export interface StaffAppOptions {
  /** Built back-office (out/renderer); null in API-only tests. */
  staticDir?: string | null
  logger?: boolean
}

export async function resolveStaffActor(core: Core, token: string | null): Promise<StaffActor | null> {
  const s = await resolveSession(core, 'staff', token)
  if (!s) return null
  const u = await core.tx.read((m) => m.findOneBy(StaffUser, { id: s.userId }))
  if (!u || !u.active) return null
  return { kind: 'staff', id: u.id, label: u.displayName, role: u.role, mustChangePassword: u.mustChangePassword }
}

/**
 * The staff application (headless back-office and its API). It is built
 * separately from `listen` so tests drive it with `inject`; `listen.ts`
 * binds it to 127.0.0.1 only.
 */
export async function buildStaffApp(core: Core, opts: StaffAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, trustProxy: false })
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
  await serveSpa(app, opts.staticDir ?? null)
  return app
}
