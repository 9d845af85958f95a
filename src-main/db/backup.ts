import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { format, parse } from 'date-fns'
import { countMainTables, encryptedFileProblem, inspectBackup, sqliteFileProblem } from './backup-check'
import { commitFile, fsyncDir, removeLeftovers, removeWithSidecars } from './durable-files'

export { integrityCheck } from './backup-check'

export interface BackupInfo {
  file: string
  name: string
  reason: string
  sizeBytes: number
  /** When the copy was made (from its name, so it survives being copied elsewhere). */
  createdAt: string
  /** An encrypted copy (second folder only): restorable with its passphrase. */
  encrypted: boolean
}

export interface BackupResult extends BackupInfo {
  /** Row counts of the main tables, equal in the copy and in the database at the moment of the copy. */
  counts: Record<string, number>
}

/**
 * Moments of a backup, for the kill -9 tests: a crash at any of them must
 * leave either no file under a backup name, or a verified one.
 */
export type BackupStage = 'before-copy' | 'copying' | 'before-rename' | 'after-rename'

export interface BackupOptions {
  /**
   * Runs the copy while no transaction is open on `db` (core.tx.exclusive):
   * SQLite refuses a backup step while its connection is mid-write, and
   * counting the rows before and after needs the database still.
   */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>
  onStage?: (stage: BackupStage) => void
  /** Pages copied per step (the event loop runs between steps). */
  stepPages?: number
}

const STAMP = 'yyyyMMdd-HHmmss-SSS'
const NAME = /^ribambelle-(\d{8}-\d{6}-\d{3})-([a-z-]+)\.sqlite(\.enc)?$/
/** A copy in progress, and the journal SQLite keeps beside it while it writes. Never listed; removed at start. */
const LEFTOVER = /^ribambelle-.*\.tmp(-journal|-wal|-shm)?$/

export function backupFileName(reason: string, at: Date): string {
  return `ribambelle-${format(at, STAMP)}-${reason}.sqlite`
}

/** Reason and date of a backup file name, or null when the name is not a backup's. */
export function parseBackupName(name: string): { reason: string; createdAt: Date; encrypted: boolean } | null {
  const m = NAME.exec(name)
  return m ? { reason: m[2], createdAt: parse(m[1], STAMP, new Date(0)), encrypted: !!m[3] } : null
}

/**
 * A backup that can be trusted, or none at all:
 *   1. SQLite's online backup API copies the database into `<name>.tmp`,
 *      while no transaction runs (so the copy is a committed state, and the
 *      row counts taken just before are the copy's);
 *   2. the copy is made a standalone file (rollback journal, not WAL);
 *   3. it is checked: integrity_check, Ribambelle's schema and migrations,
 *      the main tables' row counts equal to the source's;
 *   4. it is fsynced, renamed to its backup name, and the folder fsynced.
 * A crash before 4 leaves only a `.tmp` file, which no list shows and the
 * next start removes. Only then are the oldest backups rotated away.
 */
export async function backupDatabase(
  db: Database.Database,
  dir: string,
  reason: string,
  keep = 30,
  now = new Date(),
  opts: BackupOptions = {}
): Promise<BackupResult> {
  mkdirSync(dir, { recursive: true })
  const name = backupFileName(reason, now)
  const file = join(dir, name)
  const tmp = `${file}.tmp`
  const stage = opts.onStage ?? (() => {})
  const exclusive = opts.exclusive ?? ((work) => work())
  const step = opts.stepPages ?? 2048
  try {
    const expectedCounts = await exclusive(async () => {
      stage('before-copy')
      const counts = countMainTables(db)
      let copying = false
      await db.backup(tmp, {
        progress: ({ totalPages, remainingPages }) => {
          if (!copying && remainingPages < totalPages) {
            copying = true
            stage('copying')
          }
          return step
        }
      })
      return counts
    })
    const copy = new Database(tmp)
    try {
      copy.pragma('journal_mode = DELETE')
    } finally {
      copy.close()
    }
    const facts = await inspectBackup(tmp, { label: name, expectedCounts })
    stage('before-rename')
    await commitFile(tmp, file)
    stage('after-rename')
    rotateBackups(dir, keep)
    return { file, name, reason, sizeBytes: statSync(file).size, createdAt: now.toISOString(), encrypted: false, counts: facts.counts }
  } catch (e) {
    removeWithSidecars(tmp)
    throw e
  }
}

/**
 * The verified backups, newest first. A file under a backup name exists only
 * once its copy passed the full check (it is renamed last); the header check
 * here also drops what older versions could leave under such a name (the
 * 0-byte or cut-short file of a crash). In a second folder, the encrypted
 * copies (`.sqlite.enc`) are listed too.
 */
export function listBackups(dir: string): BackupInfo[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return []
  const out: BackupInfo[] = []
  for (const name of readdirSync(dir)) {
    const parsed = parseBackupName(name)
    if (!parsed) continue
    const file = join(dir, name)
    if ((parsed.encrypted ? encryptedFileProblem(file) : sqliteFileProblem(file)) !== null) continue
    out.push({ file, name, reason: parsed.reason, sizeBytes: statSync(file).size, createdAt: parsed.createdAt.toISOString(), encrypted: parsed.encrypted })
  }
  return out.sort((a, b) => b.name.localeCompare(a.name))
}

/** Keeps the newest `keep` verified backups. */
export function rotateBackups(dir: string, keep: number): void {
  const old = listBackups(dir).slice(keep)
  for (const b of old) rmSync(b.file, { force: true })
  if (old.length > 0) fsyncDir(dir)
}

/**
 * Removes what a crash during a backup left behind (run at start, with the
 * data directory locked): copies in progress, and the empty or cut-short
 * files an older version could leave under a backup name.
 */
export function removeBackupLeftovers(dir: string): string[] {
  return removeLeftovers(dir, (n) => LEFTOVER.test(n) || (parseBackupName(n)?.encrypted === false && sqliteFileProblem(join(dir, n)) !== null))
}
