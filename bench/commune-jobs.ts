/**
 * The commune-wide jobs at city scale (#19): auto-booking a school year for
 * every child, and closing a day for the whole city (cancel, credit what was
 * invoiced, one e-mail per family).
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx bench/commune-jobs.ts seed [families=20000]
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx bench/commune-jobs.ts autobook|closure
 *
 * `seed` (once) writes the invoicing load of March 2026 (billing-load.ts),
 * issues it (so the closure has invoiced days to credit), and files one
 * pending ALAE enrolment per child for 2026/2027 (Matin + Soir on school
 * days, about 280 bookings a child). `autobook` and `closure` each copy that
 * database and run their job in a fresh process, so peak RSS is the job's
 * own. Reported: wall and CPU time, peak RSS (sampled every 50 ms, and the
 * process maxRSS), the write-lock holds (BEGIN IMMEDIATE … COMMIT on the
 * connection), the load average.
 */
import { cpSync, existsSync, rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { openCore } from '../src-main/core/app-core'
import { FixedClock } from '../src-main/core/clock'
import { SYSTEM } from '../src-main/core/actor'
import { acceptEnrolments } from '../src-main/activities/enrolment'
import { AUTOBOOK_CHUNK, startAutobookJob } from '../src-main/activities/autobook-job'
import { issueRun } from '../src-main/billing/invoicing/issue'
import { saveClosure } from '../src-main/calendar/admin'
import { seedAutobookActivity, filePendingEnrolments } from './alae-year'
import { BENCH_COMPTABLE, seedInvoicingLoad } from './billing-load'

const ROOT = resolve(process.env.BENCH_DATA_DIR ?? join(__dirname, '.data'))
const SEED = join(ROOT, 'commune-jobs-seed')
const WORK = join(ROOT, 'commune-jobs-work')
const clock = () => new FixedClock(new Date('2026-04-02T07:00:00Z'))
const STAFF = { ...BENCH_COMPTABLE, role: 'direction' as const }

async function seed(families: number) {
  rmSync(SEED, { recursive: true, force: true })
  const core = await openCore({ dataDir: SEED, clock: clock(), log: () => {} })
  core.db.prepare(`INSERT INTO staff_user (id, login, display_name, role, password_hash, created_at) VALUES (1, 'bench', 'Bench', 'direction', 'x', '2026-01-01')`).run()
  const load = await seedInvoicingLoad(core, { families })
  console.log(`seeded ${load.families} families, ${load.children} children, ${load.bookings} bookings`)
  // BENCH_ISSUE=1: March invoiced too, so the closure credits (a city's run takes many minutes on a shared machine).
  if (process.env.BENCH_ISSUE) {
    const t0 = performance.now()
    const run = await issueRun(core, BENCH_COMPTABLE, { regieId: load.regieId, month: load.month })
    console.log(`issued ${run.invoiceCount} invoices in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  }
  const alae = await seedAutobookActivity(core, { name: '2026/2027', startDate: '2026-09-01', endDate: '2027-07-02' })
  await core.tx.run(async () => void filePendingEnrolments(core, alae))
  await core.close()
}

async function measure(what: 'autobook' | 'closure') {
  if (!existsSync(SEED)) throw new Error('seed first: bench/commune-jobs.ts seed')
  rmSync(WORK, { recursive: true, force: true })
  cpSync(SEED, WORK, { recursive: true })
  const core = await openCore({ dataDir: WORK, clock: clock(), log: () => {} })
  const db = core.db
  // BENCH_AUTOBOOK_LIMIT=n: only the first n children's enrolments (not timed), for a shared machine's time budget.
  const limit = Number(process.env.BENCH_AUTOBOOK_LIMIT ?? 0)
  if (limit) db.prepare(`DELETE FROM enrolment WHERE status = 'pending' AND id NOT IN (SELECT id FROM enrolment WHERE status = 'pending' ORDER BY id LIMIT ?)`).run(limit)
  const holds: number[] = []
  const holdsCpu: number[] = []
  const cpuMs = () => {
    const u = process.cpuUsage()
    return (u.user + u.system) / 1000
  }
  let begun = 0
  let cpuAt = 0
  const exec = db.exec.bind(db)
  db.exec = ((sql: string) => {
    const r = exec(sql)
    if (sql === 'BEGIN IMMEDIATE') (begun = performance.now()), (cpuAt = cpuMs())
    else if ((sql === 'COMMIT' || sql === 'ROLLBACK') && begun) holds.push(performance.now() - begun), holdsCpu.push(cpuMs() - cpuAt), (begun = 0)
    return r
  }) as typeof db.exec
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50)
  const load0 = loadavg()[0]
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let detail = ''
  if (what === 'autobook') {
    // The period's pending enrolments as one job (#19); BENCH_BULK_ACCEPT=1 measures the queue's bulk accept instead (what was there before).
    if (process.env.BENCH_BULK_ACCEPT) {
      const ids = (db.prepare(`SELECT id FROM enrolment WHERE status = 'pending' ORDER BY id`).all() as { id: number }[]).map((x) => x.id)
      const out = await acceptEnrolments(core, STAFF, ids, false)
      detail = `${out.filter((o) => o.outcome === 'validated').length} enrolments accepted, ${out.reduce((n, o) => n + o.bookings, 0)} bookings (bulk accept)`
    } else {
      const periodId = (db.prepare(`SELECT id FROM activity_period WHERE name = '2026/2027'`).get() as { id: number }).id
      const job = await startAutobookJob(core, STAFF, { periodId, waitlistIfFull: false })
      detail = `${job.result.validated} enrolments accepted, ${job.result.bookings} bookings (job of ${job.total}, chunks of ${AUTOBOOK_CHUNK.enrolments})`
    }
  } else {
    const r = await saveClosure(core, STAFF, { facilityId: null, activityId: null, startDate: '2026-03-17', endDate: '2026-03-17', reason: 'Grève' })
    detail = `${r.cancelledBookings} bookings cancelled, ${r.creditedBookings} credited, ${r.notifiedFamilies} families notified, ${r.familiesToCall.length} to call`
  }
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage.rss())
  const sorted = [...holds].sort((a, b) => a - b)
  console.log(`${what}: ${detail}`)
  console.log(`  wall ${(ms / 1000).toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`)
  console.log(`  peak RSS ${(peak / 1e6).toFixed(0)} MB (sampled), maxRSS ${((process.resourceUsage().maxRSS * 1024) / 1e6).toFixed(0)} MB`)
  console.log(`  write transactions ${holds.length}, longest hold ${sorted.at(-1)?.toFixed(0)} ms, p99 ${sorted[Math.floor(sorted.length * 0.99)]?.toFixed(0)} ms (wall); longest hold in CPU time ${Math.max(...holdsCpu).toFixed(0)} ms`)
  console.log(`  loadavg ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)} (2 cores shared)`)
  await core.close()
}

const [cmd, arg] = process.argv.slice(2)
;(cmd === 'seed' ? seed(Number(arg ?? 20_000)) : measure(cmd as 'autobook' | 'closure')).catch((e) => {
  console.error(e)
  process.exit(1)
})
