/**
 * Auto-booking a school year for a whole city as a durable job (#19): the
 * pending enrolments of a period are accepted (each one books its year of
 * opening days, autobook.ts) by chunks, each chunk one short transaction that
 * also moves the job's cursor. The job and its list of enrolments are
 * recorded first in one short transaction; killed midway, it resumes after
 * the last chunk that committed, so every enrolment is accepted, and its
 * year booked, exactly once.
 */
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { notFound } from '../core/errors'
import { recordJob, runJob, type JobDefinition, type JobHooks, type JobRow } from '../jobs/runner'
import { ActivityPeriod } from './entities'
import { acceptChunk, BULK_ACCEPT_CHUNK } from './enrolment'

export interface AutobookParams {
  periodId: number
  waitlistIfFull: boolean
}

/** Enrolments per chunk: the bulk accept's (a school year is ~280 bookings a child); the kill test sets fewer. */
export const AUTOBOOK_CHUNK = { enrolments: Number(process.env.RIBAMBELLE_AUTOBOOK_CHUNK ?? BULK_ACCEPT_CHUNK) }

export const autobookJob: JobDefinition<AutobookParams> = {
  get chunkSize() {
    return AUTOBOOK_CHUNK.enrolments
  },
  async chunk(m, core, job, ids) {
    const outs = await acceptChunk(m, core, job.actor, ids, job.params.waitlistIfFull)
    const count = (o: string) => outs.filter((x) => x.outcome === o).length
    return {
      validated: count('validated'),
      waiting: count('waiting'),
      full: count('full'),
      errors: count('error'),
      bookings: outs.reduce((n, o) => n + o.bookings, 0),
      fullSlots: outs.reduce((n, o) => n + (o.fullSlots ?? 0), 0)
    }
  }
}

/**
 * « Accepter toutes les inscriptions en attente » of a period: records the
 * job with the enrolments pending now, then applies it. Resolves when done.
 */
export async function startAutobookJob(core: Core, actor: Actor, params: AutobookParams, hooks?: JobHooks): Promise<JobRow<AutobookParams>> {
  const id = await core.tx.run(async (m) => {
    if (!(await m.findOneBy(ActivityPeriod, { id: params.periodId }))) throw notFound('Période')
    return recordJob(core.db, actor, core.clock.now().toISOString(), 'autobook', { periodId: params.periodId, waitlistIfFull: params.waitlistIfFull }, `SELECT id FROM enrolment WHERE period_id = ? AND status = 'pending'`, [params.periodId]).id
  })
  return runJob(core, id, autobookJob, hooks)
}
