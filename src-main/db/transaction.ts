import { AsyncLocalStorage } from 'node:async_hooks'
import type Database from 'better-sqlite3'
import type { DataSource, EntityManager, QueryRunner } from 'typeorm'
import { Mutex } from '../core/mutex'
import { rawDatabase } from './data-source'
import { StorageError, orStorageError } from './storage-errors'

/** The fields of TypeORM's single SQLite query runner that say whether it thinks a transaction is open. */
type RunnerState = QueryRunner & { isTransactionActive: boolean; transactionDepth: number }

/**
 * The one transaction helper. Every multi-row write goes through it.
 *
 * TypeORM's SQLite driver has a single connection, so concurrent
 * transactions would interleave on it; the mutex runs them one at a time. A
 * nested call reuses the outer transaction instead of deadlocking on the
 * mutex.
 *
 * The transaction is begun and ended here, on better-sqlite3, not by
 * TypeORM. On "disk full" or an I/O error SQLite rolls the transaction back
 * by itself; TypeORM's own bookkeeping did not notice (its ROLLBACK failed,
 * it kept a transaction depth of 1), and every later transaction became a
 * savepoint inside one that never committed, each answered 200. Here the
 * only source of truth is SQLite's `inTransaction`:
 * - COMMIT is issued only if SQLite still has the transaction; a failed
 *   statement or COMMIT is followed by ROLLBACK only if it still has one;
 * - TypeORM is told a transaction is active for exactly the duration of ours
 *   (so its `save` never opens one of its own inside) and nothing else;
 * - any TypeORM query after SQLite ended the transaction is refused, so work
 *   that swallowed the error cannot go on writing in autocommit mode.
 * Storage failures surface as a StorageError with a French message.
 */
export class Transactor {
  private readonly mutex = new Mutex()
  private readonly current = new AsyncLocalStorage<EntityManager>()
  /** Set while a `read` holds the mutex, so a nested read reuses it instead of waiting for itself forever. */
  private readonly reading = new AsyncLocalStorage<EntityManager>()
  private readonly db: Database.Database
  private readonly runner: RunnerState
  /** True between our BEGIN and our COMMIT/ROLLBACK. */
  private open = false

  constructor(
    private readonly ds: DataSource,
    /** Told after each write transaction ends (the idle WAL checkpoint re-arms on it). */
    private readonly afterWrite: () => void = () => {},
    private readonly log: (msg: string) => void = () => {}
  ) {
    this.db = rawDatabase(ds)
    // The driver hands out one query runner for its one connection; every manager uses it.
    this.runner = ds.createQueryRunner() as RunnerState
    ds.subscribers.push({
      beforeQuery: () => {
        if (this.open && !this.db.inTransaction) throw new StorageError('tx_lost', 'SQLite ended the transaction; query refused')
      }
    })
  }

  run<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const outer = this.current.getStore()
    if (outer) return fn(outer)
    // Waiting for the mutex here would deadlock (the read holds it); say so instead of hanging.
    if (this.reading.getStore()) return Promise.reject(new Error('tx.run inside tx.read: start the transaction outside the read'))
    return this.mutex.run(async () => {
      try {
        return await this.transaction(fn)
      } finally {
        this.afterWrite()
      }
    })
  }

  private async transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    this.discardStray()
    try {
      // IMMEDIATE: the write lock is taken now, so "busy" can only happen here, before any work.
      this.db.exec('BEGIN IMMEDIATE')
    } catch (e) {
      throw orStorageError(e)
    }
    this.open = true
    this.setRunner(true)
    try {
      const m = this.runner.manager
      const result = await this.current.run(m, () => fn(m))
      // The work may have swallowed the error that made SQLite end the transaction: its writes are gone.
      if (!this.db.inTransaction) throw new StorageError('tx_lost', 'SQLite ended the transaction during the work')
      this.db.exec('COMMIT')
      return result
    } catch (e) {
      this.rollback()
      throw orStorageError(e)
    } finally {
      this.open = false
      this.setRunner(false)
    }
  }

  /** ROLLBACK, only if SQLite still has a transaction (after "disk full" it has already rolled back by itself). */
  private rollback(): void {
    if (!this.db.inTransaction) return
    try {
      this.db.exec('ROLLBACK')
    } catch (e) {
      // Nothing more can be undone; the next transaction checks the state again (discardStray).
      this.log(`ROLLBACK impossible : ${(e as Error).message}`)
    }
  }

  /**
   * A transaction left open on the connection by something other than this
   * helper (a TypeORM `save` outside `run` whose ROLLBACK failed, a
   * migration) was never acknowledged by us: end it rather than nest in it.
   */
  private discardStray(): void {
    if (this.db.inTransaction) {
      this.log('Transaction laissée ouverte hors du gestionnaire de transactions : annulée.')
      this.rollback()
    }
    this.setRunner(false)
  }

  private setRunner(active: boolean): void {
    this.runner.isTransactionActive = active
    this.runner.transactionDepth = 0
  }

  /** Runs `work` while no transaction is open on the connection (a WAL checkpoint, a backup's copy). */
  exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    return this.mutex.run(async () => work())
  }

  /** Read-only work: waits for any running transaction so it never sees half of one. */
  read<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const outer = this.current.getStore() ?? this.reading.getStore()
    if (outer) return fn(outer)
    return this.mutex.run(() => this.reading.run(this.ds.manager, () => fn(this.ds.manager)))
  }
}
