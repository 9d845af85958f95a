import type { FastifyInstance } from 'fastify'
import { DOWNLOAD_KINDS, type DownloadKind } from '@shared/contract/family-file-routes'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { audit } from '../audit/audit'
import { resolveDownload } from '../documents/downloads'
import { receiveUpload } from '../documents/uploads'
import { sweepStagedUploads } from '../documents/storage'
import { Family } from '../families/entities'
import { exportFamilyData, exportFamilyPdf } from '../rgpd/export'
import type { FamilyActor } from '../rpc/types'
import { parseId, readSingleFile, registerFileSession, sendFile } from './file-routes'

export interface PortalFilesOptions {
  core: Core
  secret: string
  resolveActor(token: string | null): Promise<FamilyActor | null>
}

/**
 * The portal's file routes (see family-file-routes.ts): upload with CSRF,
 * downloads of the family's own files only, and the RGPD export.
 */
export async function portalFilesPlugin(app: FastifyInstance, opts: PortalFilesOptions): Promise<void> {
  const { core } = opts
  const family = await registerFileSession(app, { cookieName: 'rb_portal', secret: opts.secret, resolveActor: opts.resolveActor })

  // Uploads attached to nothing after a day (an abandoned message form) are removed, hourly.
  const sweep = setInterval(() => {
    sweepStagedUploads(core).catch((e) => core.options.log(`Nettoyage des fichiers en attente : ${(e as Error).message}`))
  }, 3600_000)
  sweep.unref()
  app.addHook('onClose', async () => clearInterval(sweep))

  app.post('/api/portal/files/upload', { onRequest: app.csrfProtection, bodyLimit: 7 * 1024 * 1024 }, async (req, reply) => {
    const actor = await family(req)
    const f = await readSingleFile(req)
    reply.header('cache-control', 'no-store')
    return receiveUpload(core, actor, f.name, f.data)
  })

  const exportAudit = async (actor: FamilyActor, format: string) =>
    core.tx.run((m) => audit(m, actor, core.clock.now(), { action: 'rgpd-export', entity: 'family', entityId: actor.familyId, after: { format } }))

  const number = async (familyId: number) => (await core.tx.read((m) => m.findOneBy(Family, { id: familyId })))?.number ?? familyId

  app.get('/api/portal/files/export.json', async (req, reply) => {
    const actor = await family(req)
    const data = Buffer.from(JSON.stringify(await exportFamilyData(core, actor.familyId), null, 2), 'utf8')
    await exportAudit(actor, 'json')
    return sendFile(reply, { name: `mes-donnees-famille-${await number(actor.familyId)}.json`, mime: 'application/json; charset=utf-8' }, data)
  })

  app.get('/api/portal/files/export.pdf', async (req, reply) => {
    const actor = await family(req)
    const data = await exportFamilyPdf(core, actor.familyId)
    await exportAudit(actor, 'pdf')
    return sendFile(reply, { name: `mes-donnees-famille-${await number(actor.familyId)}.pdf`, mime: 'application/pdf' }, data)
  })

  app.get<{ Params: { kind: string; id: string } }>('/api/portal/files/:kind/:id', async (req, reply) => {
    const actor = await family(req)
    if (!(DOWNLOAD_KINDS as readonly string[]).includes(req.params.kind)) throw new DomainError('not_found', 'Élément introuvable.', 404)
    const { file, data } = await resolveDownload(core, actor.familyId, req.params.kind as DownloadKind, parseId(req.params.id))
    return sendFile(reply, file, data)
  })
}
