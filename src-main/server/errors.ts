import type { FastifyError, FastifyInstance } from 'fastify'
import { DomainError } from '../core/errors'
import { errorBody, internalError, knownError } from '../rpc/error-body'

/** Fastify's own refusals (CSRF, rate limit, body size, bad request) in French; null for anything else. */
function fastifyRefusal(err: FastifyError | Error): DomainError | null {
  if ('code' in err && typeof err.code === 'string' && err.code.startsWith('FST_CSRF')) {
    return new DomainError('csrf', 'Jeton de sécurité manquant ou expiré. Rechargez la page puis recommencez.', 403)
  }
  if (!('statusCode' in err) || typeof err.statusCode !== 'number') return null
  if (err.statusCode === 429) return new DomainError('rate_limited', 'Trop de tentatives. Patientez une minute avant de réessayer.', 429)
  if (err.statusCode === 413) return new DomainError('too_large', 'Le fichier ou le formulaire envoyé est trop volumineux.', 413)
  if (err.statusCode < 500) return new DomainError('bad_request', 'Requête invalide.', err.statusCode)
  return null
}

/** Turns every failure into `{ error: { code, message } }` with a French message; internals go to the log only. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    let e = knownError(err) ?? fastifyRefusal(err)
    if (!e) {
      req.log.error(err)
      e = internalError()
    }
    reply.status(e.status).send(errorBody(e))
  })
}
