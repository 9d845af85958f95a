import type Database from 'better-sqlite3'

/**
 * Prepared statements cached per connection. Hot paths (the rush's booking
 * rows, the session check of every request) run the same few statements
 * thousands of times; preparing costs more than running them.
 */
const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>()

export function stmt(db: Database.Database, text: string): Database.Statement {
  let m = cache.get(db)
  if (!m) cache.set(db, (m = new Map()))
  let s = m.get(text)
  if (!s) m.set(text, (s = db.prepare(text)))
  return s
}

/** Rows per multi-row INSERT; a batch is cut into chunks of 64, 32, … 1 so at most seven statements per table are cached. */
const CHUNKS = [64, 32, 16, 8, 4, 2, 1]

/**
 * Inserts many rows with multi-row `INSERT … VALUES (…), (…)` statements.
 * Each INSERT statement pays a fixed price (statement journal, AUTOINCREMENT
 * counter, deferred foreign-key check, trigger setup): on the rush's booking
 * rows one statement per 32 rows costs half as much per row as 32 statements.
 * With `returning`, gives back the RETURNING rows — in no guaranteed order
 * (SQLite documents it as arbitrary), so callers match them by key.
 */
export function insertMany<R = unknown>(db: Database.Database, table: string, columns: readonly string[], rows: readonly unknown[][], returning?: string): R[] {
  const out: R[] = []
  let at = 0
  while (at < rows.length) {
    const n = CHUNKS.find((c) => c <= rows.length - at)!
    const s = stmt(db, insertText(table, columns, n, returning))
    const params: unknown[] = []
    for (let i = at; i < at + n; i++) for (const v of rows[i]) params.push(v)
    if (returning) for (const r of s.all(params) as R[]) out.push(r)
    else s.run(params)
    at += n
  }
  return out
}

/** The SQL of a multi-row INSERT, built once per (columns, table, size): building a 64-tuple text per call cost more than running it. */
const insertTexts = new WeakMap<readonly string[], Map<string, string>>()

function insertText(table: string, columns: readonly string[], n: number, returning: string | undefined): string {
  let byKey = insertTexts.get(columns)
  if (!byKey) insertTexts.set(columns, (byKey = new Map()))
  const key = `${table}|${n}|${returning ?? ''}`
  let text = byKey.get(key)
  if (!text) {
    const tuple = `(${columns.map(() => '?').join(', ')})`
    text = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: n }, () => tuple).join(', ')}${returning ? ` RETURNING ${returning}` : ''}`
    byKey.set(key, text)
  }
  return text
}
