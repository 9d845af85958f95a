import { statSync } from 'node:fs'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { openTestCore, type TestCore } from '../helpers/core'

// The WAL is copied back into the database file once writes pause, not inside the commit that crosses
// SQLite's default 1,000 pages: the file only grows after the pause.
let core: TestCore
beforeEach(async () => {
  core = await openTestCore()
})
afterEach(() => core.cleanup())

const size = (f: string) => statSync(f).size
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('commits leave their pages in the WAL; a pause checkpoints them into the database file', async () => {
  expect(core.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000)
  const before = size(core.paths.dbFile)
  // About 1,500 pages of audit rows over 30 commits: past the default threshold, below the backstop.
  for (let c = 0; c < 30; c++) {
    await core.tx.run(async () => {
      const ins = core.db.prepare(`INSERT INTO audit_entry (at, actor_kind, actor_id, actor_label, action, entity, entity_id, before, after) VALUES (?, 'system', NULL, 'test', 'bench', 'x', ?, NULL, ?)`)
      for (let i = 0; i < 50; i++) ins.run('2026-09-07T08:00:00.000Z', `${c}-${i}`, 'x'.repeat(3500))
    })
  }
  const wal = size(`${core.paths.dbFile}-wal`)
  expect(wal).toBeGreaterThan(1_000 * 4096)
  expect(size(core.paths.dbFile)).toBe(before)
  await sleep(1_600)
  expect(size(core.paths.dbFile)).toBeGreaterThan(before + 1_000 * 4096)
  // Nothing lost, and the checkpoint did not hold the transaction lock: the next write goes through.
  await core.tx.run(async (m) => {
    await m.query(`INSERT INTO audit_entry (at, actor_kind, actor_label, action, entity) VALUES ('2026-09-07T08:00:01.000Z', 'system', 'test', 'after', 'x')`)
  })
  expect(core.db.prepare(`SELECT COUNT(*) AS n FROM audit_entry WHERE action IN ('bench', 'after')`).get()).toEqual({ n: 1501 })
})
