/**
 * kill -9 during a backup and during a restore, at each moment that
 * matters: what is left must be either nothing under a backup name or a
 * verified backup; the lists and restore ignore the leftovers; the next
 * start removes them; the database is whole every time.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { corePaths } from '../../src-main/core/app-core'
import { backupDatabase, integrityCheck, listBackups } from '../../src-main/db/backup'
import { inspectBackup } from '../../src-main/db/backup-check'
import { restoreDatabase } from '../../src-main/db/restore'
import { generateFamilies } from '../../src-main/demo/generate'
import { createFamily } from '../../src-main/families/families'
import { count, dataDirFrom, filesUnderBackupNames, runTs } from '../helpers/backups'
import { openTestCore, type TestCore } from '../helpers/core'

const CHILD = 'test/helpers/backup-kill-child.ts'
let template: TestCore
const dirs: string[] = []

beforeAll(async () => {
  template = await openTestCore()
  await template.tx.run(async (m) => {
    for (const f of generateFamilies(150)) await createFamily(m, template, SYSTEM, f)
  })
  await template.close()
})
afterAll(async () => {
  await template.cleanup()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function freshDir(): string {
  const d = dataDirFrom(template.paths.dbFile)
  dirs.push(d)
  return d
}

/** Opens the data directory as the app's next start would, and returns what it left in the backups folder. */
async function nextStart(dataDir: string): Promise<string[]> {
  const core = await openTestCore({ dataDir })
  try {
    expect(await core.ds.query('SELECT COUNT(*) AS n FROM family')).toEqual([{ n: 150 }])
    return existsSync(core.paths.backupDir) ? readdirSync(core.paths.backupDir).sort() : []
  } finally {
    await core.close()
  }
}

describe('kill -9 during a backup', () => {
  for (const stage of ['before-copy', 'copying', 'before-rename', 'after-rename'] as const) {
    test(`killed at "${stage}"`, async () => {
      const dataDir = freshDir()
      const paths = corePaths(dataDir)
      const run = await runTs(CHILD, ['backup', dataDir, stage], { killWhen: `STAGE ${stage}` })
      expect(run.signal, run.err).toBe('SIGKILL')
      expect(run.out).not.toContain('DONE')

      const underNames = existsSync(paths.backupDir) ? filesUnderBackupNames(paths.backupDir) : []
      if (stage === 'after-rename') {
        // Renamed last: whatever carries a backup name passed the full check.
        expect(underNames).toHaveLength(1)
        expect((await inspectBackup(`${paths.backupDir}/${underNames[0]}`)).counts.family).toBe(150)
        expect(listBackups(paths.backupDir).map((b) => b.name)).toEqual(underNames)
      } else {
        expect(underNames).toEqual([])
        expect(listBackups(paths.backupDir)).toEqual([])
      }
      if (stage === 'copying' || stage === 'before-rename') {
        const left = readdirSync(paths.backupDir)
        expect(left.length).toBeGreaterThan(0)
        expect(left.every((n) => /\.tmp(-journal)?$/.test(n))).toBe(true)
        // restore by name only knows verified backups.
        const tmpName = left.find((n) => n.endsWith('.tmp'))!
        const cli = await runTs('src-main/cli.ts', ['restore', tmpName, '--data-dir', dataDir])
        expect(cli.code).toBe(1)
        expect(cli.err).toMatch(/^Erreur : Aucune sauvegarde vérifiée ne porte le nom/)
      }
      expect(integrityCheck(paths.dbFile)).toBe('ok')
      // The killed process's lock went with it, and the start clears its leftovers.
      expect(await nextStart(dataDir)).toEqual(underNames)
    }, 60_000)
  }
})

describe('kill -9 during a restore', () => {
  for (const stage of ['checked', 'saved', 'before-swap', 'after-swap'] as const) {
    test(`killed at "${stage}"`, async () => {
      const dataDir = freshDir()
      const paths = corePaths(dataDir)
      // The backup to restore has one family fewer than the current database.
      const core = await openTestCore({ dataDir })
      await core.ds.query('DELETE FROM family WHERE id = (SELECT MAX(id) FROM family)')
      const backup = await backupDatabase(core.db, paths.backupDir, 'manuelle', 30, core.clock.now())
      await core.ds.query(`INSERT INTO family (number, status, created_at, updated_at) VALUES (99999, 'active', '2026-09-07', '2026-09-07')`)
      await core.close()

      const run = await runTs(CHILD, ['restore', dataDir, stage, backup.file], { killWhen: `STAGE ${stage}` })
      expect(run.signal, run.err).toBe('SIGKILL')

      expect(integrityCheck(paths.dbFile)).toBe('ok')
      const families = count(paths.dbFile, 'SELECT COUNT(*) FROM family')
      // Before the rename the database is the old one, whole; after it, the restored one.
      expect(families).toBe(stage === 'after-swap' ? 149 : 150)
      // Only verified backups are listed (the pre-restore one exists from "saved" on).
      const reasons = listBackups(paths.backupDir).map((b) => b.reason)
      expect(reasons).toEqual(stage === 'checked' ? ['manuelle'] : ['pre-restore', 'manuelle'])

      const core2 = await openTestCore({ dataDir })
      try {
        expect(readdirSync(dataDir).filter((n) => n.includes('.tmp'))).toEqual([])
        expect((await core2.ds.query('SELECT COUNT(*) AS n FROM family'))[0].n).toBe(families)
      } finally {
        await core2.close()
      }
      // And a restore can be done again from there.
      const again = await restoreDatabase(paths, backup.file)
      expect(again.counts.family).toBe(149)
    }, 60_000)
  }
})
