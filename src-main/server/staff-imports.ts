import type { FastifyInstance } from 'fastify'
import { IMPORT_MAX_BYTES } from '@shared/contract/imports-shapes'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { receiveImportUpload, tooLarge } from '../imports/uploads'
import type { StaffActor } from '../rpc/types'
import { registerFileSession } from './file-routes'

export interface StaffImportsOptions {
  core: Core
  /** The listener's staff cookie (loopback or LAN). */
  cookieName: string
  secret: string
  resolveActor(token: string | null): Promise<StaffActor | null>
}

/**
 * The import upload of the headless back-office (the Electron window uses
 * `imports-upload`): one file up to IMPORT_MAX_BYTES, larger ones refused
 * with a 413 and a French message before they are read in full.
 */
export async function staffImportsPlugin(app: FastifyInstance, opts: StaffImportsOptions): Promise<void> {
  const staff = await registerFileSession(app, { cookieName: opts.cookieName, secret: opts.secret, resolveActor: opts.resolveActor })

  app.post('/api/staff/imports/upload', { onRequest: app.csrfProtection, bodyLimit: IMPORT_MAX_BYTES + 1024 * 1024 }, async (req, reply) => {
    const actor = await staff(req)
    if (actor.role !== 'direction') throw new DomainError('forbidden_role', 'Votre rôle ne permet pas cette action.', 403)
    if (!req.isMultipart()) throw new DomainError('bad_upload', 'Envoi de fichier invalide : utilisez le bouton « Importer un fichier ».', 400)
    const declared = Number(req.headers['content-length'] ?? 0)
    let name = ''
    try {
      const part = await req.file({ limits: { fileSize: IMPORT_MAX_BYTES, files: 1 } })
      if (!part || part.fieldname !== 'file') throw new DomainError('no_file', 'Aucun fichier reçu : choisissez un fichier puis recommencez.', 400)
      name = part.filename
      const data = await part.toBuffer()
      reply.header('cache-control', 'no-store')
      return await receiveImportUpload(opts.core, actor, part.filename, data)
    } catch (e) {
      if (e instanceof DomainError) throw e
      const code = (e as { code?: string }).code
      if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_ERR_CTP_BODY_TOO_LARGE' || declared > IMPORT_MAX_BYTES + 1024 * 1024) throw tooLarge(name || 'envoyé')
      throw new DomainError('bad_upload', 'Envoi de fichier interrompu ou invalide : réessayez.', 400)
    }
  })
}
