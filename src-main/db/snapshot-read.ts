import Database from 'better-sqlite3'

/** Rows per read of a long scan: a few milliseconds each, so the event loop (the portal) gets a turn between them. */
export const READ_CHUNK = 400

export interface SnapshotRead {
  /** The connection, inside a read transaction begun before the first chunk. */
  db: Database.Database
  /** Lets the event loop run (requests, timers) between two chunks. */
  pause(): Promise<void>
}

/** One turn of the event loop: awaiting a promise alone never lets the timers and sockets (the portal) run. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

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
  const db = new Database(dbFile, { readonly: true, fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    db.exec('BEGIN')
    // The snapshot is taken at the first read, not at BEGIN: take it now.
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get()
    return await work({ db, pause: nextTurn })
  } finally {
    if (db.inTransaction) db.exec('COMMIT')
    db.close()
  }
}

/** `ids` in groups of `size`, for IN lists read chunk by chunk. */
export function* groupsOf<T>(ids: T[], size = READ_CHUNK): Generator<T[]> {
  for (let i = 0; i < ids.length; i += size) yield ids.slice(i, i + size)
}
