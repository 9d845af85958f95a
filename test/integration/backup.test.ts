import { execFile } from 'node:child_process'
import { closeSync, copyFileSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { backupDatabase, integrityCheck, listBackups, restoreDatabase } from '../../src-main/db/backup'
import { generateFamilies } from '../../src-main/demo/generate'
import { createFamily } from '../../src-main/families/families'
import { openTestCore, seedStaff, type TestCore } from '../helpers/core'

const run = promisify(execFile)
const ROOT = resolve(__dirname, '../..')

function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true })
  try {
    return Number(Object.values(db.prepare(sql).get() as object)[0])
  } finally {
    db.close()
  }
}

/** Overwrites one whole page in the middle of the file with garbage, the way a failing disk would. */
function corruptMiddlePage(file: string): void {
  const size = statSync(file).size
  const pageSize = 4096
  const fd = openSync(file, 'r+')
  try {
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, Math.floor(size / pageSize / 2) * pageSize)
  } finally {
    closeSync(fd)
  }
}

let core: TestCore
beforeEach(async () => {
  core = await openTestCore({ backupKeep: 3 })
  // Enough rows for a multi-page file.
  await core.tx.run(async (m) => {
    for (const f of generateFamilies(150)) await createFamily(m, core, SYSTEM, f)
  })
})
afterEach(() => core.cleanup())

describe('backups', () => {
  test('an online backup is a consistent copy that passes integrity_check', async () => {
    const b = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now())
    expect(b.name).toMatch(/^ribambelle-20260907-\d{6}-\d{3}-manuelle\.sqlite$/)
    expect(existsSync(b.file)).toBe(true)
    expect(b.sizeBytes).toBeGreaterThan(100_000)
    expect(integrityCheck(b.file)).toBe('ok')
    expect(count(b.file, 'SELECT COUNT(*) FROM family')).toBe(150)
    expect(listBackups(core.paths.backupDir).map((x) => x.name)).toEqual([b.name])
  })

  test('rotation keeps the newest N backups', async () => {
    const names: string[] = []
    for (let i = 0; i < 5; i++) {
      names.push((await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now())).name)
      core.clock.advance(1000)
    }
    expect(listBackups(core.paths.backupDir).map((b) => b.name)).toEqual(names.slice(2).reverse())
  })

  test('the backups-create procedure uses the configured rotation', async () => {
    const { client } = await import('../helpers/http')
    const { buildStaffApp } = await import('../../src-main/server/staff-app')
    const app = await buildStaffApp(core)
    try {
      const dir = await seedStaff(core, 'direction')
      const c = await client(app, 'staff')
      await c.loginStaff(dir.login, dir.password)
      for (let i = 0; i < 4; i++) {
        const r = await c.call('backups-create', {})
        expect(r.status).toBe(200)
        expect(r.body.reason).toBe('manuelle')
        expect(r.body).not.toHaveProperty('file') // no server path goes to the screen
        core.clock.advance(1000)
      }
      const list = await c.call('backups-list', {})
      expect(list.body).toHaveLength(3)
    } finally {
      await app.close()
    }
  })

  test('a corrupted backup is refused by restore with a French message, and the database is untouched', async () => {
    const b = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now())
    const bad = join(core.paths.backupDir, 'copie-abimee.sqlite')
    copyFileSync(b.file, bad)
    corruptMiddlePage(bad)
    await core.close()
    const dbBefore = readFileSync(core.paths.dbFile)
    await expect(restoreDatabase(core.paths.dbFile, bad, core.paths.backupDir)).rejects.toThrow(
      /^La sauvegarde copie-abimee\.sqlite est corrompue/
    )
    expect(readFileSync(core.paths.dbFile).equals(dbBefore)).toBe(true)
    expect(listBackups(core.paths.backupDir).map((x) => x.reason)).toEqual(['manuelle']) // no pre-restore made
  })

  test('a missing backup file is refused with a French message', async () => {
    await core.close()
    await expect(restoreDatabase(core.paths.dbFile, join(core.paths.backupDir, 'absente.sqlite'), core.paths.backupDir)).rejects.toThrow(
      /introuvable/
    )
  })

  test('restore replaces the database and keeps the replaced one as "pre-restore"', async () => {
    await seedStaff(core, 'direction', { login: 'avant' })
    const b = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now())
    await seedStaff(core, 'accueil', { login: 'apres' })
    await core.close()

    const saved = await restoreDatabase(core.paths.dbFile, b.file, core.paths.backupDir)
    expect(saved?.reason).toBe('pre-restore')
    expect(integrityCheck(saved!.file)).toBe('ok')
    expect(count(saved!.file, `SELECT COUNT(*) FROM staff_user WHERE login = 'apres'`)).toBe(1)

    const reopened = await openTestCore({ dataDir: core.paths.dataDir })
    try {
      const logins = (await reopened.ds.query('SELECT login FROM staff_user ORDER BY login')).map((r: { login: string }) => r.login)
      expect(logins).toEqual(['avant'])
      expect(await reopened.ds.query('SELECT COUNT(*) AS n FROM family')).toEqual([{ n: 150 }])
    } finally {
      await reopened.close()
    }
  })

  test('the CLI lists backups and restores one by name', async () => {
    await seedStaff(core, 'direction', { login: 'avant' })
    const b = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now())
    await seedStaff(core, 'accueil', { login: 'apres' })
    await core.close()
    const tsx = join(ROOT, 'node_modules/.bin/tsx')
    const args = ['--tsconfig', join(ROOT, 'tsconfig.node.json'), join(ROOT, 'src-main/cli.ts')]
    const list = await run(tsx, [...args, 'backups', '--data-dir', core.paths.dataDir], { cwd: ROOT })
    expect(list.stdout).toContain(b.name)
    expect(list.stdout).toMatch(/octets/)

    const restored = await run(tsx, [...args, 'restore', b.name, '--data-dir', core.paths.dataDir], { cwd: ROOT })
    expect(restored.stdout).toContain('Base restaurée depuis')
    expect(restored.stdout).toContain('pre-restore')
    expect(count(core.paths.dbFile, `SELECT COUNT(*) FROM staff_user WHERE login = 'apres'`)).toBe(0)

    const bad = join(core.paths.backupDir, 'abimee.sqlite')
    copyFileSync(b.file, bad)
    corruptMiddlePage(bad)
    const failed = await run(tsx, [...args, 'restore', bad, '--data-dir', core.paths.dataDir], { cwd: ROOT }).catch((e) => e)
    expect(failed.code).toBe(1)
    expect(failed.stderr).toMatch(/^Erreur : La sauvegarde abimee\.sqlite est corrompue/)
  }, 60_000)
})
