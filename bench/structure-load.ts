/**
 * The whole structure on one Ribambelle (issue 15, benchmarks), in one run on
 * 127.0.0.1: one server process (staff app + portal app on one core, as in
 * production) and this loader process.
 *
 * Phase 1, mixed load (BENCH_SECONDS, default 20 s):
 * - families send « Terminer » (bookings-commit) OPEN-LOOP at BENCH_RATE per
 *   second (default 100): each one leaves on schedule whatever the answers;
 * - 10 staff sessions (direction, accueil, comptable, animateur in turn) go
 *   through their pages — queue counters, validation queue, bookings queue,
 *   families list and search, family file, Pointage list and marks — with a
 *   think time, each holding a live event stream (SSE);
 * - 3 tablets (animateur) read the day's list and mark présent / parti.
 * Reported: p50/p95 per kind of request, the events' delay from publication
 * (right after COMMIT) to every other desk's stream.
 *
 * Phase 2, saturation of « Terminer » (closed loop, BENCH_CONNECTIONS, default
 * 50) next to two bare endpoints: the same booking rows written by plain
 * Fastify + better-sqlite3 into the PRODUCT database file (same schema,
 * indexes and triggers), and rush-20th.ts's bare endpoint (one booking table).
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/structure-load.ts
 */
import type { ChildProcess } from 'node:child_process'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { AddressInfo } from 'node:net'
import { printRow } from './lib'
import { stats } from './measure'
import { ask, measure, start } from './rush-20th'
import type { Job } from './rush-seed'
import { openEvents } from '../test/helpers/sse'
import type { TestClient } from '../test/helpers/http'

const RATE = Number(process.env.BENCH_RATE ?? 100)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20)
const SATURATION_FAMILIES = Number(process.env.BENCH_SAT_FAMILIES ?? 2000)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const DIR = resolve(process.env.BENCH_DATA_DIR ?? join(__dirname, '.data', 'structure-load'))
const ROLES = ['direction', 'accueil', 'comptable', 'animateur'] as const
const DESKS = 10
const TABLETS = 3
/** The day of the Pointage: the Friday before the Christmas holidays (the clock is Sunday 20/12/2026, see rush-seed). */
const MARK_DAY = '2026-12-18'
/** Children booked on MARK_DAY for the tablets and desks to mark. */
const MARKED_CHILDREN = 600

interface Ready {
  staffPort: number
  password: string
  staff: { login: string; role: (typeof ROLES)[number] }[]
  bookingIds: number[]
}

// ---------------------------------------------------------------- server (child)

async function server() {
  const { seedRush, portalJobs } = await import('./rush-seed')
  const { buildPortalApp } = await import('../src-main/server/portal-app')
  const { buildStaffApp } = await import('../src-main/server/staff-app')
  const { seedStaff } = await import('../test/helpers/core')
  const data = await seedRush(DIR, RATE * SECONDS + SATURATION_FAMILIES + 3)
  const { core } = data
  const db = core.db
  // The day's Pointage: MARKED_CHILDREN children booked (state R) on MARK_DAY, and a second unit for the bare endpoint.
  const now = new Date().toISOString()
  db.exec(`INSERT INTO unit (activity_id, name, start_time, end_time, price_cents, sort) VALUES (1, 'Bare', '11:30', '13:30', 0, 2)`)
  db.prepare(
    `INSERT INTO booking (child_id, unit_id, day, enrolment_id, group_id, state, source, created_at, updated_at)
     SELECT e.child_id, 1, ?, e.id, e.group_id, 'R', 'family', ?, ? FROM enrolment e ORDER BY e.child_id LIMIT ?`
  ).run(MARK_DAY, now, now, MARKED_CHILDREN)
  const bookingIds = (db.prepare('SELECT id FROM booking WHERE day = ? ORDER BY id').all(MARK_DAY) as { id: number }[]).map((b) => b.id)
  const staff: Ready['staff'] = []
  let password = ''
  for (let i = 0; i < DESKS + TABLETS; i++) {
    const role = i < DESKS ? ROLES[i % ROLES.length] : 'animateur'
    const s = await seedStaff(core, role, { login: `${role}-${i}` })
    staff.push({ login: s.login, role })
    password = s.password
  }
  const portalApp = await buildPortalApp(core, { https: null })
  const staffApp = await buildStaffApp(core)
  const jobs = await portalJobs(portalApp, data)
  await portalApp.listen({ host: '127.0.0.1', port: 0 })
  await staffApp.listen({ host: '127.0.0.1', port: 0 })
  let cpu = process.cpuUsage()
  process.on('message', (m: { type: string }) => {
    if (m.type !== 'rss') return
    // CPU time of this process since the previous question: each phase reports its own.
    const used = process.cpuUsage(cpu)
    cpu = process.cpuUsage()
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n
    process.send!({
      type: 'rss',
      rss: process.memoryUsage().rss,
      extra: {
        cpuMs: (used.user + used.system) / 1000,
        bookings: count(`SELECT COUNT(*) AS n FROM booking WHERE state = 'R' AND unit_id = 1 AND day > '2027-01-01'`),
        marked: count(`SELECT COUNT(*) AS n FROM booking WHERE marked_at IS NOT NULL`)
      }
    })
  })
  const ready: Ready = { staffPort: (staffApp.server.address() as AddressInfo).port, password, staff, bookingIds }
  process.send!({ type: 'ready', port: (portalApp.server.address() as AddressInfo).port, jobs, extra: ready })
}

