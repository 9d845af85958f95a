/**
 * The commune-wide jobs by kind: what « Reprendre » and the next start run,
 * and what the screens that started them show of them.
 */
import type { BulkJobDto } from '@shared/contract/jobs'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { frenchDate } from '../core/clock'
import { auditRow, stmt } from '../bookings/sql'
import { autobookJob, type AutobookParams } from '../activities/autobook-job'
import type { ClosureScope } from '../calendar/closure-bookings'
import { closureJob } from '../calendar/closure-job'
import { isRunning, loadJob, runJob, unfinishedJobs, type JobDefinition, type JobKind, type JobRow } from './runner'

const JOBS: Record<JobKind, JobDefinition<never>> = { closure: closureJob as JobDefinition<never>, autobook: autobookJob as JobDefinition<never> }

function label(core: Core, job: JobRow): string {
  if (job.kind === 'closure') {
    const c = job.params as ClosureScope
    const when = c.startDate === c.endDate ? `du ${frenchDate(c.startDate)}` : `du ${frenchDate(c.startDate)} au ${frenchDate(c.endDate)}`
    return `Fermeture ${when} (${c.reason})`
  }
  const p = stmt(core.db, 'SELECT p.name AS period, a.name AS activity FROM activity_period p JOIN activity a ON a.id = p.activity_id WHERE p.id = ?').get(
    (job.params as AutobookParams).periodId
  ) as { period: string; activity: string } | undefined
  return `Inscriptions en attente acceptées : ${p ? `${p.activity}, ${p.period}` : 'période supprimée'}`
}

export function jobDto(core: Core, job: JobRow): BulkJobDto {
  return {
    id: job.id,
    kind: job.kind,
    state: job.status === 'done' ? 'done' : isRunning(core, job.id) ? 'running' : 'interrupted',
    done: job.done,
    total: job.total,
    result: job.result,
    label: label(core, job),
    createdAt: job.createdAt,
    createdBy: job.actor.label
  }
}

/** A job as the screen that polls it shows it (progress while it runs, counts when done). */
export async function getJob(core: Core, id: number): Promise<BulkJobDto> {
  return core.tx.read(async () => {
    const job = loadJob(core.db, id)
    if (!job) throw notFound('Traitement')
    return jobDto(core, job)
  })
}

/** The jobs of a kind not finished yet: running in this process, or interrupted (« Reprendre »). */
export async function listUnfinishedJobs(core: Core, kind: JobKind): Promise<BulkJobDto[]> {
  return core.tx.read(async () => unfinishedJobs(core.db, kind).map((id) => jobDto(core, loadJob(core.db, id)!)))
}

/** « Reprendre » : finishes an interrupted job where it stopped; its rows stay audited under who started it. */
export async function resumeJob(core: Core, actor: Actor, id: number): Promise<BulkJobDto> {
  const job = await core.tx.run(async () => {
    const job = loadJob(core.db, id)
    if (!job) throw notFound('Traitement')
    if (job.kind === 'closure' && !(actor.kind === 'staff' && actor.role === 'direction')) {
      throw new DomainError('forbidden', 'Seule la direction peut reprendre une fermeture.', 403)
    }
    if (job.status === 'running' && !isRunning(core, id)) auditRow(core.db, actor, core.clock.now().toISOString(), 'bulk-job-resume', 'bulk_job', id, null, { kind: job.kind, done: job.done, total: job.total })
    return job
  })
  return jobDto(core, await runJob(core, id, JOBS[job.kind]))
}

/** At start: the jobs a stopped process left unfinished are finished, one after the other, in the background. */
export async function resumeJobs(core: Core, log: (msg: string) => void = () => {}): Promise<void> {
  for (const id of await core.tx.read(async () => unfinishedJobs(core.db))) {
    const job = await core.tx.read(async () => loadJob(core.db, id)!)
    log(`Reprise du traitement n° ${id} (${job.kind}) : ${job.done} / ${job.total}`)
    await runJob(core, id, JOBS[job.kind])
  }
}
