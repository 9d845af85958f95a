import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { DataSource } from 'typeorm'
import { afterEach, describe, expect, test } from 'vitest'
import { corePaths } from '../../src-main/core/app-core'
import { integrityCheck, listBackups } from '../../src-main/db/backup'
import { migrations } from '../../src-main/db/migrations'
import { openTestCore } from '../helpers/core'

/** Tables the foundation (0001) creates; later migrations add more but must keep these. */
const FOUNDATION_TABLES = [
  'audit_entry',
  'child',
  'counter',
  'family',
  'login_throttle',
  'outbox_mail',
  'password_token',
  'person',
  'portal_account',
  'request',
  'session',
  'setting',
  'staff_user',
  'structure'
]

const dirs: string[] = []
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'ribambelle-mig-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true })
  try {
    return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name)
  } finally {
    db.close()
  }
}

function appliedMigrations(file: string): string[] {
  const db = new Database(file, { readonly: true })
  try {
    return (db.prepare(`SELECT name FROM migrations ORDER BY id`).all() as { name: string }[]).map((r) => r.name)
  } finally {
    db.close()
  }
}

/** Builds a database as an older release left it: only the first `count` migrations applied. */
async function databaseAt(dataDir: string, count: number): Promise<void> {
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: corePaths(dataDir).dbFile,
    entities: [],
    migrations: migrations.slice(0, count),
    migrationsTransactionMode: 'each'
  })
  await ds.initialize()
  await ds.runMigrations({ transaction: 'each' })
  // A row written by the old release, which the upgrade must keep.
  await ds.query(`INSERT INTO counter (name, value) VALUES ('survivor', 42)`)
  await ds.destroy()
}

describe('migrations', () => {
  test('an empty database gets every migration and the foundation tables', async () => {
    const core = await openTestCore()
    try {
      const t = tables(core.paths.dbFile)
      for (const name of FOUNDATION_TABLES) expect(t).toContain(name)
      expect(appliedMigrations(core.paths.dbFile)).toEqual(migrations.map((M) => M.name))
      // A brand-new database has nothing to protect: no pre-migration backup.
      expect(listBackups(core.paths.backupDir)).toEqual([])
    } finally {
      await core.cleanup()
    }
  })

  test('reopening an up-to-date database runs nothing and makes no backup', async () => {
    const dataDir = tempDir()
    const first = await openTestCore({ dataDir })
    await first.close()
    const before = appliedMigrations(corePaths(dataDir).dbFile)
    const again = await openTestCore({ dataDir })
    try {
      expect(await again.ds.showMigrations()).toBe(false)
      expect(appliedMigrations(again.paths.dbFile)).toEqual(before)
      expect(listBackups(again.paths.backupDir)).toEqual([])
    } finally {
      await again.close()
    }
  })

  // Generic over the list, so it keeps covering 0002..0005 as later issues add them.
  for (let k = 1; k <= migrations.length; k++) {
    test(`a database at migration ${k - 1} is brought to ${migrations.length} (backup first when it had data)`, async () => {
      const dataDir = tempDir()
      if (k - 1 >= 1) await databaseAt(dataDir, k - 1)
      const core = await openTestCore({ dataDir })
      try {
        expect(appliedMigrations(core.paths.dbFile)).toEqual(migrations.map((M) => M.name))
        expect(await core.ds.showMigrations()).toBe(false)
        expect(integrityCheck(core.paths.dbFile)).toBe('ok')
        const backups = listBackups(core.paths.backupDir)
        if (k - 1 >= 1) {
          const [row] = await core.ds.query(`SELECT value FROM counter WHERE name = 'survivor'`)
          expect(row.value).toBe(42)
          expect(backups.map((b) => b.reason)).toEqual(['pre-migration'])
          // The backup is the database as it was before the upgrade.
          expect(integrityCheck(backups[0].file)).toBe('ok')
          expect(appliedMigrations(backups[0].file)).toEqual(migrations.slice(0, k - 1).map((M) => M.name))
        } else {
          expect(backups).toEqual([])
        }
      } finally {
        await core.close()
      }
    })
  }

  test('a migration that fails leaves the database at the previous version', async () => {
    const dataDir = tempDir()
    await databaseAt(dataDir, migrations.length)
    class Broken9999999999999 {
      name = 'Broken9999999999999'
      async up(q: { query(s: string): Promise<unknown> }) {
        await q.query(`CREATE TABLE half_done (id INTEGER)`)
        await q.query(`THIS IS NOT SQL`)
      }
      async down() {}
    }
    const ds = new DataSource({
      type: 'better-sqlite3',
      database: corePaths(dataDir).dbFile,
      entities: [],
      migrations: [...migrations, Broken9999999999999],
      migrationsTransactionMode: 'each'
    })
    await ds.initialize()
    await expect(ds.runMigrations({ transaction: 'each' })).rejects.toThrow()
    await ds.destroy()
    expect(tables(corePaths(dataDir).dbFile)).not.toContain('half_done')
    expect(appliedMigrations(corePaths(dataDir).dbFile)).toEqual(migrations.map((M) => M.name))
    expect(existsSync(corePaths(dataDir).dbFile)).toBe(true)
  })
})
