import type { FastifyInstance } from 'fastify'
import { DOWNLOAD_KINDS, type DownloadKind } from '@shared/contract/family-file-routes'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { resolveDownload } from '../documents/downloads'
import { receiveUpload } from '../documents/uploads'
import { exportFamilyData, exportFamilyPdf } from '../rgpd/export'
import type { StaffActor } from '../rpc/types'
import { parseId, readSingleFile, registerFileSession, sendFile } from './file-routes'

export interface StaffFilesOptions {
  core: Core
  /** The session cookie of the listener (loopback and LAN cookies differ). */
  cookieName: string
  secret: string
  resolveActor(token: string | null): Promise<StaffActor | null>
}

const forbidden = () => new DomainError('forbidden_role', 'Votre rôle ne permet pas cette action.', 403)

/** The headless back-office's file routes; the Electron window uses the `files-upload` / `files-fetch` procedures instead. */
export async function staffFilesPlugin(app: FastifyInstance, opts: StaffFilesOptions): Promise<void> {
  const { core } = opts
  const staff = await registerFileSession(app, { cookieName: opts.cookieName, secret: opts.secret, resolveActor: opts.resolveActor })

  app.post('/api/staff/files/upload', { onRequest: app.csrfProtection, bodyLimit: 7 * 1024 * 1024 }, async (req, reply) => {
    const actor = await staff(req)
    if (actor.role === 'animateur') throw forbidden()
    const f = await readSingleFile(req)
    reply.header('cache-control', 'no-store')
    return receiveUpload(core, actor, f.name, f.data)
  })

  app.get<{ Params: { familyId: string; format: string } }>('/api/staff/files/export/:familyId/:format', async (req, reply) => {
    const actor = await staff(req)
    if (actor.role !== 'direction' && actor.role !== 'accueil') throw forbidden()
    const familyId = parseId(req.params.familyId)
    if (req.params.format === 'json') {
      const data = Buffer.from(JSON.stringify(await exportFamilyData(core, familyId), null, 2), 'utf8')
      return sendFile(reply, { name: `donnees-famille-${familyId}.json`, mime: 'application/json; charset=utf-8' }, data)
    }
    if (req.params.format === 'pdf') return sendFile(reply, { name: `donnees-famille-${familyId}.pdf`, mime: 'application/pdf' }, await exportFamilyPdf(core, familyId))
    throw new DomainError('not_found', 'Élément introuvable.', 404)
  })

  app.get<{ Params: { kind: string; id: string } }>('/api/staff/files/:kind/:id', async (req, reply) => {
    const actor = await staff(req)
    if (!(DOWNLOAD_KINDS as readonly string[]).includes(req.params.kind)) throw new DomainError('not_found', 'Élément introuvable.', 404)
    const { file, data } = await resolveDownload(core, null, req.params.kind as DownloadKind, parseId(req.params.id), actor.role)
    return sendFile(reply, file, data)
  })
}
