import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { backupDatabase, integrityCheck, listBackups, removeBackupLeftovers } from '../../src-main/db/backup'
import { restoreDatabase } from '../../src-main/db/restore'
import { generateFamilies } from '../../src-main/demo/generate'
import { createFamily } from '../../src-main/families/families'
import { count, corruptMiddlePage, dataDirFrom, filesUnderBackupNames, runTs } from '../helpers/backups'
import { openTestCore, seedStaff, type TestCore } from '../helpers/core'

let template: TestCore
let core: TestCore
beforeAll(async () => {
  template = await openTestCore()
  // Enough rows for a multi-page file.
  await template.tx.run(async (m) => {
    for (const f of generateFamilies(150)) await createFamily(m, template, SYSTEM, f)
  })
  await template.close()
})
afterAll(() => template.cleanup())
beforeEach(async () => {
  core = await openTestCore({ dataDir: dataDirFrom(template.paths.dbFile), backupKeep: 3 })
})
afterEach(async () => {
  await core.close()
  rmSync(core.paths.dataDir, { recursive: true, force: true })
})

const exclusive = () => ({ exclusive: <T>(w: () => Promise<T>) => core.tx.exclusive(w) })

describe('writing a backup', () => {
  test('a backup is a standalone copy that passed integrity_check, with the source row counts', async () => {
    const b = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now(), exclusive())
    expect(b.name).toMatch(/^ribambelle-20260907-\d{6}-\d{3}-manuelle\.sqlite$/)
    expect(b.sizeBytes).toBeGreaterThan(100_000)
    expect(integrityCheck(b.file)).toBe('ok')
    expect(b.counts.family).toBe(150)
    expect(b.counts.family).toBe(count(b.file, 'SELECT COUNT(*) FROM family'))
    // One file, no WAL: it can be copied to a USB key as it is.
    expect(new Database(b.file, { readonly: true }).pragma('journal_mode', { simple: true })).toBe('delete')
    expect(readdirSync(core.paths.backupDir)).toEqual([b.name])
    expect(listBackups(core.paths.backupDir)).toEqual([
      { file: b.file, name: b.name, reason: 'manuelle', sizeBytes: b.sizeBytes, createdAt: core.clock.now().toISOString(), encrypted: false }
    ])
  })

  test('writes running while a backup copies wait for it: the copy is one committed state, counts and all', async () => {
    const backup = backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now(), { ...exclusive(), stepPages: 2 })
    // Queued behind the copy by the transaction mutex; without it SQLite refuses the backup step mid-write.
    const write = core.tx.run(async (m) => {
      for (const f of generateFamilies(5, 2027)) await createFamily(m, core, SYSTEM, f)
    })
    const [b] = await Promise.all([backup, write])
    expect(b.counts.family).toBe(150)
    expect(count(b.file, 'SELECT COUNT(*) FROM family')).toBe(150)
    expect(count(core.paths.dbFile, 'SELECT COUNT(*) FROM family')).toBe(155)
  })

  test('rotation keeps the newest N verified backups', async () => {
    const names: string[] = []
    for (let i = 0; i < 5; i++) {
      names.push((await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now())).name)
      core.clock.advance(1000)
    }
    expect(listBackups(core.paths.backupDir).map((b) => b.name)).toEqual(names.slice(2).reverse())
  })

  test('a copy that fails its check never gets a backup name', async () => {
    // A database that is not Ribambelle's: the copy is refused and removed, nothing is left under any name.
    const foreign = new Database(join(core.paths.dataDir, 'autre.sqlite'))
    foreign.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)')
    await expect(backupDatabase(foreign, core.paths.backupDir, 'manuelle', 3, core.clock.now())).rejects.toMatchObject({ code: 'backup_not_ribambelle' })
    foreign.close()
    expect(existsSync(core.paths.backupDir) ? readdirSync(core.paths.backupDir) : []).toEqual([])
  })

  test('the lists show only verified backups: a copy in progress, an empty or cut-short file under a backup name are not backups', async () => {
    const good = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now())
    const dir = core.paths.backupDir
    writeFileSync(join(dir, 'ribambelle-20260907-100000-000-manuelle.sqlite'), '') // what a crash left with older versions
    writeFileSync(join(dir, 'ribambelle-20260907-100001-000-manuelle.sqlite'), readFileSync(good.file).subarray(0, 8192)) // cut short
    copyFileSync(good.file, join(dir, 'ribambelle-20260907-100002-000-manuelle.sqlite.tmp')) // a copy in progress
    writeFileSync(join(dir, 'ribambelle-20260907-100002-000-manuelle.sqlite.tmp-journal'), 'x')
    expect(listBackups(dir).map((b) => b.name)).toEqual([good.name])
    // And what the next start removes.
    expect(removeBackupLeftovers(dir).sort()).toEqual([
      'ribambelle-20260907-100000-000-manuelle.sqlite',
      'ribambelle-20260907-100001-000-manuelle.sqlite',
      'ribambelle-20260907-100002-000-manuelle.sqlite.tmp',
      'ribambelle-20260907-100002-000-manuelle.sqlite.tmp-journal'
    ])
    expect(filesUnderBackupNames(dir)).toEqual([good.name])
  })

  test('leftovers count for nothing in the rotation: only verified backups make up the 3 kept', async () => {
    const dir = core.paths.backupDir
    const names: string[] = []
    for (let i = 0; i < 3; i++) {
      names.push((await backupDatabase(core.db, dir, 'manuelle', 3, core.clock.now())).name)
      core.clock.advance(1000)
    }
    // Newer-looking junk must not push a verified backup out.
    writeFileSync(join(dir, 'ribambelle-20991231-235959-999-manuelle.sqlite'), '')
    const last = await backupDatabase(core.db, dir, 'manuelle', 3, core.clock.now())
    expect(listBackups(dir).map((b) => b.name)).toEqual([last.name, names[2], names[1]])
  })

  test('the backups-create procedure: verified, rotated, audited with its counts, no server path on the screen', async () => {
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
        expect(r.body.copy).toBeNull() // no second folder set
        expect(r.body).not.toHaveProperty('file')
        core.clock.advance(1000)
      }
      const list = await c.call('backups-list', {})
      expect(list.body).toHaveLength(3)
      expect(list.body[0]).toEqual({ name: expect.stringMatching(/manuelle/), reason: 'manuelle', sizeBytes: expect.any(Number), createdAt: expect.any(String) })
      const [row] = await core.ds.query(`SELECT after FROM audit_entry WHERE action = 'backup-create' ORDER BY id DESC LIMIT 1`)
      expect(JSON.parse(row.after).counts.family).toBe(150)
    } finally {
      await app.close()
    }
  })
})

