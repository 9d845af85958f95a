import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import fastifyHelmet from '@fastify/helmet'
import { portalProcedures } from '@shared/contract'
import type { Core } from '../core/app-core'
import { stmt } from '../db/statements'
import { resolveSession } from '../accounts/sessions'
import { LOGIN_NAMES_SQL, loginLabel } from '../accounts/logins'
import { parseRights, PORTAL_RIGHTS } from '@shared/portal-rights'
import { portalHandlers } from '../rpc/portal-handlers'
import type { FamilyActor } from '../rpc/types'
import { installErrorHandler } from './errors'
import { trackRoutes } from './route-table'
import { limitOptions, PORTAL_LIMITS } from './limits'
import { rpcPlugin } from './rpc-plugin'
import { installationSecret } from '../core/installation-secret'
import { serveSpa } from './static-spa'
import { portalFilesPlugin } from './portal-files'
import { portalBillingPlugin } from './portal-billing-routes'
import { portalAgendaFeedPlugin } from './portal-agenda-feed'

export interface PortalAppOptions {
  staticDir?: string | null
  https?: { key: string; cert: string } | null
  /** Behind an operator's reverse proxy (which terminates TLS). */
  trustProxy?: boolean
  logger?: boolean
}

export async function resolveFamilyActor(core: Core, token: string | null): Promise<FamilyActor | null> {
  const s = await resolveSession(core, 'portal', token, 'portal')
  if (!s || s.stage !== 'full') return null
  // Same snapshot read as the session (see Core.snapshot): no queueing behind a running write.
  const a = stmt(
      core.snapshot,
      `SELECT a.id, a.family_id AS familyId, a.login, a.status, a.must_change_password AS mustChange, a.main, a.rights, ${LOGIN_NAMES_SQL('a')}
         FROM portal_account a WHERE a.id = ?`
    )
    .get(s.userId) as
    | { id: number; familyId: number | null; login: string; status: string; mustChange: number; main: number; rights: string; firstName: string; lastName: string }
    | undefined
  if (!a || a.status !== 'active' || !a.familyId) return null
  // Read at every request: a right taken away, or a login revoked, holds from the next click. The label names the adult.
  const main = a.main === 1
  return {
    kind: 'family',
    id: a.id,
    familyId: a.familyId,
    label: loginLabel(a.firstName, a.lastName, a.login),
    login: a.login,
    mustChangePassword: a.mustChange === 1,
    main,
    rights: main ? [...PORTAL_RIGHTS] : parseRights(a.rights)
  }
}

/**
 * The family portal application: the portal SPA and /api/portal only. No
 * staff procedure is mounted here, whatever the session.
 */
export async function buildPortalApp(core: Core, opts: PortalAppOptions = {}): Promise<FastifyInstance> {
  const serverOpts = {
    logger: opts.logger ?? false,
    // Behind the operator's proxy, trust that one hop only: the client address is the one the proxy
    // appended to X-Forwarded-For, not whatever a client wrote at the front of it (which would let
    // anyone pick a fresh address per request and escape every per-address limit).
    trustProxy: opts.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    ...limitOptions(PORTAL_LIMITS, opts.https ?? null)
  }
  const app = Fastify(serverOpts as FastifyServerOptions) as unknown as FastifyInstance
  trackRoutes(app)
  installErrorHandler(app, 'family')
  await app.register(fastifyHelmet, {
    // form-action: the "Payer" form goes to the payment gateway (Systempay, PayFiP), or to a built-in simulator on 'self'.
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { 'img-src': ["'self'", 'data:', 'blob:'], 'form-action': ["'self'", 'https://paiement.systempay.fr', 'https://www.payfip.gouv.fr', 'https://www.tipi.budget.gouv.fr'] }
    }
  })
  await app.register(rpcPlugin<FamilyActor>, {
    core,
    prefix: '/api/portal',
    procedures: portalProcedures,
    handlers: portalHandlers as never,
    cookieName: 'rb_portal',
    secret: installationSecret(core.paths.dataDir),
    listener: 'portal',
    resolveActor: (t) => resolveFamilyActor(core, t),
    limited: ['auth-login', 'auth-register', 'auth-forgot-password', 'auth-reset-password', 'auth-accept-invitation'],
    limitPerMinute: 10
  })
  await app.register(portalFilesPlugin, { core, secret: installationSecret(core.paths.dataDir), resolveActor: (t) => resolveFamilyActor(core, t) })
  await app.register(portalBillingPlugin, { core, secret: installationSecret(core.paths.dataDir), resolveActor: (t) => resolveFamilyActor(core, t) })
  await app.register(portalAgendaFeedPlugin, { core })
  await serveSpa(app, opts.staticDir ?? null)
  return app
}
