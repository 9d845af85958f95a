/**
 * The closure of a day (or days) for a whole city as a durable job (#19):
 * the closure and the job (its families) are recorded in one short
 * transaction, then the families are worked through by chunks, each chunk in
 * one transaction that cancels their bookings, credits what was invoiced,
 * queues their e-mails and moves the cursor. Killed midway, it resumes after
 * the last chunk that committed: every family is done exactly once.
 */
import type Database from 'better-sqlite3'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { stmt } from '../bookings/sql'
import { recordJob, runJob, type JobDefinition, type JobHooks, type JobRow } from '../jobs/runner'
import { cancelClosedBookings, coveredFamiliesQuery, familyToCall, type ClosureOutcome, type ClosureScope } from './closure-bookings'

/**
 * Families per chunk: a city day is 2 to 4 bookings a family (each cancelled, audited, checked for a credit) and one
 * e-mail, so 50 families hold the write lock about 60 ms of CPU (bench/commune-jobs.ts). The kill test sets fewer.
 */
export const CLOSURE_CHUNK = { families: Number(process.env.RIBAMBELLE_CLOSURE_CHUNK ?? 50) }

async function apply(m: Parameters<JobDefinition['chunk']>[0], core: Core, job: JobRow<ClosureScope>, familyIds: number[] | null) {
  const out = await cancelClosedBookings(m, core, job.actor, job.params, familyIds)
  const call = stmt(core.db, 'INSERT OR REPLACE INTO bulk_job_call (job_id, family_id, cancelled) VALUES (?, ?, ?)')
  for (const f of out.familiesToCall) call.run(job.id, f.familyId, f.cancelled)
  return { cancelledBookings: out.cancelledBookings, notifiedFamilies: out.notifiedFamilies, creditedBookings: out.creditedBookings }
}

export const closureJob: JobDefinition<ClosureScope> = {
  get chunkSize() {
    return CLOSURE_CHUNK.families
  },
  chunk: (m, core, job, familyIds) => apply(m, core, job, familyIds),
  // Bookings made on the closed days after the job was recorded (the desk can force one): taken too, in the last step.
  finish: (m, core, job) => apply(m, core, job, null)
}

/** Records the closure's job in the caller's transaction (the closure's save). Null when it covers no booking. */
export function recordClosureJob(db: Database.Database, actor: Actor, at: string, c: ClosureScope): number | null {
  const scope: ClosureScope = { id: c.id, facilityId: c.facilityId, activityId: c.activityId, startDate: c.startDate, endDate: c.endDate, reason: c.reason }
  const [sql, args] = coveredFamiliesQuery(scope)
  const { id, total } = recordJob(db, actor, at, 'closure', scope, sql, args)
  if (total) return id
  stmt(db, `UPDATE bulk_job SET status = 'done', finished_at = ? WHERE id = ?`).run(at, id)
  return null
}

/** What a finished (or interrupted) closure job did: the counts and the families to phone, by name. */
export function closureOutcome(db: Database.Database, job: JobRow | null): ClosureOutcome {
  if (!job) return { cancelledBookings: 0, notifiedFamilies: 0, creditedBookings: 0, familiesToCall: [] }
  const calls = stmt(db, 'SELECT family_id AS familyId, cancelled FROM bulk_job_call WHERE job_id = ?').all(job.id) as { familyId: number; cancelled: number }[]
  return {
    cancelledBookings: job.result.cancelledBookings ?? 0,
    notifiedFamilies: job.result.notifiedFamilies ?? 0,
    creditedBookings: job.result.creditedBookings ?? 0,
    familiesToCall: calls.map((c) => familyToCall(db, c.familyId, c.cancelled)).sort((a, b) => a.name.localeCompare(b.name, 'fr'))
  }
}

export const runClosureJob = (core: Core, id: number, hooks?: JobHooks) => runJob(core, id, closureJob, hooks)
