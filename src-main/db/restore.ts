import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import Database from 'better-sqlite3'
import { format } from 'date-fns'
import { DomainError } from '../core/errors'
import { backupDatabase, type BackupInfo } from './backup'
import { DAMAGE_CODES, inspectBackup, invalidBackup, isEncryptedBackup } from './backup-check'
import { decryptBackup } from './backup-crypto'
import { lockDataDir } from './data-lock'
import { commitFile, fsyncDir, removeLeftovers, removeWithSidecars } from './durable-files'

export interface RestorePaths {
  dataDir: string
  dbFile: string
  backupDir: string
}

/** Moments of a restore, for the kill -9 tests. */
export type RestoreStage = 'checked' | 'saved' | 'before-swap' | 'after-swap'

export interface RestoreOptions {
  /** Asked only when the file is an encrypted copy. */
  passphrase?: () => Promise<string>
  now?: Date
  onStage?: (stage: RestoreStage) => void
}

export interface RestoreResult {
  /** The database as it was before, saved as a verified "pre-restore" backup. */
  saved: BackupInfo | null
  /** When the current database was too damaged to be backed up: where its files were put aside. */
  damaged: string | null
  counts: Record<string, number>
}

const TMP = 'ribambelle.sqlite.restore.tmp'
const LEFTOVER = /^ribambelle\.sqlite\.restore\.tmp(-journal|-wal|-shm)?$/

/** Removes what a crash during a restore left in the data directory (run at start and before a restore, with the directory locked). */
export function removeRestoreLeftovers(dataDir: string): string[] {
  return removeLeftovers(dataDir, (n) => LEFTOVER.test(n))
}

/** SQLite's own "this file is damaged" answers (the others, disk full included, refuse the restore and change nothing). */
function isDamage(e: unknown): boolean {
  if (e instanceof DomainError) return DAMAGE_CODES.includes(e.code)
  const code = (e as { code?: string }).code ?? ''
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'
}

/**
 * Saves the current database as a verified "pre-restore" backup, then
 * folds its WAL into the main file and leaves WAL mode, so that once closed
 * it is one self-contained file. A database too damaged to be backed up is
 * renamed aside with its WAL and journal instead: the restore is what the
 * structure needs then, and nothing is deleted.
 */
async function setCurrentAside(paths: RestorePaths, now: Date): Promise<{ saved: BackupInfo | null; damaged: string | null }> {
  let current: Database.Database | null = null
  try {
    current = new Database(paths.dbFile, { fileMustExist: true })
    const saved = await backupDatabase(current, paths.backupDir, 'pre-restore', 1000, now)
    current.pragma('wal_checkpoint(TRUNCATE)')
    current.pragma('journal_mode = DELETE')
    return { saved, damaged: null }
  } catch (e) {
    if (!isDamage(e)) throw e
    current?.close()
    current = null
    const aside = join(paths.dataDir, `ribambelle-endommagee-${format(now, 'yyyyMMdd-HHmmss')}.sqlite`)
    for (const suffix of ['-wal', '-journal']) if (existsSync(paths.dbFile + suffix)) renameSync(paths.dbFile + suffix, aside + suffix)
    renameSync(paths.dbFile, aside)
    rmSync(`${paths.dbFile}-shm`, { force: true })
    fsyncDir(paths.dataDir)
    return { saved: null, damaged: aside }
  } finally {
    current?.close()
  }
}

/**
 * Replaces the database by a backup (plain, or an encrypted copy with its
 * passphrase). Refused, with a French message, while Ribambelle or another
 * restore runs on this data directory (the lock is held throughout), and
 * for any file that fails the full backup check. The chosen file is copied
 * (or decrypted) into the data directory first and the check runs on that
 * copy: the bytes checked are the bytes installed.
 *
 * Crash-safe: until the final rename the database is the old one, whole
 * (a leftover temporary file is removed at the next start); the old WAL
 * and SHM files are gone before the rename, so SQLite can never replay the
 * old database's WAL onto the restored one.
 */
export async function restoreDatabase(paths: RestorePaths, source: string, opts: RestoreOptions = {}): Promise<RestoreResult> {
  const now = opts.now ?? new Date()
  const stage = opts.onStage ?? (() => {})
  const lock = lockDataDir(paths.dataDir, 'la restauration d’une sauvegarde (npm run db:restore)', 'restore', now)
  const tmp = join(paths.dataDir, TMP)
  try {
    removeRestoreLeftovers(paths.dataDir)
    if (!existsSync(source) || !statSync(source).isFile()) throw invalidBackup(`Sauvegarde introuvable : ${source}.`, 'backup_missing')
    const label = basename(source)
    if (isEncryptedBackup(source)) {
      if (!opts.passphrase) throw new DomainError('backup_encrypted', `La copie ${label} est chiffrée : il faut sa phrase de passe pour la restaurer.`, 422)
      await decryptBackup(source, tmp, await opts.passphrase())
    } else {
      copyFileSync(source, tmp)
    }
    const facts = await inspectBackup(tmp, { label })
    // A backup made by an older version may still say "WAL" in its header; the restored file stands alone.
    const restored = new Database(tmp)
    try {
      restored.pragma('journal_mode = DELETE')
    } finally {
      restored.close()
    }
    stage('checked')
    const existing = existsSync(paths.dbFile) && statSync(paths.dbFile).size > 0
    const { saved, damaged } = existing ? await setCurrentAside(paths, now) : { saved: null, damaged: null }
    stage('saved')
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(paths.dbFile + suffix, { force: true })
    stage('before-swap')
    await commitFile(tmp, paths.dbFile)
    stage('after-swap')
    return { saved, damaged, counts: facts.counts }
  } catch (e) {
    removeWithSidecars(tmp)
    throw e
  } finally {
    lock.release()
  }
}
