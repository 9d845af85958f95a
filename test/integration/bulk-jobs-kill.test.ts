/**
 * The commune-wide jobs (#19) killed midway (SIGKILL, mid-transaction) and
 * resumed finish exactly as an uninterrupted run does: for a closure, the
 * same bookings cancelled, the same credits (none twice, none missing), one
 * e-mail per family; for a period's enrolments, every one accepted once with
 * its year of bookings. The interrupted state itself is consistent: every
 * family before the cursor is wholly done (cancelled AND credited), none
 * after it is touched.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { seedInvoicingLoad } from '../../bench/billing-load'
import { SYSTEM } from '../../src-main/core/actor'
import { filePendingEnrolments, seedAutobookActivity } from '../../bench/alae-year'
import { startAutobookJob } from '../../src-main/activities/autobook-job'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { saveClosure } from '../../src-main/calendar/admin'
import { getJob, listUnfinishedJobs, resumeJobs } from '../../src-main/jobs/kinds'
import { openTestCore, seedStaff, TEST_NOW, type SeededStaff, type TestCore } from '../helpers/core'
import { runTs } from '../helpers/backups'

const CLOSURE = { facilityId: null, activityId: null, startDate: '2026-03-17', endDate: '2026-03-18', reason: 'Grève' }
let base: string
let work: string
let direction: SeededStaff
let periodId: number

/** The job in a child process, killed once it reports `pauseAt` or beyond. */
const runChild = (dir: string, what: 'closure' | 'autobook', env: Record<string, string>, pauseAt: number) =>
  runTs('test/helpers/bulk-job-child.ts', [dir, what], {
    env: { NOW: TEST_NOW.toISOString(), ACTOR: JSON.stringify(direction.actor), CLOSURE: JSON.stringify(CLOSURE), PERIOD: String(periodId), PAUSE_AT: String(pauseAt), ...env },
    killWhen: (out) => [...out.matchAll(/PROGRESS (\d+)/g)].some((m) => Number(m[1]) >= pauseAt)
  })

/** Everything the closure decides, in an order that does not depend on chunking. */
function closureFacts(core: TestCore, familyIds?: Set<number>) {
  const keep = (f: number) => !familyIds || familyIds.has(f)
  const cancelled = (
    core.db.prepare(`SELECT b.id, c.family_id AS f FROM booking b JOIN child c ON c.id = b.child_id WHERE b.day BETWEEN ? AND ? AND b.state = 'CANCELLED' ORDER BY b.id`).all(CLOSURE.startDate, CLOSURE.endDate) as { id: number; f: number }[]
  )
    .filter((r) => keep(r.f))
  const credits = (
    core.db
      .prepare(`SELECT family_id AS f, child_id AS child, month, label, amount_cents AS cents, created_by AS by FROM billing_adjustment WHERE label LIKE 'Régularisation : fermeture%' ORDER BY family_id, child_id, label, amount_cents`)
      .all() as { f: number }[]
  ).filter((r) => keep(r.f))
  const mails = (core.db.prepare(`SELECT recipient, subject, text_body AS body FROM outbox_mail WHERE subject LIKE '%Fermeture exceptionnelle%' ORDER BY recipient, text_body`).all() as { recipient: string }[])
  return { cancelled, credits, mails }
}

const autobookFacts = (core: TestCore) => ({
  enrolments: core.db.prepare(`SELECT id, status FROM enrolment WHERE period_id = ? ORDER BY id`).all(periodId),
  bookings: core.db.prepare(`SELECT child_id, unit_id, day, state, source, price_cents FROM booking WHERE enrolment_id IS NOT NULL ORDER BY child_id, unit_id, day`).all(),
  mails: (core.db.prepare(`SELECT COUNT(*) AS n FROM outbox_mail WHERE subject NOT LIKE '%Fermeture exceptionnelle%'`).get() as { n: number }).n
})

let expected: { closure: ReturnType<typeof closureFacts>; autobook: ReturnType<typeof autobookFacts>; outcome: Record<string, unknown> }

