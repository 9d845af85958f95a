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
