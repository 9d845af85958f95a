import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyRateLimit from '@fastify/rate-limit'
import type { ProcedureMap } from '@shared/contract'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { sha256 } from '../accounts/tokens'
import { normalize } from '../core/text'
import { dispatch } from '../rpc/dispatch'
import { registerSessionCookies, SESSION_COOKIE_OPTS } from './session-cookies'
import type { CallContext } from '../rpc/types'
import type { SessionListener } from '../accounts/entities'

export interface RpcPluginOptions<A extends Actor> {
  core: Core
  /** Fastify's own register option: routes are mounted under it. */
  prefix: string
  procedures: ProcedureMap
  handlers: Record<string, (input: never, ctx: CallContext<A | null>) => Promise<unknown>>
  cookieName: string
  secret: string
  /** The listener this app serves: sessions opened through it are valid only on it. */
  listener: SessionListener
  /** Resolves the session cookie to an actor (null when absent or expired). */
  resolveActor(token: string | null): Promise<A | null>
  /** Procedures rate-limited per IP (login, registration, password reset). */
  limited: string[]
  limitPerMinute: number
}

/**
 * The login's limit counts per (address, identifier typed), not per address: counted per address it
 * counted right passwords too, so one client hammering the form — or simply ten families logging in
 * within a minute behind one NAT or reverse proxy — shut every other account out from there. Guesses
 * spread over many identifiers are bounded by the throttle's address budget instead (accounts/throttle.ts),
 * which refuses before the password hash is computed and never slows an account's usual address.
 */
const BY_IDENTIFIER = new Set(['auth-login'])

function identifierKey(req: FastifyRequest): string {
  const login = (req.body as { login?: unknown } | null)?.login
  return `${req.ip}|${typeof login === 'string' ? normalize(login) : ''}`
}

declare module 'fastify' {
  interface FastifyRequest {
    sessionToken: string | null
  }
}

/**
 * Mounts a procedure map as `POST <prefix>/<name>` (prefix applied by Fastify's register): session cookie
 * (Secure, HttpOnly, SameSite=Strict), CSRF token bound to the session on
 * every state-changing call, per-IP limits on the sensitive ones.
 */
export async function rpcPlugin<A extends Actor>(app: FastifyInstance, opts: RpcPluginOptions<A>): Promise<void> {
  await registerSessionCookies(app, opts)
  await app.register(fastifyRateLimit, { global: false })
  app.decorateRequest('sessionToken', null)

  for (const [name, proc] of Object.entries(opts.procedures)) {
    const limited = opts.limited.includes(name)
    app.post(
      `/${name}`,
      {
        onRequest: proc.query ? undefined : app.csrfProtection,
        config: limited
          ? {
              rateLimit: BY_IDENTIFIER.has(name)
                ? // preHandler: the body (the identifier) is parsed by then.
                  { max: opts.limitPerMinute, timeWindow: '1 minute', hook: 'preHandler' as const, keyGenerator: identifierKey }
                : { max: opts.limitPerMinute, timeWindow: '1 minute' }
            }
          : undefined,
        bodyLimit: 1024 * 1024
      },
      async (req: FastifyRequest, reply: FastifyReply) => {
        const actor = await opts.resolveActor(req.sessionToken)
        // The CSRF token must be bound to the cookie the browser will send
        // next, which is the one it has now (even a dead session's) unless
        // setSession replaces it: binding an expired session's cookie to
        // "anonymous" made every later login fail with a CSRF error.
        let current = req.sessionToken
        const ctx: CallContext<A | null> = {
          core: opts.core,
          actor,
          sessionToken: req.sessionToken,
          ip: req.ip,
          listener: opts.listener,
          setSession(token) {
            current = token
            if (token) reply.setCookie(opts.cookieName, token, SESSION_COOKIE_OPTS)
            else reply.clearCookie(opts.cookieName, SESSION_COOKIE_OPTS)
          },
          csrfToken() {
            return reply.generateCsrf({ userInfo: current ? sha256(current) : 'anonymous' } as never)
          }
        }
        reply.header('cache-control', 'no-store')
        return dispatch(opts.procedures, opts.handlers, name, req.body, ctx)
      }
    )
  }
}
