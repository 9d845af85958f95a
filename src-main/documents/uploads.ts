import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { StoredFile } from './entities'
import { stageUpload, unlinkStoredFiles } from './storage'

/** Upload entry point shared by the multipart routes and the Electron procedure. */
export async function receiveUpload(core: Core, actor: Actor, name: string, data: Buffer) {
  const ownerFamilyId = actor.kind === 'family' ? actor.familyId : null
  const f = await stageUpload(core, actor, { name, data, ownerFamilyId })
  return { uploadId: f.id, name: f.name, size: f.size, mime: f.mime }
}

/** Removes a staged upload its owner no longer wants (an attachment removed before sending). */
export async function discardUpload(core: Core, actor: Actor, uploadId: number): Promise<void> {
  const name = await core.tx.run(async (m) => {
    const f = await m.findOneBy(StoredFile, { id: uploadId })
    const familyId = actor.kind === 'family' ? actor.familyId : null
    if (!f || !f.staged || (familyId !== null && f.ownerFamilyId !== familyId)) throw notFound('Fichier')
    await m.delete(StoredFile, { id: f.id })
    await audit(m, actor, core.clock.now(), { action: 'file-discard', entity: 'stored_file', entityId: f.id })
    return f.storageName
  })
  unlinkStoredFiles(core, [name])
}