describe('restoring', () => {
  test('restore replaces the database and keeps the replaced one as a verified "pre-restore" backup', async () => {
    await seedStaff(core, 'direction', { login: 'avant' })
    const b = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now())
    await seedStaff(core, 'accueil', { login: 'apres' })
    await core.close()

    const r = await restoreDatabase(core.paths, b.file)
    expect(r.saved?.reason).toBe('pre-restore')
    expect(r.counts.family).toBe(150)
    expect(integrityCheck(r.saved!.file)).toBe('ok')
    expect(count(r.saved!.file, `SELECT COUNT(*) FROM staff_user WHERE login = 'apres'`)).toBe(1)
    expect(existsSync(`${core.paths.dbFile}-wal`)).toBe(false)

    const reopened = await openTestCore({ dataDir: core.paths.dataDir })
    try {
      const logins = (await reopened.ds.query('SELECT login FROM staff_user ORDER BY login')).map((r: { login: string }) => r.login)
      expect(logins).toEqual(['avant'])
      expect(await reopened.ds.query('SELECT COUNT(*) AS n FROM family')).toEqual([{ n: 150 }])
    } finally {
      await reopened.close()
    }
  })

  test('a database left by a crash, with committed rows still in its WAL: they are in the pre-restore backup, and never replayed onto the restored one', async () => {
    const b = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now())
    await core.close()
    // Copy the files while a writer holds its WAL open: the state a kill -9 leaves.
    const live = new Database(core.paths.dbFile)
    live.pragma('wal_autocheckpoint = 0')
    live.exec(`UPDATE family SET notes = 'dans le WAL' WHERE id <= 40`)
    const crashed = join(core.paths.dataDir, 'crashed')
    mkdirSync(crashed)
    for (const s of ['', '-wal']) copyFileSync(core.paths.dbFile + s, join(crashed, 'ribambelle.sqlite' + s))
    live.close()
    const paths = { dataDir: crashed, dbFile: join(crashed, 'ribambelle.sqlite'), backupDir: join(crashed, 'backups') }
    expect(existsSync(`${paths.dbFile}-wal`)).toBe(true)

    const r = await restoreDatabase(paths, b.file)
    expect(count(r.saved!.file, `SELECT COUNT(*) FROM family WHERE notes = 'dans le WAL'`)).toBe(40)
    expect(integrityCheck(paths.dbFile)).toBe('ok')
    expect(count(paths.dbFile, `SELECT COUNT(*) FROM family WHERE notes = 'dans le WAL'`)).toBe(0)
    expect(count(paths.dbFile, 'SELECT COUNT(*) FROM family')).toBe(150)
  })

  test('a current database too damaged to be backed up is put aside, not deleted, and the restore goes on', async () => {
    const b = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now())
    await core.close()
    corruptMiddlePage(core.paths.dbFile)
    const damagedBytes = readFileSync(core.paths.dbFile)
    const r = await restoreDatabase(core.paths, b.file)
    expect(r.saved).toBeNull()
    expect(r.damaged).toMatch(/ribambelle-endommagee-\d{8}-\d{6}\.sqlite$/)
    expect(readFileSync(r.damaged!).equals(damagedBytes)).toBe(true)
    expect(integrityCheck(core.paths.dbFile)).toBe('ok')
    expect(listBackups(core.paths.backupDir).map((x) => x.name)).toEqual([b.name])
  })

  test('the CLI lists verified backups, restores one by name, refuses a name that is not a verified backup, and answers in French', async () => {
    await seedStaff(core, 'direction', { login: 'avant' })
    const b = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 3, core.clock.now())
    await seedStaff(core, 'accueil', { login: 'apres' })
    await core.close()
    writeFileSync(join(core.paths.backupDir, 'ribambelle-20260907-100000-000-manuelle.sqlite'), '')
    const cli = (...args: string[]) => runTs('src-main/cli.ts', [...args, '--data-dir', core.paths.dataDir])

    const list = await cli('backups')
    expect(list.out.trim().split('\n')).toEqual([`${b.name}\t${b.sizeBytes} octets`])

    const empty = await cli('restore', 'ribambelle-20260907-100000-000-manuelle.sqlite')
    expect(empty.code).toBe(1)
    expect(empty.err).toMatch(/^Erreur : Aucune sauvegarde vérifiée ne porte le nom ribambelle-20260907-100000-000-manuelle\.sqlite/)

    const restored = await cli('restore', b.name)
    expect(restored.code).toBe(0)
    expect(restored.out).toContain('Base restaurée depuis')
    expect(restored.out).toContain('150 familles')
    expect(restored.out).toContain('pre-restore')
    expect(count(core.paths.dbFile, `SELECT COUNT(*) FROM staff_user WHERE login = 'apres'`)).toBe(0)

    const bad = join(core.paths.dataDir, 'abimee.sqlite')
    copyFileSync(b.file, bad)
    corruptMiddlePage(bad)
    const failed = await cli('restore', bad)
    expect(failed.code).toBe(1)
    expect(failed.err).toMatch(/^Erreur : La sauvegarde abimee\.sqlite est corrompue : le contrôle d’intégrité y trouve/)
  }, 90_000)
})
