import type { EntityManager } from 'typeorm'
import type { Core } from '../core/app-core'
import { orStorageError } from '../db/storage-errors'
import { dbOf } from './sql'

interface Pending {
  work: (m: EntityManager) => Promise<unknown>
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
}

/** At most this many commits share one SQLite transaction (bounds the wait of the first one). */
const MAX_BATCH = 64

/**
 * Group commit for the rush of the 20th. Every "Terminer" runs in its own
 * SAVEPOINT, one after the other, inside ONE `core.tx.run` shared by the
 * commits that arrived while the previous batch was writing; the batch ends
 * with a single COMMIT, hence a single fsync (synchronous=FULL) for all of
 * them.
 *
 * - Atomic per family: a failing commit (complet, deadline…) is rolled back to
 *   its savepoint and rejected; the others are unaffected.
 * - Serialized: commits are judged one after the other on the same
 *   connection, each seeing the previous ones' places taken, so the capacity
 *   check stays exact.
 * - Durable: a commit's promise resolves only after the batch's COMMIT; if
 *   SQLite ends the transaction (disk full), every commit of the batch is
 *   rejected with the French StorageError, none half-applied.
 */
export class GroupCommit {
  private queue: Pending[] = []
  private draining = false

  constructor(private readonly core: Core) {}

  run<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject })
      if (!this.draining) {
        this.draining = true
        // Let the requests already parsed in this turn of the event loop join the first batch.
        setImmediate(() => void this.drain())
      }
    })
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH)
        const settle: (() => void)[] = []
        try {
          await this.core.tx.run(async (m) => {
            const db = dbOf(m)
            for (const p of batch) {
              try {
                const v = await this.core.tx.savepoint(() => p.work(m))
                settle.push(() => p.resolve(v))
              } catch (e) {
                // Disk full, I/O error: SQLite may have rolled the whole transaction back by itself. The earlier
                // commits of the batch are gone with it, so the batch fails as a whole (tx.savepoint never runs a
                // savepoint in autocommit mode, nor rolls back to one that no longer exists).
                if (!db.inTransaction) throw e
                settle.push(() => p.reject(orStorageError(e)))
              }
              // Give the event loop a turn between commits: without it a batch is one long chain of microtasks
              // during which no connection is accepted and no request is read.
              await new Promise<void>((r) => setImmediate(r))
            }
          })
        } catch (e) {
          // The batch failed as a whole (disk full…; tx.run made it a StorageError): nobody's changes were kept.
          for (const p of batch) p.reject(e)
          continue
        }
        for (const s of settle) s()
      }
    } finally {
      this.draining = false
    }
  }
}

const instances = new WeakMap<Core, GroupCommit>()

export function groupCommit(core: Core): GroupCommit {
  let g = instances.get(core)
  if (!g) instances.set(core, (g = new GroupCommit(core)))
  return g
}
