import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { migrations } from '../../src-main/db/migrations'
import { openTestCore, type TestCore } from '../helpers/core'

describe('migration list', () => {
  test('class names end with consecutive 13-digit positions 1..n, in list order', () => {
    expect(migrations.length).toBeGreaterThan(0)
    migrations.forEach((M, i) => {
      const m = /^([A-Za-z]+)(\d{13})$/.exec(M.name)
      expect(m, `${M.name} must end with a 13-digit number`).not.toBeNull()
      expect(Number(m![2]), `${M.name} is at position ${i + 1}`).toBe(i + 1)
      // TypeORM records `name` in the migrations table; it must match the class.
      expect(new M().name ?? M.name).toBe(M.name)
    })
  })

  test('names are unique', () => {
    expect(new Set(migrations.map((M) => M.name)).size).toBe(migrations.length)
  })
})

describe('connection pragmas', () => {
  let core: TestCore
  beforeAll(async () => {
    core = await openTestCore()
  })
  afterAll(() => core.cleanup())

  test('WAL, synchronous=FULL and foreign keys are on for the connection TypeORM uses', async () => {
    expect(core.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(core.db.pragma('synchronous', { simple: true })).toBe(2)
    expect(core.db.pragma('foreign_keys', { simple: true })).toBe(1)
    // Same answers through TypeORM's own query path (one shared connection).
    const [fk] = await core.ds.query('PRAGMA foreign_keys')
    expect(fk.foreign_keys).toBe(1)
    const [sync] = await core.ds.query('PRAGMA synchronous')
    expect(sync.synchronous).toBe(2)
  })

  test('foreign keys are enforced', async () => {
    await expect(
      core.ds.query(`INSERT INTO person (family_id, role, last_name, first_name) VALUES (999999, 'responsable', 'X', 'Y')`)
    ).rejects.toThrow(/FOREIGN KEY/)
  })
})
