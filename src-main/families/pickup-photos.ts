import { In, type EntityManager } from 'typeorm'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { StoredFile } from '../documents/entities'
import { claimUploads, readStoredFile, unlinkAfterCommit } from '../documents/storage'
import type { StaffActor } from '../rpc/types'
import { PickupPersonRow } from './file-entities'

/** A face to recognise, not a document: a photo of a phone's camera, cropped or not, fits well below this. */
export const MAX_PICKUP_PHOTO_BYTES = 2 * 1024 * 1024
const PHOTO_TYPES = ['image/jpeg', 'image/png']

/** The same person across saves of the list (which rewrites it whole): their name, case and spaces aside. */
export const pickupKey = (name: string) => name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('fr')

/** The photos of a child's pickup persons by name, so a rewritten list keeps them (families/file.ts). */
export async function pickupPhotosByName(m: EntityManager, childId: number): Promise<Map<string, number>> {
  const rows = await m.find(PickupPersonRow, { where: { childId } })
  return new Map(rows.filter((r) => r.photoFileId).map((r) => [pickupKey(r.name), r.photoFileId!]))
}

/** Deletes photos no pickup person uses any more: their rows now, their files from disk once that is committed. */
export async function dropPickupPhotos(m: EntityManager, core: Core, fileIds: number[]): Promise<void> {
  if (!fileIds.length) return
  const files = await m.findBy(StoredFile, { id: In(fileIds) })
  await m.delete(StoredFile, { id: In(fileIds) })
  unlinkAfterCommit(core, files.map((f) => f.storageName))
}

export async function listPickupPhotos(core: Core, childId: number) {
  const rows = await core.tx.read((m) => m.find(PickupPersonRow, { where: { childId }, order: { position: 'ASC', id: 'ASC' } }))
  return rows.map((r) => ({ pickupId: r.id, name: r.name, relationship: r.relationship, hasPhoto: r.photoFileId !== null }))
}

/**
 * Sets (or, with `uploadId` null, removes) the photo of a person allowed to
 * pick a child up. The upload (files-upload or POST /api/staff/files/upload)
 * was checked by its content; here it must be a JPEG or PNG of at most 2 Mo.
 * The previous photo's file is removed once the change is committed.
 */
export async function setPickupPhoto(core: Core, actor: StaffActor, input: { pickupId: number; uploadId: number | null }): Promise<{ ok: true }> {
  await core.tx.run(async (m) => {
    const p = await m.findOneBy(PickupPersonRow, { id: input.pickupId })
    if (!p) throw notFound('Personne autorisée')
    let fileId: number | null = null
    if (input.uploadId !== null) {
      const [f] = await claimUploads(m, [input.uploadId], null)
      if (!PHOTO_TYPES.includes(f.mime)) throw new DomainError('bad_file', `« ${f.name} » n’est pas une photo : envoyez une image JPEG ou PNG.`, 400)
      if (f.size > MAX_PICKUP_PHOTO_BYTES) throw new DomainError('bad_file', `La photo « ${f.name} » dépasse 2 Mo : envoyez une image plus petite.`, 400)
      fileId = f.id
    }
    const previous = p.photoFileId ? await m.findOneBy(StoredFile, { id: p.photoFileId }) : null
    await m.update(PickupPersonRow, { id: p.id }, { photoFileId: fileId })
    if (previous) {
      await m.delete(StoredFile, { id: previous.id })
      unlinkAfterCommit(core, [previous.storageName])
    }
    await audit(m, actor, core.clock.now(), {
      action: fileId ? 'pickup-photo-set' : 'pickup-photo-remove',
      entity: 'child',
      entityId: p.childId,
      before: { pickup: p.name, photoFileId: p.photoFileId },
      after: { pickup: p.name, photoFileId: fileId }
    })
  })
  return { ok: true }
}

/** The photo of a pickup person, for staff only (no portal procedure or route serves it). */
export async function pickupPhoto(core: Core, pickupId: number): Promise<{ mime: string; contentBase64: string }> {
  const f = await core.tx.read(async (m) => {
    const p = await m.findOneBy(PickupPersonRow, { id: pickupId })
    return p?.photoFileId ? m.findOneBy(StoredFile, { id: p.photoFileId }) : null
  })
  if (!f) throw notFound('Photo')
  return { mime: f.mime, contentBase64: readStoredFile(core, f).toString('base64') }
}
