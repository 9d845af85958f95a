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

  constructor(private readonly ds: DataSource) {}

  run<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const outer = this.current.getStore()
    if (outer) return fn(outer)
    return this.mutex.run(() => this.ds.transaction((m) => this.current.run(m, () => fn(m))))
  }

  /** Read-only work: waits for any running transaction so it never sees half of one. */
  read<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const outer = this.current.getStore()
    if (outer) return fn(outer)
    return this.mutex.run(() => fn(this.ds.manager))
  }
}
