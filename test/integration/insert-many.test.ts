import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { insertMany } from '../../src-main/db/statements'

// insertMany cuts rows into multi-row INSERTs of 64, 32 … 1 and returns RETURNING rows in SQLite's own order:
// callers match them by key, so the test checks every returned id against the stored row.
let dir: string
let db: Database.Database
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'insert-many-'))
  db = new Database(join(dir, 't.sqlite'))
  db.pragma('journal_mode = WAL')
  db.exec(`CREATE TABLE cell (id INTEGER PRIMARY KEY AUTOINCREMENT, child INTEGER NOT NULL, day TEXT NOT NULL, note TEXT, UNIQUE (child, day))`)
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const COLUMNS = ['child', 'day', 'note'] as const

test.each([0, 1, 7, 64, 100, 131])('%i rows: every row stored once, every RETURNING id is the stored row’s', (n) => {
  const rows = Array.from({ length: n }, (_, i) => [i % 5, `2027-01-${String(1 + Math.floor(i / 5)).padStart(2, '0')}`, i % 3 ? null : `n${i}`])
  const back = insertMany<{ id: number; child: number; day: string }>(db, 'cell', COLUMNS, rows, 'id, child, day')
  expect(back).toHaveLength(n)
  const stored = db.prepare('SELECT id, child, day, note FROM cell ORDER BY id').all() as { id: number; child: number; day: string; note: string | null }[]
  expect(stored).toHaveLength(n)
  const byId = new Map(stored.map((r) => [r.id, r]))
  for (const r of back) expect(byId.get(r.id)).toMatchObject({ child: r.child, day: r.day })
  expect(new Set(stored.map((r) => `${r.child}|${r.day}|${r.note}`))).toEqual(new Set(rows.map(([c, d, note]) => `${c}|${d}|${note}`)))
})

test('without RETURNING it inserts and returns nothing; a conflict fails the statement and writes none of its chunk', () => {
  expect(insertMany(db, 'cell', COLUMNS, [[1, '2027-01-04', null], [2, '2027-01-04', 'x']])).toEqual([])
  expect(() => insertMany(db, 'cell', COLUMNS, [[3, '2027-01-05', null], [1, '2027-01-04', 'dup']])).toThrow(/UNIQUE/)
  expect(db.prepare('SELECT COUNT(*) AS n FROM cell').get()).toEqual({ n: 2 })
})
