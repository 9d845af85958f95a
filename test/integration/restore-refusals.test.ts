/**
 * Every file restore must refuse, each with its own French message (never
 * SQLite's English), and the database, the backups and the data directory
 * exactly as they were afterwards.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { backupDatabase, listBackups, type BackupInfo } from '../../src-main/db/backup'
import { restoreDatabase } from '../../src-main/db/restore'
import { generateFamilies } from '../../src-main/demo/generate'
import { createFamily } from '../../src-main/families/families'
import { migrations } from '../../src-main/db/migrations'
import { corruptMiddlePage } from '../helpers/backups'
import { openTestCore, type TestCore } from '../helpers/core'

let core: TestCore
let good: BackupInfo
let junk: string

beforeAll(async () => {
  core = await openTestCore()
  await core.tx.run(async (m) => {
    for (const f of generateFamilies(60)) await createFamily(m, core, SYSTEM, f)
  })
  good = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 30, core.clock.now())
  await core.close()
  junk = join(core.paths.dataDir, 'fichiers')
  mkdirSync(junk)
})
afterAll(() => core.cleanup())

/** A file made from the good backup by `change` (or from scratch when `change` writes it). */
function variant(name: string, make: (file: string) => void): string {
  const file = join(junk, name)
  make(file)
  return file
}

const ENGLISH = /database|disk image|malformed|SQLITE_|file is not|no such|[Ee]rror/

async function expectRefused(file: string, code: string, message: RegExp) {
  const before = readFileSync(core.paths.dbFile)
  const dataDirBefore = readdirSync(core.paths.dataDir).sort()
  const backupsBefore = listBackups(core.paths.backupDir).map((b) => b.name)
  const err = await restoreDatabase(core.paths, file).then(
    () => null,
    (e) => e
  )
  expect(err, 'the restore was accepted').not.toBeNull()
  expect(err.code).toBe(code)
  expect(err.message).toMatch(message)
  expect(err.message).not.toMatch(ENGLISH)
  expect(readFileSync(core.paths.dbFile).equals(before)).toBe(true)
  expect(readdirSync(core.paths.dataDir).sort()).toEqual(dataDirBefore)
  expect(listBackups(core.paths.backupDir).map((b) => b.name)).toEqual(backupsBefore) // no pre-restore made
}

describe('restore refuses', () => {
  test('a missing file', async () => {
    await expectRefused(join(junk, 'absente.sqlite'), 'backup_missing', /^Sauvegarde introuvable : .*absente\.sqlite\.$/)
  })

  test('an empty file (what a crash during a backup left with older versions)', async () => {
    const f = variant('vide.sqlite', (f) => writeFileSync(f, ''))
    await expectRefused(f, 'backup_empty', /^Le fichier vide\.sqlite est vide : ce n’est pas une sauvegarde utilisable\.$/)
  })

  test('a file that is not SQLite', async () => {
    const f = variant('facture.sqlite', (f) => writeFileSync(f, '%PDF-1.7\n'.repeat(200)))
    await expectRefused(f, 'backup_not_sqlite', /^Le fichier facture\.sqlite n’est pas une base de données SQLite/)
  })

  test('a backup cut short', async () => {
    const f = variant('coupee.sqlite', (f) => writeFileSync(f, readFileSync(good.file).subarray(0, 16384)))
    await expectRefused(f, 'backup_incomplete', /^La sauvegarde coupee\.sqlite est incomplète/)
  })

  test('a SQLite database without Ribambelle’s schema', async () => {
    const f = variant('autre-logiciel.sqlite', (f) => {
      const db = new Database(f)
      db.exec('CREATE TABLE contacts (id INTEGER PRIMARY KEY, nom TEXT); INSERT INTO contacts (nom) VALUES (\'x\')')
      db.close()
    })
    await expectRefused(f, 'backup_not_ribambelle', /^Le fichier autre-logiciel\.sqlite n’est pas une sauvegarde de Ribambelle : il lui manque les tables migrations, structure/)
  })

  test('a database from a newer version of Ribambelle', async () => {
    const f = variant('plus-recente.sqlite', (f) => {
      copyFileSync(good.file, f)
      const db = new Database(f)
      const next = String(migrations.length + 1).padStart(13, '0')
      db.prepare('INSERT INTO migrations (timestamp, name) VALUES (?, ?)').run(migrations.length + 1, `Future${next}`)
      db.close()
    })
    await expectRefused(
      f,
      'backup_newer',
      new RegExp(`^La sauvegarde plus-recente\\.sqlite vient d’une version plus récente de Ribambelle \\(sa base est à l’évolution ${migrations.length + 1}, cette version s’arrête à ${migrations.length}\\)`)
    )
  })

  test('a file failing the integrity check', async () => {
    const f = variant('abimee.sqlite', (f) => {
      copyFileSync(good.file, f)
      corruptMiddlePage(f)
    })
    await expectRefused(f, 'backup_corrupt', /^La sauvegarde abimee\.sqlite est corrompue : le contrôle d’intégrité y trouve/)
  })

  test('any restore while the app runs, naming the process that holds the data', async () => {
    const running = await openTestCore({ dataDir: core.paths.dataDir, app: 'Ribambelle (sans fenêtre)' })
    try {
      const before = readFileSync(core.paths.dbFile)
      const err = await restoreDatabase(core.paths, good.file).catch((e) => e)
      expect(err.code).toBe('data_dir_locked')
      expect(err.message).toMatch(
        new RegExp(
          `^Restauration refusée : les données de Ribambelle \\(.*\\) sont utilisées par Ribambelle \\(sans fenêtre\\) : processus ${process.pid} sur l’ordinateur « ${hostname()} », démarré le \\d\\d/\\d\\d/\\d{4} à \\d\\dh\\d\\d\\. Fermez Ribambelle, puis relancez la restauration\\.$`
        )
      )
      expect(readFileSync(core.paths.dbFile).equals(before)).toBe(true)
    } finally {
      await running.close()
    }
    // Once the app is closed, the same restore goes through.
    expect((await restoreDatabase(core.paths, good.file)).counts.family).toBe(60)
  })
})

afterAll(() => rmSync(junk, { recursive: true, force: true }))