/**
 * The storage work of a « Terminer » without its logic, in the product's own database file (same schema, indexes and
 * triggers): one transaction per request with the request row and its booking rows (on the 'Bare' unit, so that they
 * do not collide with the families' real bookings). Run while the product server is idle.
 */
async function bareSchemaServer() {
  const Database = (await import('better-sqlite3')).default
  const Fastify = (await import('fastify')).default
  const { corePaths } = await import('../src-main/core/app-core')
  const db = new Database(corePaths(DIR).dbFile)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  const familyOf = db.prepare('SELECT family_id AS f FROM child WHERE id = ?')
  const request = db.prepare(`INSERT INTO request (family_id, type, status, summary, payload, created_at, decided_at) VALUES (?, 'bookings', 'accepted', '', '{}', ?, ?)`)
  const booking = db.prepare(
    `INSERT INTO booking (child_id, unit_id, day, enrolment_id, group_id, state, source, request_id, price_cents, created_at, updated_at)
     VALUES (?, 2, ?, NULL, NULL, 'R', 'family', ?, 385, ?, ?)`
  )
  const write = db.transaction((changes: { childId: number; day: string }[]) => {
    const now = new Date().toISOString()
    const requestId = request.run((familyOf.get(changes[0].childId) as { f: number }).f, now, now).lastInsertRowid
    for (const c of changes) booking.run(c.childId, c.day, requestId, now, now)
  })
  const app = Fastify({ bodyLimit: 1024 * 1024 })
  app.post('/bare-schema', async (req) => {
    write((req.body as { changes: { childId: number; day: string }[] }).changes)
    return { ok: true }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  process.on('message', (m: { type: string }) => {
    if (m.type === 'rss') process.send!({ type: 'rss', rss: process.memoryUsage().rss })
  })
  process.send!({ type: 'ready', port: (app.server.address() as AddressInfo).port })
}

// ---------------------------------------------------------------- loader (parent)

/** A staff browser over real HTTP: its cookies and CSRF token, and timed calls. */
async function staffLogin(port: number, login: string, password: string) {
  const cookies = new Map<string, string>()
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair.indexOf('=')
      cookies.set(pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1)))
    }
  }
  const post = (name: string, body: unknown, csrf = '') =>
    fetch(`http://127.0.0.1:${port}/api/staff/${name}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: [...cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; '),
        ...(csrf ? { 'x-csrf-token': csrf } : {})
      },
      body: JSON.stringify(body)
    })
  const first = await post('auth-session', {})
  keep(first)
  const r = await post('auth-login', { login, password }, ((await first.json()) as { csrfToken: string }).csrfToken)
  if (r.status !== 200) throw new Error(`login ${login}: ${r.status} ${await r.text()}`)
  keep(r)
  const { csrfToken } = (await r.json()) as { csrfToken: string }
  return { cookies, call: (name: string, body: unknown) => post(name, body, csrfToken) }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function driver() {
  const t0 = performance.now()
  console.log(`Structure under load: ${RATE} « Terminer »/s open loop for ${SECONDS} s, ${DESKS} desks with live streams, ${TABLETS} tablets — seeding…`)
  const srv = await start('--server', __filename)
  const portalUrl = `http://127.0.0.1:${srv.ready.port}`
  const ready = srv.ready.extra as Ready
  const jobs = srv.ready.jobs!
  console.log(`  seeded ${jobs.length} families and opened their sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${jobs[0].lines} booking lines per « Terminer »`)

  const samples = new Map<string, number[]>()
  const failures = new Map<string, number>()
  let measuring = false
  const timed = async (kind: string, send: () => Promise<Response>) => {
    const s = performance.now()
    const r = await send()
    await r.arrayBuffer()
    if (!measuring) return r
    if (r.status >= 300) failures.set(`${kind} ${r.status}`, (failures.get(`${kind} ${r.status}`) ?? 0) + 1)
    else samples.set(kind, [...(samples.get(kind) ?? []), performance.now() - s])
    return r
  }

  type Session = Ready['staff'][number] & Awaited<ReturnType<typeof staffLogin>>
  const sessions: Session[] = []
  for (const s of ready.staff) sessions.push({ ...s, ...(await staffLogin(ready.staffPort, s.login, ready.password)) })
  // Each desk's live stream; every change event's delay from its publication (after COMMIT) to this desk.
  const delays: number[] = []
  const streams = []
  for (const s of sessions.slice(0, DESKS)) {
    const stream = await openEvents(ready.staffPort, { cookies: s.cookies } as TestClient)
    if (stream.status !== 200) throw new Error(`events: ${stream.status}`)
    streams.push(stream)
    void (async () => {
      for (;;) {
        const e = await stream.next((x) => x.event === 'change', 600_000).catch(() => null)
        if (!e) return
        if (measuring) delays.push(Date.now() - (JSON.parse(e.data) as { at: number }).at)
      }
    })()
  }

  let running = true
  const pick = <T>(a: readonly T[]) => a[Math.floor(Math.random() * a.length)]
  const names = ['martin', 'bernard', 'dubois', 'thomas', 'robert', 'richard', 'petit', 'durand', 'leroy', 'moreau', 'simon', 'laurent']
  const activityDay = { activityId: 1, day: MARK_DAY }
  const mark = (s: Session, kind: string) =>
    timed(kind, () => s.call('attendance-mark', { bookingId: pick(ready.bookingIds), status: pick(['present', 'present', 'absent', 'reset']) }))
  // What each role opens, in turn (a desk's working day in miniature; every page is one request).
  const pages: Record<string, ((s: Session) => Promise<unknown>)[]> = {
    direction: [
      (s) => timed('queue counters', () => s.call('dashboard-queues', {})),
      (s) => timed('validation queue', () => s.call('requests-list', { status: 'pending' })),
      (s) => timed('bookings queue', () => s.call('bookings-queue', {})),
      (s) => timed('families search', () => s.call('families-search', { query: pick(names) })),
      (s) => timed('families list', () => s.call('families-search', { offset: Math.floor(Math.random() * 100) * 50 })),
      (s) => timed('family file', () => s.call('families-get', { familyId: 1 + Math.floor(Math.random() * jobs.length) })),
      (s) => timed('Pointage list', () => s.call('attendance-list', activityDay)),
      (s) => mark(s, 'Pointage mark (desk)')
    ],
    comptable: [
      (s) => timed('queue counters', () => s.call('dashboard-queues', {})),
      (s) => timed('validation queue', () => s.call('requests-list', {})),
      (s) => timed('families search', () => s.call('families-search', { query: pick(names) })),
      (s) => timed('family file', () => s.call('families-get', { familyId: 1 + Math.floor(Math.random() * jobs.length) }))
    ],
    animateur: [
      (s) => timed('queue counters', () => s.call('dashboard-queues', {})),
      (s) => timed('Pointage list', () => s.call('attendance-list', activityDay)),
      (s) => mark(s, 'Pointage mark (desk)'),
      (s) => timed('families search', () => s.call('families-search', { query: pick(names) }))
    ]
  }
  pages.accueil = pages.direction
  const desk = async (s: Session, i: number) => {
    for (let n = i; running; n++) {
      const list = pages[s.role]
      await list[n % list.length](s)
      await sleep(300 + Math.random() * 400) // reading the page
    }
  }
  const tablet = async (s: Session) => {
    for (let n = 0; running; n++) {
      await (n % 10 === 0 ? timed('tablet list', () => s.call('attendance-list', activityDay)) : mark(s, 'tablet mark'))
      await sleep(200 + Math.random() * 200) // the next child
    }
  }

  // Phase 1: everything at once; « Terminer » open loop (the i-th leaves at i/RATE s whether or not the others answered).
  const openJobs = jobs.slice(0, RATE * SECONDS)
  const satJobs = jobs.slice(RATE * SECONDS)
  const workers = sessions.map((s, i) => (i < DESKS ? desk(s, i) : tablet(s)))
  await sleep(2000) // warm-up of the staff pages, not measured
  await ask(srv.child)
  const load0 = loadavg()
  const cpu0 = process.cpuUsage()
  const w0 = performance.now()
  measuring = true
  let late = 0
  const sent: Promise<unknown>[] = []
  for (let i = 0; i < openJobs.length; i++) {
    const wait = w0 + (i * 1000) / RATE - performance.now()
    if (wait > 0) await sleep(wait)
    else if (wait < -10) late++
    const j = openJobs[i]
    sent.push(
      timed('« Terminer »', () =>
        fetch(`${portalUrl}/api/portal/bookings-commit`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: j.cookie, 'x-csrf-token': j.csrf }, body: j.body })
      )
    )
  }
  await Promise.all(sent)
  await sleep(1000) // the last events reach the desks
  measuring = false
  running = false
  const wall = (performance.now() - w0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const phase1 = await ask(srv.child)
  await Promise.all(workers)
  for (const s of streams) s.close()

  console.log('')
  console.log(`Phase 1 (mixed load): wall ${wall.toFixed(1)} s; loadavg before ${load0.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  console.log(`  CPU: server ${(phase1.extra!.cpuMs / 1000).toFixed(1)} s (${((phase1.extra!.cpuMs / 1000 / wall) * 100).toFixed(0)} % of one core), loader ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; « Terminer » sent late by > 10 ms: ${late}`)
  for (const [kind, xs] of [...samples].sort(([a], [b]) => a.localeCompare(b))) printRow(kind, xs)
  printRow('event delay commit → other desks', delays, `(${(delays.length / DESKS).toFixed(0)} per desk)`)
  console.log(`  non-2xx: ${failures.size ? JSON.stringify(Object.fromEntries(failures)) : 'none'}; check: ${JSON.stringify(phase1.extra)} (expected bookings ${openJobs.length * jobs[0].lines})`)
  const p95 = (k: string) => stats(samples.get(k) ?? []).p95
  const staffKinds = [...samples.keys()].filter((k) => k !== '« Terminer »' && !k.startsWith('tablet'))
  console.log(
    `  targets: « Terminer » p95 ${p95('« Terminer »').toFixed(1)} ms (< 100); worst staff page p95 ${Math.max(...staffKinds.map(p95)).toFixed(1)} ms (< 200); event delay p95 ${stats(delays).p95.toFixed(0)} ms (< 1000)`
  )

  // Phase 2: saturation, closed loop, then the bare endpoints while the product server is idle.
  const c1 = process.cpuUsage()
  // Each family's body is sent at most once (autocannon prepares one request ahead per connection: keep them spare).
  const satAmount = satJobs.length - CONNECTIONS - 3
  const sat = await measure(portalUrl, satJobs, '/api/portal/bookings-commit', { amount: satAmount, connections: CONNECTIONS })
  const satInfo = await ask(srv.child)
  const bareSchema = await start('--bare-schema', __filename)
  const bs = await measure(`http://127.0.0.1:${bareSchema.ready.port}`, satJobs, '/bare-schema', { amount: satAmount, connections: CONNECTIONS })
  const bare = await start('--bare')
  await measure(`http://127.0.0.1:${bare.ready.port}`, satJobs, '/bare-month', { amount: 300, connections: CONNECTIONS }) // warm-up
  const bm = await measure(`http://127.0.0.1:${bare.ready.port}`, satJobs, '/bare-month', { amount: satAmount, connections: CONNECTIONS })
  const c2 = process.cpuUsage(c1)
  const row = (label: string, x: Awaited<ReturnType<typeof measure>>) =>
    console.log(`${label.padEnd(44)} ${x.rps.toFixed(0).padStart(5)} req/s   p50 ${x.p50.toFixed(1).padStart(6)} ms   p95 ${x.p95.toFixed(1).padStart(6)} ms   2xx ${x.r['2xx']}  non-2xx ${x.r.non2xx}  errors ${x.r.errors}  (${x.seconds.toFixed(1)} s)`)
  console.log('')
  console.log(`Phase 2 (saturation, ${CONNECTIONS} connections, closed loop): loadavg ${loadavg().map((x) => x.toFixed(2)).join(' ')}; server CPU during « Terminer » ${(satInfo.extra!.cpuMs / 1000).toFixed(1)} s; loader CPU ${((c2.user + c2.system) / 1e6).toFixed(1)} s`)
  row('« Terminer » (product)', sat)
  row(`bare, same rows into the product schema`, bs)
  row(`bare, one booking table (rush-20th)`, bm)
  console.log(`  « Terminer » reaches ${((sat.rps / bs.rps) * 100).toFixed(0)} % of the bare endpoint on the same schema`)
  for (const c of [srv.child, bareSchema.child, bare.child] as ChildProcess[]) c.kill('SIGINT')
  // The streams' pending waits and the keep-alive sockets would hold the loader for minutes: it is done.
  process.exit(0)
}

if (require.main === module) {
  const role = process.argv[2]
  const main = role === '--server' ? server : role === '--bare-schema' ? bareSchemaServer : driver
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
