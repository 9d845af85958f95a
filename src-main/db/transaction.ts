import { AsyncLocalStorage } from 'node:async_hooks'
import type Database from 'better-sqlite3'
import type { DataSource, EntityManager, QueryRunner } from 'typeorm'
import { Mutex } from '../core/mutex'
import { rawDatabase } from './data-source'
import { StorageError, orStorageError } from './storage-errors'

/** The fields of TypeORM's single SQLite query runner that say whether it thinks a transaction is open. */
type RunnerState = QueryRunner & { isTransactionActive: boolean; transactionDepth: number }

/** The transaction an async call chain runs in: its manager and the changes it announced (see `announce`). */
interface TxScope {
  owner: Transactor
  m: EntityManager
  changes: unknown[]
  /** Work on things outside the database (files on disk) that must wait for COMMIT: see `afterCommit`. */
  after: (() => void)[]
}

/** Module-wide, so `announce` finds the running transaction without being handed the core. */
const scope = new AsyncLocalStorage<TxScope>()

/**
 * Announces a change made by the running transaction (a new request, a booking marked present…). The transaction
 * helper hands the announced changes to its listener (core/live) only after COMMIT, and drops them if the
 * transaction, or the savepoint they were announced under, is rolled back: nobody is ever told of a write that did
 * not happen, nor told before it is durable. Outside a transaction it throws: there would be no commit to wait for.
 */
/** True inside a `core.tx.run` (of any core). */
export function inTransaction(): boolean {
  return scope.getStore() !== undefined
}

export function announce(change: unknown): void {
  const s = scope.getStore()
  if (!s) throw new Error('announce() outside core.tx.run: a change is announced by the transaction that makes it')
  s.changes.push(change)
}

/**
 * Runs `fn` once the running transaction has committed, never if it (or the savepoint it was queued under) rolls back.
 * For what the database cannot undo: removing a file from disk whose row the transaction deletes. Outside a
 * transaction it throws, like `announce`.
 */
export function afterCommit(fn: () => void): void {
  const s = scope.getStore()
  if (!s) throw new Error('afterCommit() outside core.tx.run')
  s.after.push(fn)
}

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
    private readonly log: (msg: string) => void = () => {},
    /** Told, after each COMMIT, of the changes the transaction announced (never after a rollback). */
    private readonly committed: (changes: unknown[]) => void = () => {}
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

  /** This transactor's transaction running in the current call chain, if any. */
  private ownScope(): TxScope | undefined {
    const s = scope.getStore()
    return s?.owner === this ? s : undefined
  }

  run<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const outer = this.ownScope()
    if (outer) return fn(outer.m)
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
    const s: TxScope = { owner: this, m: this.runner.manager, changes: [], after: [] }
    try {
      const result = await scope.run(s, () => fn(s.m))
      // The work may have swallowed the error that made SQLite end the transaction: its writes are gone.
      if (!this.db.inTransaction) throw new StorageError('tx_lost', 'SQLite ended the transaction during the work')
      this.db.exec('COMMIT')
      // Durable now: only now may anyone hear of it. A listener's fault is not the write's.
      for (const fn of s.after) {
        try {
          fn()
        } catch (e) {
          this.log(`Tâche après validation impossible : ${(e as Error).message}`)
        }
      }
      if (s.changes.length) {
        try {
          this.committed(s.changes)
        } catch (e) {
          this.log(`Diffusion des changements impossible : ${(e as Error).message}`)
        }
      }
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

  /**
   * Runs `fn` under a SAVEPOINT of the running transaction: if it throws, its writes and the changes it announced
   * are undone while the rest of the transaction goes on (one family's « Terminer » in a group commit, one enrolment
   * of a bulk accept). If SQLite itself ended the whole transaction (disk full), there is no savepoint left to roll
   * back to: the error goes up and the whole transaction fails.
   */
  async savepoint<T>(fn: () => Promise<T>): Promise<T> {
    const s = this.ownScope()
    if (!s) throw new Error('savepoint() outside core.tx.run')
    const mark = s.changes.length
    const afterMark = s.after.length
    this.db.exec('SAVEPOINT rb_savepoint')
    try {
      const v = await fn()
      this.db.exec('RELEASE rb_savepoint')
      return v
    } catch (e) {
      s.changes.length = mark
      s.after.length = afterMark
      if (this.db.inTransaction) {
        this.db.exec('ROLLBACK TO rb_savepoint')
        this.db.exec('RELEASE rb_savepoint')
      }
      throw e
    }
  }

  /** Runs `work` while no transaction is open on the connection (a WAL checkpoint, a backup's copy). */
  exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    return this.mutex.run(async () => work())
  }

  /** Read-only work: waits for any running transaction so it never sees half of one. */
  read<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const outer = this.ownScope()?.m ?? this.reading.getStore()
    if (outer) return fn(outer)
    return this.mutex.run(() => this.reading.run(this.ds.manager, () => fn(this.ds.manager)))
  }
}
