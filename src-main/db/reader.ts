import Database from 'better-sqlite3'

/**
 * Page cache of a read-only side connection, in KiB. better-sqlite3 builds SQLite with 16 MB per connection
 * (SQLITE_DEFAULT_CACHE_SIZE=-16000), and with a city's database every connection fills it: the portal's snapshot
 * connection, the invoicing run's computation thread and the backup's integrity check added ≈ 50 MB to the
 * process (#19: peak RSS under 500 MB at 20,000 families). They read few pages at a time (a session, a chunk's
 * bookings by index) or each page once (integrity_check), and the OS keeps the file's pages anyway. The writing
 * connection keeps SQLite's 16 MB (data-source.ts).
 */
export const READER_CACHE_KIB = 2000

/** A read-only connection on the app's database, for reads that must not queue behind the write mutex. */
export function openReader(file: string, cacheKib = READER_CACHE_KIB): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  db.pragma('busy_timeout = 5000')
  db.pragma(`cache_size = -${cacheKib}`)
  return db
}
