/**
 * Disk-full faults for tests, without a full disk: `PRAGMA max_page_count`
 * caps the database at its current size (SQLite then answers SQLITE_FULL,
 * exactly as on a full disk), after a filler table has taken every free page
 * and nearly every free byte, so any sizeable write needs a page it cannot
 * have. `makeRoom` lifts the cap: "space is back", with no restart.
 *
 *   await fillDatabase(core)   // writes now fail with SQLITE_FULL
 *   await makeRoom(core)
 *
 * And a real full disk where the tests may mount one: `canMountTmpfs()`,
 * then `fillDisk(file)` on it.
 */
import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmdirSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Core } from '../../src-main/core/app-core'

/** SQLite's own default maximum. */
const NO_LIMIT = 1073741823

export async function fillDatabase(core: Core): Promise<void> {
  await core.tx.exclusive(() => {
    const db = core.db
    db.exec('CREATE TABLE IF NOT EXISTS test_filler (x BLOB NOT NULL)')
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`)
    const ins = db.prepare('INSERT INTO test_filler (x) VALUES (randomblob(?))')
    for (let size = 16_384; size >= 1; size = Math.floor(size / 2)) {
      for (;;) {
        try {
          ins.run(size)
        } catch (e) {
          if ((e as { code?: string }).code !== 'SQLITE_FULL') throw e
          break
        }
      }
    }
  })
}

export async function makeRoom(core: Core): Promise<void> {
  await core.tx.exclusive(() => void core.db.pragma(`max_page_count = ${NO_LIMIT}`))
}

/** Rows as another process would see them: a separate read-only connection on the same file. */
export function readElsewhere<T>(dbFile: string, sql: string, ...params: unknown[]): T[] {
  const other = new Database(dbFile, { readonly: true, fileMustExist: true })
  try {
    return other.prepare(sql).all(...params) as T[]
  } finally {
    other.close()
  }
}

/** Writes `file` until the file system has not a byte left. */
export function fillDisk(file: string): void {
  const fd = openSync(file, 'w')
  try {
    for (let size = 1 << 20; size >= 1; size >>= 1) {
      const chunk = Buffer.alloc(size, 1)
      for (;;) {
        try {
          writeSync(fd, chunk)
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e
          break
        }
      }
    }
  } finally {
    closeSync(fd)
  }
}

/** Root and a working `mount -t tmpfs` (not in an unprivileged container). */
export function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false
  const probe = mkdtempSync(join(tmpdir(), 'ribambelle-probe-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' })
    execFileSync('umount', [probe], { stdio: 'ignore' })
    return true
  } catch {
    return false
  } finally {
    rmdirSync(probe)
  }
}
