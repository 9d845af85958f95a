import type { FastifyError, FastifyInstance } from 'fastify'
import { DomainError } from '../core/errors'
import { StorageError } from '../db/storage-errors'
import { errorBody, internalError, knownError } from '../rpc/error-body'

/** A refused body larger than this is not read to its end: the connection is simply closed. */
const DRAIN_AT_MOST = 64 * 1024 * 1024

function megabytes(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / (1024 * 1024)))} Mo`
}

/**
 * Turns every failure into `{ error: { code, message } }` with a French message; internals go to the log only.
 * `audience` picks the wording of storage failures (the desk can free disk space; a family cannot).
 */
export function installErrorHandler(app: FastifyInstance, audience: 'staff' | 'family' = 'staff'): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    let e = knownError(err)
    // A refusal worded for the user may hide what the library reported (an unreadable spreadsheet…): keep that here.
    if (e instanceof DomainError && e.cause !== undefined) req.log.warn({ err: e.cause }, `${e.code}: ${e.message}`)
    if (e instanceof StorageError) {
      req.log.error(err)
      if (audience === 'family') e = new DomainError(e.code, e.familyMessage, e.status)
    } else if (!e && 'code' in err && typeof err.code === 'string' && err.code.startsWith('FST_CSRF')) {
      e = new DomainError('csrf', 'Jeton de sécurité manquant ou expiré. Rechargez la page puis recommencez.', 403)
    } else if (!e && 'statusCode' in err && err.statusCode === 429) {
      e = new DomainError('rate_limited', 'Trop de tentatives. Patientez une minute avant de réessayer.', 429)
    } else if (!e && 'statusCode' in err && err.statusCode === 413) {
      e = new DomainError('too_large', `Le fichier ou le formulaire envoyé est trop volumineux (${megabytes(req.routeOptions.bodyLimit)} au maximum) : rien n’a été enregistré.`, 413)
      // Fastify closes the connection on a body it refuses; the client, still sending, then gets a reset instead of
      // this answer. Keeping it open lets Node read and discard the rest (bounded by the request timeout).
      if (Number(req.headers['content-length'] ?? 0) <= DRAIN_AT_MOST) reply.removeHeader('connection')
    } else if (!e && 'statusCode' in err && typeof err.statusCode === 'number' && err.statusCode < 500) {
      e = new DomainError('bad_request', 'Requête invalide.', err.statusCode)
    }
    if (!e) {
      req.log.error(err)
      e = internalError()
    }
    reply.status(e.status).send(errorBody(e))
  })
}
