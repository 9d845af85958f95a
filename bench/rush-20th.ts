/**
 * The rush of the 20th: 3,000 families book next month for their 2 children
 * within hours. autocannon (100 connections) sends one "Terminer"
 * (`bookings-commit`) per family — each request a different family session —
 * to the portal app listening on loopback (plain HTTP: TLS is not what is
 * measured), then the same number of requests to a bare Fastify +
 * better-sqlite3 endpoint doing one insert per request, in the same run.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/rush-20th.ts
 *   BENCH_FAMILIES=1000 BENCH_CONNECTIONS=50 … for a smaller run
 *
 * Each server runs in its own child process (this file with --portal or
 * --bare) so that its RSS is its own and autocannon does not share its event loop.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { AddressInfo } from 'node:net'
import autocannon from 'autocannon'
import Database from 'better-sqlite3'
import Fastify from 'fastify'
import { startCpuProfile, stats } from './measure'
import type { Job } from './rush-seed'

const FAMILIES = Number(process.env.BENCH_FAMILIES ?? 3000)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100)
const DIR = resolve(process.env.BENCH_DATA_DIR ?? join(__dirname, '.data', 'rush-20th'))
/**
 * Families kept for a second run after the rush, one connection: a family alone on the portal (the usual case
 * outside the peak), i.e. the latency of one "Terminer" without anybody queued in front of it.
 */
const SOLO_FAMILIES = Number(process.env.BENCH_SOLO_FAMILIES ?? 300)
/** autocannon prepares a connection's next request before it is sent: spare bodies so that none is sent twice. */
const SPARE = 3

type Msg = { type: 'ready'; port: number; jobs?: Job[]; extra?: unknown } | { type: 'rss'; rss: number; extra?: Record<string, number> }

// ---------------------------------------------------------------- portal server (child)

async function portalServer() {
  // BENCH_PROFILE=file.cpuprofile: CPU profile of the portal server during the load only (not the seeding).
  let stopProfile: ((file: string) => Promise<void>) | null = null
  process.on('SIGINT', () => {
    if (!stopProfile) process.exit(0)
    void stopProfile(process.env.BENCH_PROFILE!).then(() => process.exit(0))
  })
  const { buildPortalApp } = await import('../src-main/server/portal-app')
  const { seedRush, portalJobs } = await import('./rush-seed')

  // The rush books FAMILIES families; SOLO_FAMILIES more are kept for the one-connection run.
  const data = await seedRush(DIR, FAMILIES + SOLO_FAMILIES + SPARE)
  const { core } = data
  const db = core.db

  const app = await buildPortalApp(core, { https: null })
  // Server-side time per request (arrival → response sent), to tell queueing in the server from queueing in the client.
  const served: number[] = []
  let measuring = false
  const arrival = new WeakMap<object, number>()
  app.addHook('onRequest', async (req) => void arrival.set(req, performance.now()))
  app.addHook('onResponse', async (req) => {
    if (measuring) served.push(performance.now() - (arrival.get(req) ?? performance.now()))
  })
  const jobs = await portalJobs(app, data)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  measuring = true
  if (process.env.BENCH_PROFILE) stopProfile = await startCpuProfile()
  process.on('message', async (m: { type: string }) => {
    if (m.type !== 'rss') return
    // Server-side times of the requests since the previous report (each run reports its own).
    const runServed = served.splice(0)
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n
    send({
      type: 'rss',
      rss: process.memoryUsage().rss,
      extra: {
        bookings: count(`SELECT COUNT(*) AS n FROM booking WHERE state = 'R'`),
        requests: count(`SELECT COUNT(*) AS n FROM request`),
        mails: count(`SELECT COUNT(*) AS n FROM outbox_mail`),
        audits: count(`SELECT COUNT(*) AS n FROM audit_entry WHERE action = 'booking-request'`),
        serverP50: stats(runServed).median ?? 0,
        serverP95: stats(runServed).p95 ?? 0,
        serverMax: Math.max(0, ...runServed)
      }
    })
  })
  send({ type: 'ready', port, jobs })
}

// ---------------------------------------------------------------- bare server (child)

