import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { IMPORT_MAX_BYTES, IMPORT_MAX_LABEL, type ImportFormat, type ImportUploadInfoDto } from '@shared/contract/imports-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { checkFileName } from '../documents/storage'
import { stmt } from '../db/statements'
import { ImportUpload } from './entities'
import { inspectFile } from './source'

/** Files of imports: received uploads, and the private working copies a Noethys file is read from. */
export function importsDir(core: Core): string {
  return join(core.paths.dataDir, 'imports')
}

export function tooLarge(name: string): DomainError {
  return new DomainError(
    'too_large',
    `Le fichier « ${name.slice(0, 60)} » dépasse ${IMPORT_MAX_LABEL}, la taille maximale d’un import. Pour Noethys, envoyez la sauvegarde .nod (compressée) plutôt que le fichier _DATA.dat ; pour un tableur, enlevez les colonnes et onglets inutiles.`,
    413
  )
}

/** An upload waits a day for its import at most. */
const KEEP_MS = 24 * 3600 * 1000

/**
 * Receives a file to import: size and name checked, format recognised from
 * its bytes (and, for spreadsheets, read and its columns mapped) before it
 * is kept. A refusal leaves nothing on disk.
 */
export async function receiveImportUpload(core: Core, actor: Actor, rawName: string, data: Buffer): Promise<ImportUploadInfoDto> {
  if (data.length > IMPORT_MAX_BYTES) throw tooLarge(rawName)
  const name = checkFileName(rawName)
  if (data.length === 0) throw new DomainError('bad_import_file', `Le fichier « ${name} » est vide.`, 400)
  await sweepUploads(core)
  const storageName = randomBytes(16).toString('hex')
  const dir = importsDir(core)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const path = join(dir, storageName)
  writeFileSync(path, data, { mode: 0o600, flag: 'wx' })
  try {
    const inspected = await inspectFile(core, name, data)
    const now = core.clock.now().toISOString()
    const id = await core.tx.run(async (m) => {
      const r = await m.insert(ImportUpload, {
        storageName,
        name,
        size: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
        format: inspected.format,
        uploadedBy: actor.kind === 'staff' ? actor.id : null,
        createdAt: now
      })
      return Number(r.identifiers[0].id)
    })
    return { uploadId: id, name, size: data.length, format: inspected.format, needsPassword: inspected.format === 'noethys-encrypted', spreadsheet: inspected.spreadsheet }
  } catch (e) {
    rmSync(path, { force: true })
    throw e
  }
}

export interface StoredUpload {
  upload: ImportUpload
  data: Buffer
}

/** An upload and its bytes; only its sender may use it (another director starts their own). */
export function readUpload(core: Core, actor: Actor, uploadId: number): StoredUpload {
  const upload = stmt(core.snapshot, `SELECT id, storage_name AS storageName, name, size, sha256, format, uploaded_by AS uploadedBy, created_at AS createdAt FROM import_upload WHERE id = ?`).get(uploadId) as
    | ImportUpload
    | undefined
  if (!upload || (actor.kind === 'staff' && upload.uploadedBy !== actor.id)) {
    throw notFound('Fichier à importer (envoyé il y a plus d’un jour ?)')
  }
  let data: Buffer
  try {
    data = readFileSync(join(importsDir(core), upload.storageName))
  } catch {
    throw notFound('Fichier à importer')
  }
  return { upload: { ...upload, format: upload.format as ImportFormat }, data }
}

/** Drops uploads nobody imported within a day, and working copies left by a crash. */
export async function sweepUploads(core: Core): Promise<void> {
  const cutoff = new Date(core.clock.now().getTime() - KEEP_MS).toISOString()
  const old = await core.tx.run(async (m) => {
    const rows: { id: number; storage_name: string }[] = await m.query('SELECT id, storage_name FROM import_upload WHERE created_at < ?', [cutoff])
    if (rows.length) await m.query(`DELETE FROM import_upload WHERE id IN (${rows.map(() => '?').join(',')})`, rows.map((r) => r.id))
    return rows.map((r) => r.storage_name)
  })
  for (const s of old) rmSync(join(importsDir(core), s), { force: true })
}

/** Removes a used upload (after its import committed). */
export async function forgetUpload(core: Core, upload: ImportUpload): Promise<void> {
  await core.tx.run((m) => m.delete(ImportUpload, { id: upload.id }))
  rmSync(join(importsDir(core), upload.storageName), { force: true })
}
