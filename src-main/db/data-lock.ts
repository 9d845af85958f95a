import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { frenchDateTime } from '../core/clock'
import { DomainError } from '../core/errors'
import { writeFileAtomic } from './durable-files'

/** Who holds the data directory: shown to whoever is refused. */
export interface LockHolder {
  pid: number
  host: string
  startedAt: string
  /** What runs, in French ("Ribambelle (sans fenêtre)", "la restauration d’une sauvegarde"). */
  app: string
}

export interface DataDirLock {
  holder: LockHolder
  /** Idempotent. */
  release(): void
}

export const LOCK_FILE = 'ribambelle.lock'
export const HOLDER_FILE = 'ribambelle.lock.json'

export type LockPurpose = 'start' | 'restore'

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function readHolder(dataDir: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')) as LockHolder
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : null
  } catch {
    return null
  }
}

function describe(holder: LockHolder | null): string {
  // The holder file of a process killed without cleaning up may still be there while another process holds
  // the lock and has not written its own yet: never name a process that no longer exists.
  if (!holder || (holder.host === hostname() && !isAlive(holder.pid))) return 'un autre programme (impossible de savoir lequel)'
  return `${holder.app} : processus ${holder.pid} sur l’ordinateur « ${holder.host} », démarré le ${frenchDateTime(new Date(holder.startedAt))}`
}

/**
 * One process at a time on a data directory: the app (headless or desktop)
 * holds this while it runs, and so does a restore.
 *
 * The exclusion itself is an operating-system file lock, taken through
 * SQLite on `ribambelle.lock` (a write lock, BEGIN IMMEDIATE, held until
 * release). The kernel drops it when the process ends in any way, kill -9
 * and power cut included, so a lock is never stale: there is no pid to
 * check and no lock file to delete by hand. `ribambelle.lock.json` only
 * says who holds it, for the refusal message; it is written after the lock
 * is taken and removed before it is released.
 */
export function lockDataDir(dataDir: string, app: string, purpose: LockPurpose, now = new Date()): DataDirLock {
  let db: Database.Database
  try {
    mkdirSync(dataDir, { recursive: true })
    db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 })
  } catch (e) {
    // A read-only or missing medium, no rights: said in French, with the code for whoever helps.
    const code = (e as { code?: string }).code ?? 'inconnu'
    throw new DomainError('data_dir_unusable', `Le dossier de données ${dataDir} est inutilisable (${code}) : vérifiez qu’il existe et que Ribambelle peut y écrire.`, 500)
  }
  try {
    db.exec('BEGIN IMMEDIATE')
  } catch (e) {
    db.close()
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e
    const who = describe(readHolder(dataDir))
    const message =
      purpose === 'restore'
        ? `Restauration refusée : les données de Ribambelle (${dataDir}) sont utilisées par ${who}. Fermez Ribambelle, puis relancez la restauration.`
        : `Ribambelle ne peut pas démarrer : ses données (${dataDir}) sont déjà utilisées par ${who}. Fermez-le d’abord, ou attendez la fin de la restauration.`
    throw new DomainError('data_dir_locked', message, 409)
  }
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: now.toISOString(), app }
  const holderFile = join(dataDir, HOLDER_FILE)
  writeFileAtomic(holderFile, JSON.stringify(holder, null, 2))
  let released = false
  return {
    holder,
    release() {
      if (released) return
      released = true
      if (existsSync(holderFile)) rmSync(holderFile, { force: true })
      db.close() // closing ends the open transaction, and with it the lock
    }
  }
}
