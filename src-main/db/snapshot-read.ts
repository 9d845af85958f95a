import type Database from 'better-sqlite3'
import { nextTurn } from '../core/next-turn'
import { openReader } from './reader'

/** Rows per read of a long scan: a few milliseconds each, so the event loop (the portal) gets a turn between them. */
export const READ_CHUNK = 400

export interface SnapshotRead {
  /** The connection, inside a read transaction begun before the first chunk. */
  db: Database.Database
  /** Lets the event loop run (requests, timers) between two chunks. */
  pause(): Promise<void>
}

/**
 * A long read (a commune's SEPA or PES V2 export) done in short chunks that all see ONE committed state.
 *
 * `tx.read` holds the transaction mutex for as long as the read lasts: read whole, a city's export stopped every
 * write (and every read) of the portal for seconds. Chunks of `tx.read` would each see a different state: an invoice
 * paid, cancelled or put in a titre between two chunks would end up half in the file. Here the chunks run on a
 * connection of their own, read-only, inside one read transaction: in WAL mode SQLite keeps showing it the state
 * as of its first read, whatever commits meanwhile on the main connection, and it takes no lock that writers wait
 * for. So the file is built from one instant, as if read in one go, while the portal keeps writing between chunks.
 * (The WAL cannot be checkpointed past that instant until the read ends: a few seconds, then the idle checkpoint
 * catches up.)
 */
export async function snapshotRead<T>(dbFile: string, work: (r: SnapshotRead) => Promise<T>): Promise<T> {
  const db = openReader(dbFile)
  try {
    db.exec('BEGIN')
    // The snapshot is taken at the first read, not at BEGIN: take it now.
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get()
    return await work({ db, pause: nextTurn })
  } finally {
    if (db.inTransaction) db.exec('COMMIT')
    db.close()
  }
}

/**
 * Every row of `page`, a query whose last two parameters are « id greater than » and « limit » (`… AND x.id > ?
 * ORDER BY x.id LIMIT ?`), read `size` rows at a time with a pause between two reads; `keep` drops rows as they
 * come, so only the ones kept are held.
 */
export async function readInIdOrder<R extends { id: number }>(
  r: SnapshotRead,
  page: Database.Statement,
  args: unknown[],
  size = READ_CHUNK,
  keep: (row: R) => boolean = () => true
): Promise<R[]> {
  const rows: R[] = []
  for (let after = 0; ; ) {
    const chunk = page.all(...args, after, size) as R[]
    if (!chunk.length) return rows
    after = chunk.at(-1)!.id
    for (const row of chunk) if (keep(row)) rows.push(row)
    await r.pause()
  }
}

/** `ids` in groups of `size`, for IN lists read chunk by chunk. */
export function* groupsOf<T>(ids: T[], size = READ_CHUNK): Generator<T[]> {
  for (let i = 0; i < ids.length; i += size) yield ids.slice(i, i + size)
}
