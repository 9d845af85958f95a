import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileTypeFromBuffer } from 'file-type'
import type { EntityManager } from 'typeorm'
import { MAX_UPLOAD_BYTES } from '@shared/contract/family-file-shapes'
import { BIDI_ERROR, hasBidiControl, hasInvisible, withoutInvisible } from '@shared/validators'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { afterCommit } from '../db/transaction'
import { StoredFile } from './entities'

const MAX_NAME = 150
/** Windows device names: a file called "CON" or "nul.pdf" cannot be saved on a desk PC. */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i
const FORBIDDEN = /[<>:"|?*]/

/** Detected content → extension we accept and the names it may carry. */
const ACCEPTED: Record<string, { ext: string; accepts: string[]; label: string }> = {
  'application/pdf': { ext: 'pdf', accepts: ['pdf'], label: 'PDF' },
  'image/jpeg': { ext: 'jpg', accepts: ['jpg', 'jpeg'], label: 'JPEG' },
  'image/png': { ext: 'png', accepts: ['png'], label: 'PNG' }
}

function refuse(message: string): never {
  throw new DomainError('bad_file', message, 400)
}

/** A safe excerpt of a hostile name for a message (the UIs render it as text anyway). */
function shown(name: string): string {
  const clean = withoutInvisible(name).slice(0, 60)
  return clean.length < name.length ? `${clean}…` : clean
}

/**
 * Checks an uploaded name. Hostile names are refused, not repaired, so the
 * family sees what it sent is not what we would keep.
 */
export function checkFileName(raw: string): string {
  const name = raw.normalize('NFC')
  if (!name.trim()) refuse('Le fichier n’a pas de nom : renommez-le puis recommencez.')
  if (name.length > MAX_NAME) refuse(`Le nom du fichier est trop long (${name.length} caractères, ${MAX_NAME} au maximum) : renommez-le puis recommencez.`)
  if (hasBidiControl(name)) refuse(`Le nom du fichier ${BIDI_ERROR} : renommez-le puis recommencez.`)
  if (hasInvisible(name)) refuse('Le nom du fichier contient des caractères invisibles : renommez-le puis recommencez.')
  if (/[/\\]/.test(name) || name.startsWith('.')) refuse(`Le nom « ${shown(name)} » contient un chemin de dossier (/, \\ ou ..) : envoyez le fichier lui-même, sous un nom simple.`)
  if (FORBIDDEN.test(name)) refuse(`Le nom « ${shown(name)} » contient un caractère interdit (< > : " | ? *) : renommez le fichier.`)
  if (RESERVED.test(name)) refuse(`Le nom « ${shown(name)} » est réservé par Windows : renommez le fichier (par exemple « document.pdf »).`)
  if (/[ .]$/.test(name)) refuse('Le nom du fichier ne doit pas finir par un point ou une espace : renommez-le.')
  return name
}

export interface CheckedFile {
  name: string
  mime: string
  size: number
  sha256: string
}

/**
 * Checks a file before anything is written: name, size, and type read from
 * the content (file-type), never from the name or the browser's header. A
 * PDF sent as "scan.png" keeps its name but gets the right extension.
 */
export async function checkUpload(rawName: string, data: Buffer): Promise<CheckedFile> {
  const name = checkFileName(rawName)
  if (data.length === 0) refuse(`Le fichier « ${shown(name)} » est vide.`)
  if (data.length > MAX_UPLOAD_BYTES) refuse(`Le fichier « ${shown(name)} » dépasse la taille maximale de 6 Mo.`)
  const detected = await fileTypeFromBuffer(data)
  const kind = detected ? ACCEPTED[detected.mime] : undefined
  if (!detected || !kind) {
    refuse(`Le fichier « ${shown(name)} » n’est ni un PDF, ni une image JPEG ou PNG (son contenu a été vérifié). Seuls ces formats sont acceptés.`)
  }
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : ''
  const base = dot > 0 ? name.slice(0, dot) : name
  const finalName = kind.accepts.includes(ext) ? name : `${base}.${kind.ext}`
  if (RESERVED.test(base)) refuse(`Le nom « ${shown(name)} » est réservé par Windows : renommez le fichier.`)
  return { name: finalName, mime: detected.mime, size: data.length, sha256: createHash('sha256').update(data).digest('hex') }
}

export function diskPath(core: Core, storageName: string): string {
  // Two-letter fan-out keeps directories small at commune scale.
  return join(core.paths.documentsDir, storageName.slice(0, 2), storageName)
}

export interface StageInput {
  name: string
  data: Buffer
  /** The family the upload belongs to (null for staff uploads). */
  ownerFamilyId: number | null
}

/** Staged uploads a family may keep before using them (bounds disk use by one account). */
export const MAX_STAGED_PER_FAMILY = 12

/**
 * Stores an uploaded file as "staged": checked, written under a random name,
 * recorded with its hash. It is attached later by the message, document or
 * news item that uses it. If the row cannot be written the file is removed,
 * so a refusal leaves nothing on disk.
 */
export async function stageUpload(core: Core, actor: Actor, input: StageInput): Promise<StoredFile> {
  const checked = await checkUpload(input.name, input.data)
  if (input.ownerFamilyId !== null) {
    const staged = await core.tx.read((m) => m.countBy(StoredFile, { ownerFamilyId: input.ownerFamilyId!, staged: true }))
    if (staged >= MAX_STAGED_PER_FAMILY) {
      refuse('Trop de fichiers en attente d’envoi : envoyez ou abandonnez d’abord votre message en cours, puis réessayez.')
    }
  }
  const storageName = randomBytes(16).toString('hex')
  const path = diskPath(core, storageName)
  mkdirSync(join(core.paths.documentsDir, storageName.slice(0, 2)), { recursive: true })
  writeFileSync(path, input.data, { mode: 0o600, flag: 'wx' })
  try {
    return await core.tx.run(async (m) => {
      const f = await m.save(
        StoredFile,
        Object.assign(new StoredFile(), {
          storageName,
          ...checked,
          ownerFamilyId: input.ownerFamilyId,
          uploadedByKind: actor.kind,
          uploadedById: actor.id,
          staged: true,
          createdAt: core.clock.now().toISOString()
        })
      )
      await audit(m, actor, core.clock.now(), {
        action: 'file-upload',
        entity: 'stored_file',
        entityId: f.id,
        after: { name: f.name, mime: f.mime, size: f.size, sha256: f.sha256 }
      })
      return f
    })
  } catch (e) {
    rmSync(path, { force: true })
    throw e
  }
}

/**
 * Takes staged uploads for use by a message, document or news item (in the
 * caller's transaction). Each must be staged and, for a family, its own.
 */
export async function claimUploads(m: EntityManager, ids: number[], ownerFamilyId: number | null): Promise<StoredFile[]> {
  const out: StoredFile[] = []
  for (const id of [...new Set(ids)]) {
    const f = await m.findOneBy(StoredFile, { id })
    // "Not yours" and "already used" get the same answer as "does not exist".
    if (!f || !f.staged || (ownerFamilyId !== null && f.ownerFamilyId !== ownerFamilyId)) throw notFound('Fichier')
    f.staged = false
    await m.update(StoredFile, { id }, { staged: false })
    out.push(f)
  }
  return out
}

export function readStoredFile(core: Core, f: StoredFile): Buffer {
  return readFileSync(diskPath(core, f.storageName))
}

/** Removes files from disk now: for files no row ever named (or outside any transaction). */
export function unlinkStoredFiles(core: Core, storageNames: string[]): void {
  for (const s of storageNames) rmSync(diskPath(core, s), { force: true })
}

/**
 * Removes files from disk once the running transaction commits (never if it rolls back): the way to drop a file whose
 * `stored_file` row the transaction deletes. Waiting for the outermost COMMIT matters when the caller's transaction is
 * nested in another one that may still fail.
 */
export function unlinkAfterCommit(core: Core, storageNames: string[]): void {
  if (storageNames.length) afterCommit(() => unlinkStoredFiles(core, storageNames))
}

/** Drops staged uploads older than `maxAgeMs` (an abandoned message form). */
export async function sweepStagedUploads(core: Core, maxAgeMs = 24 * 3600 * 1000): Promise<number> {
  const cutoff = new Date(core.clock.now().getTime() - maxAgeMs).toISOString()
  return core.tx.run(async (m) => {
    const rows = await m.createQueryBuilder(StoredFile, 'f').where('f.staged = 1 AND f.created_at < :c', { c: cutoff }).getMany()
    if (rows.length) await m.delete(StoredFile, rows.map((r) => r.id))
    unlinkAfterCommit(core, rows.map((r) => r.storageName))
    return rows.length
  })
}

export function fileRefDto(f: StoredFile) {
  return { id: f.id, name: f.name, size: f.size, mime: f.mime }
}
