import type { FastifyInstance, FastifyRequest } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifyCsrf from '@fastify/csrf-protection'
import { sha256 } from '../accounts/tokens'

/** Session cookie settings: Secure, HttpOnly, SameSite=Strict, signed. */
export const SESSION_COOKIE_OPTS = { path: '/', httpOnly: true, secure: true, sameSite: 'strict' as const, signed: true }

/**
 * Registers the signed session cookie, the CSRF protection bound to the
 * session, and reads the session token into `req.sessionToken`. Both the rpc
 * plugin and the file routes call this, so a token the SPA got from
 * `auth-session` is valid on both (Fastify scopes each registration's
 * decorators, hence one call per plugin rather than one shared instance).
 */
export async function registerSessionCookies(app: FastifyInstance, opts: { cookieName: string; secret: string }): Promise<void> {
  await app.register(fastifyCookie, { secret: opts.secret })
  await app.register(fastifyCsrf, {
    cookieKey: `${opts.cookieName}_csrf`,
    cookieOpts: SESSION_COOKIE_OPTS,
    sessionPlugin: '@fastify/cookie',
    // The token is bound to the session: a token taken before login is useless after it.
    getUserInfo: (req: FastifyRequest) => (req.sessionToken ? sha256(req.sessionToken) : 'anonymous'),
    getToken: (req: FastifyRequest) => req.headers['x-csrf-token'] as string | undefined,
    csrfOpts: { hmacKey: opts.secret }
  })
  app.addHook('onRequest', async (req) => {
    const raw = req.cookies[opts.cookieName]
    const unsigned = raw ? req.unsignCookie(raw) : null
    req.sessionToken = unsigned?.valid ? unsigned.value : null
  })
}
