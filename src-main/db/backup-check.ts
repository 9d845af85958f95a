import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import { Worker } from 'node:worker_threads'
import { READER_CACHE_KIB } from './reader'
import Database from 'better-sqlite3'
import { DomainError } from '../core/errors'
import { migrations } from './migrations'

/** Tables whose rows are counted in every backup and compared with the database they were copied from. */
export const MAIN_TABLES = ['family', 'person', 'child', 'portal_account', 'staff_user', 'request', 'enrolment', 'booking', 'invoice', 'payment', 'audit_entry']

/** Tables every Ribambelle database has had since its first migration: without them, the file is someone else's. */
const FOUNDATION_TABLES = ['migrations', 'structure', 'setting', 'staff_user', 'family', 'person', 'child', 'audit_entry']

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1')
export const ENCRYPTED_MAGIC = Buffer.from('RIBBKENC', 'latin1')
/** Sizes of an encrypted copy's header and GCM tag (format in backup-crypto.ts). */
export const ENCRYPTED_HEADER_LEN = 203
export const ENCRYPTED_TAG_LEN = 16

export interface BackupFacts {
  /** Migrations applied in the copy, oldest first. */
  migrations: string[]
  /** Row counts of the MAIN_TABLES the copy has. */
  counts: Record<string, number>
}

/**
 * Why a file is refused as a backup: `code` is stable for programs and tests; the message is French.
 * backup_missing, backup_empty, backup_not_sqlite, backup_encrypted, backup_incomplete, backup_corrupt, backup_not_ribambelle, backup_newer.
 */
export const invalidBackup = (message: string, code = 'backup_invalid') => new DomainError(code, message, 422)
export const DAMAGE_CODES = ['backup_empty', 'backup_not_sqlite', 'backup_incomplete', 'backup_corrupt']

function readHead(file: string, length: number): Buffer {
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.alloc(length)
    const n = readSync(fd, buf, 0, length, 0)
    return buf.subarray(0, n)
  } finally {
    closeSync(fd)
  }
}

export function isEncryptedBackup(file: string): boolean {
  return existsSync(file) && readHead(file, ENCRYPTED_MAGIC.length).equals(ENCRYPTED_MAGIC)
}

/**
 * The cheap checks, on the first 100 bytes only: not empty, a SQLite file,
 * and as long as its own header says (a copy cut short by a crash or a full
 * disk is shorter). Returns the French problem, or null.
 */
export function sqliteFileProblem(file: string, label = basename(file)): { code: string; message: string } | null {
  if (!existsSync(file)) return { code: 'backup_missing', message: `Sauvegarde introuvable : ${label}.` }
  const size = statSync(file).size
  if (size === 0) return { code: 'backup_empty', message: `Le fichier ${label} est vide : ce n’est pas une sauvegarde utilisable.` }
  const head = readHead(file, 100)
  if (head.length < 100 || !head.subarray(0, 16).equals(SQLITE_MAGIC)) {
    if (head.subarray(0, ENCRYPTED_MAGIC.length).equals(ENCRYPTED_MAGIC)) {
      return { code: 'backup_encrypted', message: `Le fichier ${label} est une copie chiffrée : il faut sa phrase de passe pour la lire.` }
    }
    return { code: 'backup_not_sqlite', message: `Le fichier ${label} n’est pas une base de données SQLite : ce n’est pas une sauvegarde de Ribambelle.` }
  }
  // Header fields (sqlite.org/fileformat.html): page size at 16 (1 means 65,536), change counter at 24,
  // size in pages at 28, valid only when "version-valid-for" at 92 equals the change counter.
  const pageSize = head.readUInt16BE(16) === 1 ? 65536 : head.readUInt16BE(16)
  const pages = head.readUInt32BE(28)
  if (head.readUInt32BE(24) === head.readUInt32BE(92) && size < pageSize * pages) {
    return { code: 'backup_incomplete', message: `La sauvegarde ${label} est incomplète : le fichier s’arrête avant la fin de la base (copie interrompue ?).` }
  }
  return null
}

/** The cheap check of an encrypted copy: its magic, and long enough for a header, some data and a tag. */
export function encryptedFileProblem(file: string): string | null {
  if (!existsSync(file)) return 'introuvable'
  if (statSync(file).size <= ENCRYPTED_HEADER_LEN + ENCRYPTED_TAG_LEN) return 'trop court'
  return isEncryptedBackup(file) ? null : 'pas une copie chiffrée'
}

function tableNames(db: Database.Database): Set<string> {
  return new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name))
}