async function bareServer() {
  const dir = `${DIR}-bare`
  rmSync(dir, { recursive: true, force: true })
  const { mkdirSync } = await import('node:fs')
  mkdirSync(dir, { recursive: true })
  const db = new Database(join(dir, 'bare.sqlite'))
  // Same durability as the product: WAL, synchronous=FULL, foreign keys.
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.exec(`CREATE TABLE booking (id INTEGER PRIMARY KEY, child_id INTEGER NOT NULL, unit_id INTEGER NOT NULL, day TEXT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (child_id, unit_id, day))`)
  const insert = db.prepare(`INSERT INTO booking (child_id, unit_id, day, state, created_at) VALUES (?, ?, ?, 'R', ?)`)
  let n = 0
  const app = Fastify({ bodyLimit: 1024 * 1024 })
  app.post('/bare', async (req) => {
    const body = req.body as { changes: { childId: number; unitId: number; day: string }[] }
    const c = body.changes[0]
    insert.run(c.childId + 100_000 * ++n, c.unitId, c.day, new Date().toISOString())
    return { ok: true }
  })
  // The same rows as a "Terminer" (every line of the body) in ONE multi-row INSERT, hence one transaction and one
  // fsync: the storage work of the commit without any of its logic.
  const monthInserts = new Map<number, Database.Statement>()
  app.post('/bare-month', async (req) => {
    const body = req.body as { changes: { childId: number; unitId: number; day: string }[] }
    const k = body.changes.length
    let st = monthInserts.get(k)
    if (!st) monthInserts.set(k, (st = db.prepare(`INSERT INTO booking (child_id, unit_id, day, state, created_at) VALUES ${Array(k).fill(`(?, ?, ?, 'R', ?)`).join(', ')}`)))
    const now = new Date().toISOString()
    const offset = 100_000 * ++n
    st.run(...body.changes.flatMap((c) => [c.childId + offset, c.unitId, c.day, now]))
    return { ok: true }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  process.on('message', (m: { type: string }) => {
    if (m.type === 'rss') send({ type: 'rss', rss: process.memoryUsage().rss })
  })
  send({ type: 'ready', port: (app.server.address() as AddressInfo).port })
}

function send(m: Msg) {
  process.send!(m)
}

// ---------------------------------------------------------------- driver (parent)

/** Forks `file` (this one by default: --portal or --bare) as a server and waits for its 'ready' message. */
export function start(role: string, file = __filename): Promise<{ child: ChildProcess; ready: Extract<Msg, { type: 'ready' }> }> {
  const child = fork(file, [role], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)))
    child.on('message', (m: Msg) => {
      if (m.type === 'ready') resolve({ child, ready: m })
    })
  })
}

export function ask(child: ChildProcess): Promise<Extract<Msg, { type: 'rss' }>> {
  return new Promise((resolve) => {
    const on = (m: Msg) => {
      if (m.type !== 'rss') return
      child.off('message', on)
      resolve(m)
    }
    child.on('message', on)
    child.send({ type: 'rss' })
  })
}

function load(url: string, jobs: Job[], path: string, opts: { amount?: number; duration?: number; connections?: number }): Promise<autocannon.Result> {
  let i = 0
  return autocannon({
    url,
    connections: CONNECTIONS,
    ...opts,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (req: autocannon.Request) => {
          // Portal runs never wrap round: each family's "Terminer" is sent at most once (see SPARE).
          const j = path === '/api/portal/bookings-commit' ? jobs[Math.min(i++, jobs.length - 1)] : jobs[i++ % jobs.length]
          return { ...req, headers: { ...req.headers, 'content-type': 'application/json', cookie: j.cookie, 'x-csrf-token': j.csrf }, body: j.body }
        }
      }
    ]
  })
}

/**
 * Runs a load and computes what autocannon does not give directly: p95
 * (from its per-response events) and the throughput as completed requests
 * over wall time (its per-second average is coarse on short runs).
 */
export async function measure(url: string, jobs: Job[], path: string, opts: { amount?: number; duration?: number; connections?: number }) {
  const samples: { at: number; ms: number }[] = []
  const t0 = performance.now()
  const inst = load(url, jobs, path, opts)
  ;(inst as unknown as { on(e: string, f: (...a: unknown[]) => void): void }).on('response', (_c, _s, _b, responseTime) =>
    samples.push({ at: performance.now() - t0, ms: responseTime as number })
  )
  const r = await inst
  const seconds = (performance.now() - t0) / 1000
  const q = stats(samples.map((s) => s.ms))
  const slowest = [...samples].sort((a, b) => b.ms - a.ms).slice(0, 5).map((s) => `${s.ms.toFixed(0)} ms at t=${(s.at / 1000).toFixed(1)} s`)
  return { r, rps: r['2xx'] / seconds, seconds, p50: q.median, p95: q.p95, p99: q.p99, n: q.n, slowest }
}

