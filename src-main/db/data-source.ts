import 'reflect-metadata'
import { DataSource } from 'typeorm'
import type Database from 'better-sqlite3'
import { Counter } from './counter'
import { migrations } from './migrations'
import { WAL_BACKSTOP_PAGES } from './idle-checkpoint'

/**
 * The DataSource on `file`. `entities` are the capabilities' (core/entities.ts gathers them): the storage layer adds
 * only its own (the counters) and imports no feature.
 */
export function createDataSource(file: string, entities: Function[]): DataSource {
  return new DataSource({
    type: 'better-sqlite3',
    database: file,
    entities: [Counter, ...entities],
    migrations,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    logging: false,
    // WAL lets the portal read while the desk writes; FULL makes a committed
    // invoice survive a power cut; foreign keys are off by default in SQLite.
    prepareDatabase: (db: Database.Database) => {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = FULL')
      db.pragma('foreign_keys = ON')
      db.pragma('busy_timeout = 5000')
      // Statement and savepoint journals in memory, not in temp files: every booking insert fires the places-count
      // trigger (a statement journal) inside a per-family savepoint (the group commit), and the temp-file journals
      // tripled the cost of a booking row. Durability is unchanged: the WAL and its fsync are the main database's.
      db.pragma('temp_store = MEMORY')
      // Checkpoints run when writes pause (see idle-checkpoint.ts); this is only the backstop.
      db.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`)
    }
  })
}

/** The raw better-sqlite3 handle under TypeORM (for backups and hot bulk paths). */
export function rawDatabase(ds: DataSource): Database.Database {
  return (ds.driver as unknown as { databaseConnection: Database.Database }).databaseConnection
}
