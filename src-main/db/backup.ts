import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import Database from 'better-sqlite3'
import { format } from 'date-fns'

export interface BackupInfo {
  file: string
  name: string
  reason: string
  sizeBytes: number
  createdAt: string
}

const PATTERN = /^ribambelle-(\d{8}-\d{6}-\d{3})-([a-z-]+)\.sqlite$/

/** Opens the copy on its own and runs PRAGMA integrity_check; returns "ok" or the first problems. */
export function integrityCheck(file: string): string {
  // A badly damaged file makes SQLite throw ("database disk image is
  // malformed", "file is not a database") instead of listing problems: that
  // is a failed check too, not a crash with an English message.
  let db: Database.Database | null = null
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    const rows = db.pragma('integrity_check') as { integrity_check: string }[]
    return rows.map((r) => r.integrity_check).join('; ')
  } catch (e) {
    return (e as Error).message
  } finally {
    db?.close()
  }
}

/**
 * Online backup with SQLite's backup API (consistent even while the app
 * writes), then an integrity check on the copy. A copy that fails the check is
 * deleted and the error thrown, so a bad backup is never kept as "good".
 */
export async function backupDatabase(
  db: Database.Database,
  dir: string,
  reason: string,
  keep = 30,
  now = new Date()
): Promise<BackupInfo> {
  mkdirSync(dir, { recursive: true })
  const name = `ribambelle-${format(now, 'yyyyMMdd-HHmmss-SSS')}-${reason}.sqlite`
  const file = join(dir, name)
  await db.backup(file)
  const check = integrityCheck(file)
  if (check !== 'ok') {
    rmSync(file, { force: true })
    throw new Error(`Sauvegarde corrompue (${check})`)
  }
  rotateBackups(dir, keep)
  return { file, name, reason, sizeBytes: statSync(file).size, createdAt: now.toISOString() }
}

export function listBackups(dir: string): BackupInfo[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .map((name) => ({ name, m: PATTERN.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => !!x.m)
    .map(({ name, m }) => {
      const file = join(dir, name)
      const st = statSync(file)
      return { file, name, reason: m[2], sizeBytes: st.size, createdAt: st.mtime.toISOString() }
    })
    .sort((a, b) => b.name.localeCompare(a.name))
}

/** Keeps the newest `keep` backups. */
export function rotateBackups(dir: string, keep: number): void {
  for (const old of listBackups(dir).slice(keep)) rmSync(old.file, { force: true })
}

/**
 * Replaces the database file by a backup. The app must be stopped. The backup
 * is checked first, and the current database is itself saved as
 * "pre-restore" so a restore can be undone.
 */
export async function restoreDatabase(dbFile: string, backupFile: string, backupDir: string): Promise<BackupInfo | null> {
  if (!existsSync(backupFile)) throw new Error(`Sauvegarde introuvable : ${backupFile}`)
  const check = integrityCheck(backupFile)
  if (check !== 'ok') throw new Error(`La sauvegarde ${basename(backupFile)} est corrompue : ${check}`)
  let saved: BackupInfo | null = null
  if (existsSync(dbFile)) {
    const current = new Database(dbFile)
    try {
      saved = await backupDatabase(current, backupDir, 'pre-restore', 1000)
    } finally {
      current.close()
    }
  }
  for (const suffix of ['-wal', '-shm']) rmSync(dbFile + suffix, { force: true })
  copyFileSync(backupFile, dbFile)
  return saved
}
