import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyMultipart from '@fastify/multipart'
import { MAX_UPLOAD_BYTES } from '@shared/contract/family-file-shapes'
import { withoutInvisible } from '@shared/validators'
import type { Actor } from '../core/actor'
import { DomainError } from '../core/errors'
import { registerSessionCookies } from './session-cookies'
import { SESSION_EXPIRED } from '../rpc/dispatch'

export interface FileRoutesOptions<A extends Actor> {
  cookieName: string
  secret: string
  resolveActor(token: string | null): Promise<A | null>
}

/** Session and CSRF for the file routes: the same registration as the rpc plugin (session-cookies.ts), plus multipart. */
export async function registerFileSession<A extends Actor>(app: FastifyInstance, opts: FileRoutesOptions<A>): Promise<(req: FastifyRequest) => Promise<A>> {
  await registerSessionCookies(app, opts)
  // 6 Mo per file, one file per request; a request with dozens of parts is refused before it is read.
  await app.register(fastifyMultipart, {
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, parts: 6, fields: 5, fieldSize: 2000, headerPairs: 50 },
    // Keep the name as sent, so "../../x" is refused rather than silently shortened to "x".
    preservePath: true
  } as never)
  return async (req) => {
    const actor = await opts.resolveActor(req.sessionToken)
    if (!actor) throw new DomainError('unauthenticated', SESSION_EXPIRED, 401)
    if (actor.kind !== 'system' && actor.mustChangePassword) throw new DomainError('password_change_required', 'Vous devez d’abord choisir un nouveau mot de passe.', 403)
    if (actor.kind === 'staff' && actor.mustSetUpTwoFactor) throw new DomainError('two_factor_setup_required', 'Configurez d’abord la double authentification.', 403)
    return actor
  }
}

/** Reads the single "file" part of an upload, with French refusals for every limit. Nothing touches the disk here. */
export async function readSingleFile(req: FastifyRequest): Promise<{ name: string; data: Buffer }> {
  if (!req.isMultipart()) throw new DomainError('bad_upload', 'Envoi de fichier invalide : utilisez le formulaire du portail.', 400)
  let file: { name: string; data: Buffer } | null = null
  let currentName = ''
  try {
    for await (const part of req.parts()) {
      if (part.type !== 'file') continue
      currentName = part.filename
      if (part.fieldname !== 'file' || file) {
        await part.toBuffer()
        throw new DomainError('bad_upload', 'Envoyez un seul fichier à la fois.', 400)
      }
      file = { name: part.filename, data: await part.toBuffer() }
    }
  } catch (e) {
    if (e instanceof DomainError) throw e
    const code = (e as { code?: string }).code
    const shown = withoutInvisible(currentName).slice(0, 60)
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new DomainError('too_large', `Le fichier « ${shown} » dépasse la taille maximale de 6 Mo.`, 413)
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new DomainError('too_many_parts', 'Envoi refusé : trop d’éléments dans la même requête. Envoyez un seul fichier à la fois.', 413)
    if (code === 'FST_FILES_LIMIT') throw new DomainError('too_many_files', 'Envoyez un seul fichier à la fois.', 413)
    throw new DomainError('bad_upload', 'Envoi de fichier interrompu ou invalide : réessayez.', 400)
  }
  if (!file) throw new DomainError('no_file', 'Aucun fichier reçu : choisissez un fichier puis recommencez.', 400)
  return file
}

/** RFC 6266 header: an ASCII fallback plus the UTF-8 name. */
function contentDisposition(name: string): string {
  const ascii = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

/**
 * Sends a stored file so no browser runs it: always a download, the type we
 * detected (not guessed again), and a sandbox CSP should it be opened anyway.
 */
export function sendFile(reply: FastifyReply, file: { name: string; mime: string }, data: Buffer): FastifyReply {
  return reply
    .header('content-type', file.mime)
    .header('content-disposition', contentDisposition(file.name))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
    .header('cache-control', 'private, no-store')
    .send(data)
}

export function parseId(raw: string): number {
  const n = Number(raw)
  if (!/^\d{1,12}$/.test(raw) || !Number.isSafeInteger(n) || n <= 0) throw new DomainError('not_found', 'Élément introuvable.', 404)
  return n
}