beforeAll(async () => {
  const owner = await openTestCore()
  base = owner.paths.dataDir
  direction = await seedStaff(owner, 'direction', { displayName: 'Claire Directrice' })
  const load = await seedInvoicingLoad(owner, { families: 30 })
  await issueRun(owner, SYSTEM, { regieId: load.regieId, month: load.month })
  // A school-year activity whose pending enrolments the autobook job accepts (a term here: the test stays fast).
  const alae = await seedAutobookActivity(owner, { name: 'Trimestre 1', startDate: '2026-09-08', endDate: '2026-10-16' })
  periodId = alae.periodId
  filePendingEnrolments(owner, alae)
  await owner.close()

  // The uninterrupted runs, one chunk for the closure (default size), on a copy.
  const dir = mkdtempSync(join(tmpdir(), 'ribambelle-jobs-a-'))
  cpSync(base, dir, { recursive: true })
  const a1 = await openTestCore({ dataDir: dir })
  const outcome = await saveClosure(a1, direction.actor, CLOSURE)
  await startAutobookJob(a1, direction.actor, { periodId, waitlistIfFull: false })
  expected = { closure: closureFacts(a1), autobook: autobookFacts(a1), outcome: { cancelledBookings: outcome.cancelledBookings, creditedBookings: outcome.creditedBookings, notifiedFamilies: outcome.notifiedFamilies } }
  await a1.close()
  rmSync(dir, { recursive: true, force: true })
  work = mkdtempSync(join(tmpdir(), 'ribambelle-jobs-b-'))
  cpSync(base, work, { recursive: true })
}, 120_000)

afterAll(() => {
  rmSync(base, { recursive: true, force: true })
  rmSync(work, { recursive: true, force: true })
})

describe('a commune-wide job killed midway', () => {
  test('closure: consistent when killed, and resumed it gives exactly the credits of an uninterrupted run', async () => {
    // The world has something to credit and to cancel beyond one chunk.
    expect(expected.closure.credits.length).toBeGreaterThan(5)
    expect(expected.closure.mails.length).toBeGreaterThan(10)

    const r = await runChild(work, 'closure', { RIBAMBELLE_CLOSURE_CHUNK: '4' }, 12)
    expect(r.signal, r.err).toBe('SIGKILL')
    const core = await openTestCore({ dataDir: work })
    try {
      expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok')
      const [job] = await listUnfinishedJobs(core, 'closure')
      // Two chunks of 4 families committed; the third, killed before COMMIT, left nothing.
      expect(job).toMatchObject({ state: 'interrupted', done: 8, createdBy: 'Claire Directrice' })
      const cursor = (core.db.prepare('SELECT cursor FROM bulk_job WHERE id = ?').get(job.id) as { cursor: number }).cursor
      const doneFamilies = new Set((core.db.prepare('SELECT item_id FROM bulk_job_item WHERE job_id = ? AND item_id <= ?').all(job.id, cursor) as { item_id: number }[]).map((x) => x.item_id))
      const partial = closureFacts(core)
      // The families done are wholly done (each cancelled booking with its credit and its e-mail), the others untouched.
      expect(partial.cancelled.length).toBeGreaterThan(0)
      expect(partial.cancelled).toEqual(expected.closure.cancelled.filter((b) => doneFamilies.has(b.f)))
      expect(partial.credits).toEqual(expected.closure.credits.filter((c) => doneFamilies.has((c as { f: number }).f)))
      expect(partial.credits.length).toBeGreaterThan(0)
      expect(partial.mails.length).toBeGreaterThan(0)
      expect(partial.mails.length).toBeLessThan(expected.closure.mails.length)

      // The next start resumes it where it stopped.
      await resumeJobs(core)
      expect(await getJob(core, job.id)).toMatchObject({ state: 'done', done: job.total, result: expected.outcome })
      expect(closureFacts(core)).toEqual(expected.closure)
      expect(await listUnfinishedJobs(core, 'closure')).toEqual([])
    } finally {
      await core.close()
    }
  }, 60_000)

  test('autobook: resumed, every pending enrolment is accepted once with the same bookings as an uninterrupted run', async () => {
    expect(expected.autobook.bookings.length).toBeGreaterThan(1000)
    const r = await runChild(work, 'autobook', { RIBAMBELLE_AUTOBOOK_CHUNK: '5' }, 15)
    expect(r.signal, r.err).toBe('SIGKILL')
    const core = await openTestCore({ dataDir: work })
    try {
      const [job] = await listUnfinishedJobs(core, 'autobook')
      expect(job).toMatchObject({ state: 'interrupted', done: 10 })
      const validated = (core.db.prepare(`SELECT COUNT(*) AS n FROM enrolment WHERE period_id = ? AND status = 'validated'`).get(periodId) as { n: number }).n
      expect(validated).toBe(10)
      await resumeJobs(core)
      expect(await getJob(core, job.id)).toMatchObject({ state: 'done', done: job.total, result: { validated: job.total, errors: 0 } })
      expect(autobookFacts(core)).toEqual(expected.autobook)
    } finally {
      await core.close()
    }
  }, 60_000)
})
