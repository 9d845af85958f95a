/**
 * An import killed midway (SIGKILL inside its transaction) leaves the
 * database as it was: no family, no batch, no audit row; run again to the
 * end, the whole import is there (#14: "nothing half-imported").
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { integrityCheck } from '../../src-main/db/backup'
import { receiveImportUpload } from '../../src-main/imports/uploads'
import { runTs } from '../helpers/backups'
import { openTestCore, seedStaff, type TestCore } from '../helpers/core'
import { generateNoethysFile } from '../helpers/noethys-file'

let owner: TestCore
let uploadId: number
let staffId: number
beforeAll(async () => {
  owner = await openTestCore()
  const staff = await seedStaff(owner, 'direction')
  staffId = staff.id
  const path = join(owner.paths.dataDir, 'gen_DATA.dat')
  generateNoethysFile(path, { families: 400 })
  uploadId = (await receiveImportUpload(owner, staff.actor, 'gen_DATA.dat', readFileSync(path))).uploadId
  await owner.close()
}, 120_000)
afterAll(() => owner.cleanup())

const counts = (core: TestCore) =>
  Object.fromEntries(['family', 'person', 'child', 'import_batch', 'import_item', 'audit_entry'].map((t) => [t, Number(core.db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get())]))

describe('killing the import process', () => {
  test('SIGKILL after the children rows are written: nothing of the import remains', async () => {
    const run = await runTs('test/helpers/import-commit-child.ts', [owner.paths.dataDir, String(uploadId), String(staffId)], { killWhen: 'PROGRESS child', env: { PAUSE_MS: '30000' } })
    expect(run.signal).toBe('SIGKILL')
    expect(run.out).toContain('PROGRESS family')
    expect(run.out).not.toContain('DONE')
    const core = await openTestCore({ dataDir: owner.paths.dataDir })
    try {
      expect(counts(core)).toMatchObject({ family: 0, person: 0, child: 0, import_batch: 0, import_item: 0 })
      expect(core.db.prepare(`SELECT COUNT(*) FROM audit_entry WHERE action = 'import-commit'`).pluck().get()).toBe(0)
      expect(integrityCheck(core.paths.dbFile)).toBe('ok')
    } finally {
      await core.close()
    }
    const again = await runTs('test/helpers/import-commit-child.ts', [owner.paths.dataDir, String(uploadId), String(staffId)])
    expect(again.err).toBe('')
    expect(again.out).toContain('DONE 1 400')
    const after = await openTestCore({ dataDir: owner.paths.dataDir })
    try {
      expect(counts(after)).toMatchObject({ family: 400, import_batch: 1 })
    } finally {
      await after.close()
    }
  }, 120_000)
})