/** Row counts of the main tables that `db` has (an older database may lack the later ones). */
export function countMainTables(db: Database.Database): Record<string, number> {
  const present = tableNames(db)
  const counts: Record<string, number> = {}
  for (const t of MAIN_TABLES) if (present.has(t)) counts[t] = (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n
  return counts
}

/**
 * The full check of a backup, made on every copy before it gets a backup
 * name and on every file before a restore. Each refusal is a French
 * DomainError; SQLite's own English text never reaches the user.
 *   - the cheap header checks above;
 *   - PRAGMA integrity_check;
 *   - Ribambelle's schema: the migrations table and the foundation tables;
 *   - no migration this version does not know (a newer version's backup);
 *   - the main tables can be counted, and match `expectedCounts` when given.
 */
export async function inspectBackup(file: string, opts: { label?: string; expectedCounts?: Record<string, number> } = {}): Promise<BackupFacts> {
  const label = opts.label ?? basename(file)
  const problem = sqliteFileProblem(file, label)
  if (problem) throw invalidBackup(problem.message, problem.code)
  const problems = await integrityProblems(file)
  let db: Database.Database
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
  } catch {
    throw invalidBackup(`La sauvegarde ${label} ne peut pas être ouverte : le fichier est illisible ou endommagé.`, 'backup_corrupt')
  }
  try {
    if (problems > 0) {
      throw invalidBackup(
        `La sauvegarde ${label} est corrompue : le contrôle d’intégrité y trouve ${problems === 1 ? 'une anomalie' : `${problems} anomalies`}. Choisissez une autre sauvegarde.`,
        'backup_corrupt'
      )
    }
    const tables = tableNames(db)
    const missing = FOUNDATION_TABLES.filter((t) => !tables.has(t))
    if (missing.length > 0) {
      throw invalidBackup(`Le fichier ${label} n’est pas une sauvegarde de Ribambelle : il lui manque ${missing.length === 1 ? 'la table' : 'les tables'} ${missing.join(', ')}.`, 'backup_not_ribambelle')
    }
    const applied = (db.prepare('SELECT name FROM migrations ORDER BY id').all() as { name: string }[]).map((r) => r.name)
    const known = new Set(migrations.map((M) => M.name))
    const unknown = applied.filter((n) => !known.has(n))
    if (applied.length === 0 || applied[0] !== migrations[0].name) {
      throw invalidBackup(`Le fichier ${label} n’est pas une sauvegarde de Ribambelle : sa base n’a pas été créée par Ribambelle.`, 'backup_not_ribambelle')
    }
    if (unknown.length > 0) {
      const position = (n: string) => Number(/(\d{13})$/.exec(n)?.[1] ?? 0)
      if (unknown.some((n) => position(n) > migrations.length)) {
        throw invalidBackup(
          `La sauvegarde ${label} vient d’une version plus récente de Ribambelle (sa base est à l’évolution ${Math.max(...applied.map(position))}, cette version s’arrête à ${migrations.length}). Installez la version à jour avant de la restaurer.`,
          'backup_newer'
        )
      }
      throw invalidBackup(`La sauvegarde ${label} a une structure de base que cette version de Ribambelle ne connaît pas (${unknown.join(', ')}).`, 'backup_not_ribambelle')
    }
    let counts: Record<string, number>
    try {
      counts = countMainTables(db)
    } catch {
      throw invalidBackup(`La sauvegarde ${label} est corrompue : ses tables principales ne peuvent pas être lues.`, 'backup_corrupt')
    }
    if (opts.expectedCounts) {
      const differ = Object.keys(opts.expectedCounts).filter((t) => counts[t] !== opts.expectedCounts![t])
      if (differ.length > 0) {
        throw invalidBackup(`La sauvegarde ${label} est incomplète : ${differ.map((t) => `${t} ${counts[t] ?? 0} lignes au lieu de ${opts.expectedCounts![t]}`).join(', ')}.`, 'backup_incomplete')
      }
    }
    return { migrations: applied, counts }
  } finally {
    db.close()
  }
}

/**
 * PRAGMA integrity_check in a worker thread: it reads every page (about 8 s
 * for a 165 MB database on a busy office PC), and on the main thread it
 * would freeze the portal and the back-office for that long at each daily
 * backup. Returns the number of problems; a file SQLite cannot even read
 * counts as one.
 */
function integrityProblems(file: string): Promise<number> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads')
    const Database = require(workerData.sqlite)
    let db = null
    try {
      db = new Database(workerData.file, { readonly: true, fileMustExist: true })
      // Each page is read once: SQLite's 16 MB page cache would only add to the process's peak (see reader.ts).
      db.pragma('cache_size = -' + workerData.cacheKib)
      const rows = db.pragma('integrity_check')
      parentPort.postMessage(rows.filter((r) => r.integrity_check !== 'ok').length)
    } catch {
      parentPort.postMessage(1)
    } finally {
      if (db) db.close()
    }`
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { file, sqlite: require.resolve('better-sqlite3'), cacheKib: READER_CACHE_KIB } })
    worker.once('message', (n: number) => resolve(n))
    worker.once('error', reject)
    worker.once('exit', (c) => c !== 0 && reject(new Error(`integrity check worker exited with ${c}`)))
  })
}

/** integrity_check on its own ("ok" or the problems): for tests and diagnostics. */
export function integrityCheck(file: string): string {
  let db: Database.Database | null = null
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ')
  } catch (e) {
    return (e as Error).message
  } finally {
    db?.close()
  }
}
