import { AsyncLocalStorage } from 'node:async_hooks'
import type { DataSource, EntityManager } from 'typeorm'
import { Mutex } from '../core/mutex'

/**
 * The one transaction helper. Every multi-row write goes through it.
 *
 * TypeORM's SQLite driver has a single connection, so concurrent
 * `dataSource.transaction` calls would interleave on it; the mutex runs them
 * one at a time. A nested call reuses the outer transaction instead of
 * deadlocking on the mutex.
 */
export class Transactor {
  private readonly mutex = new Mutex()
  private readonly current = new AsyncLocalStorage<EntityManager>()
  /** Set while a `read` holds the mutex, so a nested read reuses it instead of waiting for itself forever. */
  private readonly reading = new AsyncLocalStorage<EntityManager>()

  constructor(
    private readonly ds: DataSource,
    /** Told after each write transaction ends (the idle WAL checkpoint re-arms on it). */
    private readonly afterWrite: () => void = () => {}
  ) {}

  run<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const outer = this.current.getStore()
    if (outer) return fn(outer)
    // Waiting for the mutex here would deadlock (the read holds it); say so instead of hanging.
    if (this.reading.getStore()) return Promise.reject(new Error('tx.run inside tx.read: start the transaction outside the read'))
    return this.mutex.run(async () => {
      try {
        return await this.ds.transaction((m) => this.current.run(m, () => fn(m)))
      } finally {
        this.afterWrite()
      }
    })
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