async function driver() {
  console.log(`Rush of the 20th: ${FAMILIES} families × 2 children, ${CONNECTIONS} connections — seeding…`)
  const t0 = Date.now()
  const portal = await start('--portal')
  const jobs = portal.ready.jobs!
  console.log(`  seeded and ${jobs.length} sessions opened in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${jobs[0].lines} booking lines per "Terminer" (2 children × the school days of January 2027)`)
  const bare = await start('--bare')

  const rush = jobs.slice(0, FAMILIES)
  const later = jobs.slice(FAMILIES)

  // Warm-up of the bare endpoints only (the portal runs must book each family exactly once).
  await load(`http://127.0.0.1:${bare.ready.port}`, jobs, '/bare', { amount: 500 })
  await load(`http://127.0.0.1:${bare.ready.port}`, jobs, '/bare-month', { amount: 500 })

  // 0. The recap of the same changes ("Terminer les modifications", bookings-preview) at the same concurrency for 10 s:
  // HTTP, session, zod, context, judging and prices, without any write — what the commit's writes add is the difference.
  const pv = await measure(`http://127.0.0.1:${portal.ready.port}`, rush, '/api/portal/bookings-preview', { duration: 10 })
  const previewInfo = await ask(portal.child)
  // 1. The rush, closed loop: CONNECTIONS families always waiting for their "Terminer" (each one resends at once).
  const p = await measure(`http://127.0.0.1:${portal.ready.port}`, rush, '/api/portal/bookings-commit', { amount: rush.length })
  const portalInfo = await ask(portal.child)
  // 2. One family at a time (one connection): the commit's own latency, nobody queued in front of it.
  const o = SOLO_FAMILIES
    ? await measure(`http://127.0.0.1:${portal.ready.port}`, later, '/api/portal/bookings-commit', { amount: SOLO_FAMILIES, connections: 1 })
    : null
  const afterInfo = await ask(portal.child)
  // 3. The bare endpoints run for a fixed 10 s each (cycling over the same bodies).
  const b = await measure(`http://127.0.0.1:${bare.ready.port}`, jobs, '/bare', { duration: 10 })
  const bm = await measure(`http://127.0.0.1:${bare.ready.port}`, jobs, '/bare-month', { duration: 10 })
  const bareInfo = await ask(bare.child)

  const row = (label: string, x: Awaited<ReturnType<typeof measure>>, rss: number) =>
    console.log(
      `${label.padEnd(36)} ${x.rps.toFixed(0).padStart(6)} req/s   p50 ${x.p50.toFixed(1).padStart(6)} ms   p95 ${x.p95.toFixed(1).padStart(6)} ms   p99 ${x.p99.toFixed(1).padStart(6)} ms   ` +
        `2xx ${x.r['2xx']}  non-2xx ${x.r.non2xx}  errors ${x.r.errors}   server RSS ${(rss / 1024 / 1024).toFixed(0)} MB`
    )
  console.log('')
  row(`recap (no write), ${CONNECTIONS} conn.`, pv, previewInfo.rss)
  row(`"Terminer", ${CONNECTIONS} conn. closed loop`, p, portalInfo.rss)
  if (o) row(`"Terminer", one family at a time`, o, afterInfo.rss)
  row('bare Fastify + 1-row insert', b, bareInfo.rss)
  row(`bare Fastify + ${jobs[0].lines}-row insert`, bm, bareInfo.rss)
  console.log('')
  console.log(`Throughput ratio: ${((p.rps / b.rps) * 100).toFixed(1)} % of the 1-row bare endpoint, ${((p.rps / bm.rps) * 100).toFixed(1)} % of the ${jobs[0].lines}-row one (target ≥ 30 %)`)
  console.log(`p95 of "Terminer" at ${CONNECTIONS} connections: ${p.p95.toFixed(1)} ms (target < 150 ms)${o ? `; one family at a time: ${o.p95.toFixed(1)} ms` : ''}`)
  console.log(`The recap of the same changes without writing (HTTP, session, zod, context, judging, prices): ${((pv.rps / b.rps) * 100).toFixed(1)} % of the 1-row bare endpoint, p95 ${pv.p95.toFixed(1)} ms; the writes add ${(1000 / p.rps - 1000 / pv.rps).toFixed(2)} ms per "Terminer" of serialized time`)
  console.log(`Booking rows written: ${(p.rps * jobs[0].lines).toFixed(0)} per second; "Terminer" run ${p.seconds.toFixed(1)} s`)
  console.log(`Slowest "Terminer": ${p.slowest.join(', ')}`)
  console.log(`Check after the rush: ${JSON.stringify(portalInfo.extra)} (expected bookings ${rush.reduce((s, j) => s + j.lines, 0)}, requests ${rush.length}, mails ${rush.length})`)
  if (o) console.log(`Check after the one-family run: bookings ${afterInfo.extra?.bookings}, requests ${afterInfo.extra?.requests} (expected ${(FAMILIES + SOLO_FAMILIES) * jobs[0].lines}, ${FAMILIES + SOLO_FAMILIES})`)
  portal.child.kill('SIGINT')
  bare.child.kill()
}

// Imported by structure-load.ts for its bare baseline (start('--bare'), measure): run only when launched or forked.
if (require.main === module) {
  const role = process.argv[2]
  const main = role === '--portal' ? portalServer : role === '--bare' ? bareServer : driver
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
