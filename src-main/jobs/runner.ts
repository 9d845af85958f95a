/**
 * Durable commune-wide jobs (#19): a job is recorded (what, who, parameters,
 * and the list of items it works through) in the caller's short transaction,
 * then applied chunk by chunk, each chunk in its own short transaction that
 * does its work AND moves the job's cursor. A process killed midway (kill -9)
 * loses at most the chunk it was in, which rolls back whole: the job resumes
 * at the next start (resumeJobs) or from « Reprendre », after the last chunk
 * that committed, and ends exactly as an uninterrupted run would.
 *
 * Memory stays bounded: the items are paged by keyset (item_id > cursor), a
 * chunk at a time, and the result is a handful of counters.
 */
import type { EntityManager } from 'typeorm'
import type Database from 'better-sqlite3'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { auditRow, stmt } from '../bookings/sql'
import { nextTurn } from '../core/next-turn'

export type JobKind = 'closure' | 'autobook'

export interface JobRow<P = unknown> {
  id: number
  kind: JobKind
  params: P
  /** Who started it: every row the chunks write is audited under this person, whoever resumes it. */
  actor: Actor
  status: 'running' | 'done'
  cursor: number
  done: number
  total: number
  result: Record<string, number>
  createdAt: string
  finishedAt: string | null
}

export interface JobDefinition<P = unknown> {
  /** Items per chunk: small enough for a transaction of well under 200 ms. */
  chunkSize: number
  /** Applies the job to `items` (ascending, after the cursor) in the runner's transaction; returns counters to add to the result. */
  chunk(m: EntityManager, core: Core, job: JobRow<P>, items: number[]): Promise<Record<string, number>>
  /** Last transaction, once every item is done (e.g. a closure sweeps what was booked on its days meanwhile). */
  finish?(m: EntityManager, core: Core, job: JobRow<P>): Promise<Record<string, number>>
}

export interface JobHooks {
  /** Called inside each chunk's transaction, before COMMIT: items done, items in all. */
  onChunk?(done: number, total: number): void
}

interface Raw {
  id: number
  kind: JobKind
  params: string
  actor: string
  status: 'running' | 'done'
  cursor: number
  done: number
  total: number
  result: string
  created_at: string
  finished_at: string | null
}

export function loadJob<P>(db: Database.Database, id: number): JobRow<P> | null {
  const r = stmt(db, 'SELECT * FROM bulk_job WHERE id = ?').get(id) as Raw | undefined
  if (!r) return null
  return {
    id: r.id,
    kind: r.kind,
    params: JSON.parse(r.params) as P,
    actor: JSON.parse(r.actor) as Actor,
    status: r.status,
    cursor: r.cursor,
    done: r.done,
    total: r.total,
    result: JSON.parse(r.result) as Record<string, number>,
    createdAt: r.created_at,
    finishedAt: r.finished_at
  }
}

/**
 * Records a job in the caller's transaction, with its items: the ids that
 * `itemsSql` selects (its only column, run with `itemsArgs`). Returns the job
 * id and the number of items (0: nothing to do; the job is recorded as done).
 */
export function recordJob(
  db: Database.Database,
  actor: Actor,
  at: string,
  kind: JobKind,
  params: unknown,
  itemsSql: string,
  itemsArgs: unknown[]
): { id: number; total: number } {
  // The actor as the audit needs it, without the session's flags.
  const who = actor.kind === 'staff' ? { kind: actor.kind, id: actor.id, label: actor.label, role: actor.role } : actor
  const id = Number(
    stmt(db, `INSERT INTO bulk_job (kind, params, actor, created_by, created_at) VALUES (?, ?, ?, ?, ?)`).run(
      kind,
      JSON.stringify(params),
      JSON.stringify(who),
      actor.kind === 'staff' ? actor.id : null,
      at
    ).lastInsertRowid
  )
  const total = db.prepare(`INSERT OR IGNORE INTO bulk_job_item (job_id, item_id) SELECT ?, x.id FROM (${itemsSql}) x`).run(id, ...itemsArgs).changes
  stmt(db, 'UPDATE bulk_job SET total = ? WHERE id = ?').run(total, id)
  auditRow(db, actor, at, 'bulk-job-start', 'bulk_job', id, null, { kind, params, total })
  return { id, total }
}

/** Jobs this process is applying now, per core: a second runner of the same job waits for the first instead. */
const active = new WeakMap<Core, Map<number, Promise<JobRow>>>()

export function isRunning(core: Core, id: number): boolean {
  return !!active.get(core)?.has(id)
}

/** Applies a recorded job to its end (from where it stopped, if it was interrupted). Resolves with the finished job. */
export function runJob<P>(core: Core, id: number, def: JobDefinition<P>, hooks: JobHooks = {}): Promise<JobRow<P>> {
  let mine = active.get(core)
  if (!mine) active.set(core, (mine = new Map()))
  const already = mine.get(id)
  if (already) return already as Promise<JobRow<P>>
  const p = drive(core, id, def, hooks).finally(() => mine.delete(id))
  mine.set(id, p as Promise<JobRow>)
  return p
}

async function drive<P>(core: Core, id: number, def: JobDefinition<P>, hooks: JobHooks): Promise<JobRow<P>> {
  const db = core.db
  for (;;) {
    const more = await core.tx.run(async (m) => {
      const job = loadJob<P>(db, id)
      if (!job || job.status !== 'running') return false
      const items = (stmt(db, 'SELECT item_id FROM bulk_job_item WHERE job_id = ? AND item_id > ? ORDER BY item_id LIMIT ?').all(id, job.cursor, def.chunkSize) as { item_id: number }[]).map(
        (r) => r.item_id
      )
      const add = items.length ? await def.chunk(m, core, job, items) : ((await def.finish?.(m, core, job)) ?? {})
      const result = { ...job.result }
      for (const [k, v] of Object.entries(add)) result[k] = (result[k] ?? 0) + v
      if (!items.length) {
        stmt(db, `UPDATE bulk_job SET status = 'done', result = ?, finished_at = ? WHERE id = ?`).run(JSON.stringify(result), core.clock.now().toISOString(), id)
        return false
      }
      const done = job.done + items.length
      stmt(db, 'UPDATE bulk_job SET cursor = ?, done = ?, result = ? WHERE id = ?').run(items[items.length - 1], done, JSON.stringify(result), id)
      hooks.onChunk?.(done, job.total)
      return true
    })
    if (!more) break
    // Between chunks, the portal's and the desk's transactions get their turn.
    await nextTurn()
  }
  return loadJob<P>(db, id)!
}

/** Jobs recorded but not finished: interrupted (process killed, storage error) unless this process is applying them. */
export function unfinishedJobs(db: Database.Database, kind?: JobKind): number[] {
  return (stmt(db, `SELECT id FROM bulk_job WHERE status = 'running' AND (? IS NULL OR kind = ?) ORDER BY id`).all(kind ?? null, kind ?? null) as { id: number }[]).map((r) => r.id)
}
