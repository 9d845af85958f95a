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
import { sign } from '@fastify/cookie'

const FAMILIES = Number(process.env.BENCH_FAMILIES ?? 3000)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100)
const DIR = resolve(process.env.BENCH_DATA_DIR ?? join(__dirname, '.data', 'rush-20th'))
/** 20 December 2026, 10:00 in Paris: January 2027 closes tonight at midnight. */
const NOW = new Date('2026-12-20T09:00:00Z')
const MONTH = { from: '2027-01-01', to: '2027-01-31' }

interface Job {
  cookie: string
  csrf: string
  body: string
  lines: number
}

type Msg = { type: 'ready'; port: number; jobs?: Job[] } | { type: 'rss'; rss: number; extra?: Record<string, number> }

// ---------------------------------------------------------------- portal server (child)

async function portalServer() {
  // BENCH_PROFILE=file.cpuprofile: CPU profile of the portal server during the load only (not the seeding).
  const inspector = process.env.BENCH_PROFILE ? new (await import('node:inspector')).Session() : null
  process.on('SIGINT', () => {
    if (!inspector) process.exit(0)
    inspector.post('Profiler.stop', (_e, r) => {
      require('node:fs').writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify((r as { profile: unknown }).profile))
      process.exit(0)
    })
  })
  const { SYSTEM } = await import('../src-main/core/actor')
  const { openCore } = await import('../src-main/core/app-core')
  const { FixedClock } = await import('../src-main/core/clock')
  const { generateFamilies } = await import('../src-main/demo/generate')
  const { createFamily } = await import('../src-main/families/families')
  const { Structure } = await import('../src-main/settings/entities')
  const { openSession } = await import('../src-main/accounts/sessions')
  const { buildPortalApp } = await import('../src-main/server/portal-app')
  const { installationSecret } = await import('../src-main/server/secrets')
  const { openingDays } = await import('../src-main/calendar/calendar')

  rmSync(DIR, { recursive: true, force: true })
  const core = await openCore({ dataDir: DIR, log: () => {}, clock: new FixedClock(NOW) })
  const now = NOW.toISOString()
  await core.tx.run((m) =>
    m.save(Structure, { id: 1, name: 'Commune de Bench', address: '', postalCode: '31000', city: 'Bench', phone: '', email: 'contact@bench.fr', logo: null, siret: '', holidayZone: 'C', holidayRegion: '', portalUrl: '', updatedAt: now })
  )
  // 3,000 generated families, each with exactly two children (the generator gives 1 to 3).
  const families = generateFamilies(FAMILIES, 20).map((f) => {
    const kids = [...(f.children ?? [])]
    while (kids.length < 2) kids.push({ ...kids[0], firstName: kids[0].firstName === 'Léo' ? 'Emma' : 'Léo' })
    return { ...f, children: kids.slice(0, 2) }
  })
  await core.tx.run(async (m) => {
    for (const f of families) await createFamily(m, core, SYSTEM, f)
  })
  const db = core.db
  // Restauration scolaire: school days, automatic validation, "before the 20th", capacity per group.
  db.exec(`
    INSERT INTO facility (name) VALUES ('Restauration scolaire');
    INSERT INTO activity_type (facility_id, name, kind) VALUES (1, 'Restauration', 'restauration');
    INSERT INTO activity (activity_type_id, name, opening_rule, validation) VALUES (1, 'Restauration Élémentaire', 'school-days', 'auto');
    INSERT INTO activity_period (activity_id, name, start_date, end_date, window_start, window_end) VALUES (1, '2026/2027', '2026-09-01', '2027-07-03', '2026-03-10', '2026-08-20');
    INSERT INTO activity_group (activity_id, name) VALUES (1, 'Élémentaire'), (1, 'Maternelle');
    INSERT INTO unit (activity_id, name, start_time, end_time, price_cents, sort) VALUES (1, 'Midi + déjeuner', '11:30', '13:30', 385, 1);
    INSERT INTO capacity (group_id, unit_id, places, day) VALUES (1, 1, 4000, NULL), (2, 1, 4000, NULL);
  `)
  const children = db.prepare('SELECT c.id, c.family_id AS familyId FROM child c ORDER BY c.id').all() as { id: number; familyId: number }[]
  const enrol = db.prepare(`INSERT INTO enrolment (child_id, activity_id, period_id, group_id, status, created_at, decided_at) VALUES (?, 1, 1, ?, 'validated', ?, ?)`)
  const account = db.prepare(`INSERT INTO portal_account (family_id, login, password_hash, status, created_at, validated_at) VALUES (?, ?, 'x', 'active', ?, ?)`)
  db.transaction(() => {
    for (const c of children) enrol.run(c.id, (c.id % 2) + 1, now, now)
    families.forEach((f, i) => account.run(i + 1, f.login, now, now))
  })()
  const days = await openingDays(core, 1, MONTH.from, MONTH.to)

  const app = await buildPortalApp(core, { https: null })
  // Server-side time per request (arrival → response sent), to tell queueing in the server from queueing in the client.
  const served: number[] = []
  let measuring = false
  const arrival = new WeakMap<object, number>()
  app.addHook('onRequest', async (req) => void arrival.set(req, performance.now()))
  app.addHook('onResponse', async (req) => {
    if (measuring) served.push(performance.now() - (arrival.get(req) ?? performance.now()))
  })
  const secret = installationSecret(core.paths.dataDir)
  const byFamily = new Map<number, number[]>()
  for (const c of children) byFamily.set(c.familyId, [...(byFamily.get(c.familyId) ?? []), c.id])
  const jobs: Job[] = []
  // Pre-created sessions (logging 3,000 families in would measure argon2, not bookings), then each one's CSRF token.
  for (let familyId = 1; familyId <= families.length; familyId++) {
    const { token } = await openSession(core, 'portal', familyId)
    const session = `rb_portal=${encodeURIComponent(sign(token, secret))}`
    const r = await app.inject({ method: 'POST', url: '/api/portal/auth-session', headers: { cookie: session, 'content-type': 'application/json' }, payload: '{}' })
    const csrfCookie = (r.cookies as { name: string; value: string }[]).find((c) => c.name === 'rb_portal_csrf')!
    const changes = (byFamily.get(familyId) ?? []).flatMap((childId) => days.map((day) => ({ childId, unitId: 1, day, op: 'add' })))
    jobs.push({ cookie: `${session}; rb_portal_csrf=${encodeURIComponent(csrfCookie.value)}`, csrf: JSON.parse(r.body).csrfToken, body: JSON.stringify({ changes }), lines: changes.length })
  }
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  measuring = true
  if (inspector) {
    inspector.connect()
    await new Promise((r) => inspector.post('Profiler.enable', () => inspector.post('Profiler.start', r)))
  }
  process.on('message', async (m: { type: string }) => {
    if (m.type !== 'rss') return
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n
    send({
      type: 'rss',
      rss: process.memoryUsage().rss,
      extra: {
        bookings: count(`SELECT COUNT(*) AS n FROM booking WHERE state = 'R'`),
        requests: count(`SELECT COUNT(*) AS n FROM request`),
        mails: count(`SELECT COUNT(*) AS n FROM outbox_mail`),
        audits: count(`SELECT COUNT(*) AS n FROM audit_entry WHERE action = 'booking-request'`),
        serverP50: [...served].sort((x, y) => x - y)[Math.floor(served.length * 0.5)] ?? 0,
        serverP95: [...served].sort((x, y) => x - y)[Math.floor(served.length * 0.95)] ?? 0,
        serverMax: Math.max(0, ...served)
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

function start(role: '--portal' | '--bare'): Promise<{ child: ChildProcess; ready: Extract<Msg, { type: 'ready' }> }> {
  const child = fork(__filename, [role], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)))
    child.on('message', (m: Msg) => {
      if (m.type === 'ready') resolve({ child, ready: m })
    })
  })
}

function ask(child: ChildProcess): Promise<Extract<Msg, { type: 'rss' }>> {
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

function load(url: string, jobs: Job[], path: string, opts: { amount?: number; duration?: number }): Promise<autocannon.Result> {
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
          const j = jobs[i++ % jobs.length]
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
async function measure(url: string, jobs: Job[], path: string, opts: { amount?: number; duration?: number }) {
  const samples: { at: number; ms: number }[] = []
  const t0 = performance.now()
  const inst = load(url, jobs, path, opts)
  ;(inst as unknown as { on(e: string, f: (...a: unknown[]) => void): void }).on('response', (_c, _s, _b, responseTime) =>
    samples.push({ at: performance.now() - t0, ms: responseTime as number })
  )
  const r = await inst
  const seconds = (performance.now() - t0) / 1000
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
  const slowest = [...samples].sort((a, b) => b.ms - a.ms).slice(0, 5).map((s) => `${s.ms.toFixed(0)} ms at t=${(s.at / 1000).toFixed(1)} s`)
  return { r, rps: r['2xx'] / seconds, seconds, p50: at(0.5), p95: at(0.95), p99: at(0.99), n: sorted.length, slowest }
}

async function driver() {
  console.log(`Rush of the 20th: ${FAMILIES} families × 2 children, ${CONNECTIONS} connections — seeding…`)
  const t0 = Date.now()
  const portal = await start('--portal')
  const jobs = portal.ready.jobs!
  console.log(`  seeded and ${jobs.length} sessions opened in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${jobs[0].lines} booking lines per "Terminer" (2 children × the school days of January 2027)`)
  const bare = await start('--bare')

  // Warm-up of the bare endpoint only (the portal run must book each family exactly once).
  await load(`http://127.0.0.1:${bare.ready.port}`, jobs, '/bare', { amount: 500 })

  const p = await measure(`http://127.0.0.1:${portal.ready.port}`, jobs, '/api/portal/bookings-commit', { amount: jobs.length })
  const portalInfo = await ask(portal.child)
  // The bare endpoint runs for a fixed 10 s (cycling over the same bodies): 3,000 inserts would last about a second.
  const b = await measure(`http://127.0.0.1:${bare.ready.port}`, jobs, '/bare', { duration: 10 })
  const bareInfo = await ask(bare.child)

  const row = (label: string, x: Awaited<ReturnType<typeof measure>>, rss: number) =>
    console.log(
      `${label.padEnd(30)} ${x.rps.toFixed(0).padStart(6)} req/s   p50 ${x.p50.toFixed(1).padStart(6)} ms   p95 ${x.p95.toFixed(1).padStart(6)} ms   p99 ${x.p99.toFixed(1).padStart(6)} ms   ` +
        `2xx ${x.r['2xx']}  non-2xx ${x.r.non2xx}  errors ${x.r.errors}   server RSS ${(rss / 1024 / 1024).toFixed(0)} MB`
    )
  console.log('')
  row('"Terminer" (bookings-commit)', p, portalInfo.rss)
  row('bare Fastify + 1 insert', b, bareInfo.rss)
  const ratio = p.rps / b.rps
  console.log('')
  console.log(`Throughput ratio: ${(ratio * 100).toFixed(1)} % of the bare endpoint (target ≥ 30 %)`)
  console.log(`p95 of "Terminer" at ${CONNECTIONS} connections: ${p.p95.toFixed(1)} ms (target < 150 ms)`)
  console.log(`Booking rows written: ${(p.rps * jobs[0].lines).toFixed(0)} per second; "Terminer" run ${p.seconds.toFixed(1)} s`)
  console.log(`Slowest "Terminer": ${p.slowest.join(', ')}`)
  console.log(`Check: ${JSON.stringify(portalInfo.extra)} (expected bookings ${jobs.reduce((s, j) => s + j.lines, 0)}, requests ${jobs.length}, mails ${jobs.length})`)
  portal.child.kill('SIGINT')
  bare.child.kill()
}

const role = process.argv[2]
const main = role === '--portal' ? portalServer : role === '--bare' ? bareServer : driver
main().catch((e) => {
  console.error(e)
  process.exit(1)
})
