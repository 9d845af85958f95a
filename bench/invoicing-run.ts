/**
 * Benchmark of a monthly invoicing run at commune scale (#6, #19): 3,000
 * families (~132,600 billable lines in a month) by default, 20,000 for the city.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx bench/invoicing-run.ts [families=3000] [pdfs=300]
 *
 * The seeder and the server run an esbuild bundle of this file (out/bench/, with the computation and PDF workers
 * beside it, as out/main holds them), in plain Node: what production runs. Through tsx, the sources cost the server
 * ~60 MB more (the loader thread, transpiled sources). BENCH_SOURCE=1 runs the sources through tsx instead.
 *
 * Three processes, so that each one's memory is its own:
 * 1. a seeder writes the month (`billing-load.ts`), plus a January 2027 the
 *    families can book on the portal (restaurant enrolments, accounts), and exits;
 * 2. the server opens that database as the app does, serves the portal app on
 *    127.0.0.1 and, on the parent's orders, runs the preview, then the issue
 *    (backup, staging, publication), then renders PDFs. It reports each step's
 *    time, its peak RSS (sampled every 50 ms; the process's maxRSS as well),
 *    the write-lock holds (BEGIN IMMEDIATE … COMMIT on the connection) and
 *    the longest event-loop stall;
 * 3. this process is an open-loop loader: 20 « Terminer » (`bookings-commit`,
 *    a different family each time, its children's January school days) per
 *    second, sent on schedule whatever the answers, before and during the run.
 *    A request's latency is measured from the instant it was due, so a
 *    server that stalls is not forgiven by a client that waited.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { AddressInfo } from 'node:net'
import { stats } from './measure'
import { appEnv } from '../scripts/app-env.mjs'

const NOW = new Date('2026-12-20T09:00:00Z')
const RATE = Number(process.env.BENCH_RATE ?? 20)
const PREVIEW = process.env.BENCH_PREVIEW !== '0'
/** BENCH_THREAD=0 prices every chunk inside its transaction on the main thread; =1 in the computation thread; unset: the app's choice. */
const THREAD = process.env.BENCH_THREAD === undefined ? undefined : process.env.BENCH_THREAD === '1'
const cat = (f: string) => readFileSync(f, 'utf8').trim()
const STAFF = { kind: 'staff' as const, id: 1, label: 'Bench', role: 'comptable' as const }

interface Job {
  cookie: string
  csrf: string
  body: string
}

type ToParent =
  | { type: 'ready'; port: number; jobs: Job[]; rssMb: number; memory: string }
  | { type: 'step'; step: string; ms: number; peakRssMb: number; peakKinds: { anon: number; file: number }; afterGc: string; maxRssMb: number; holds: HoldStats[]; stallMs: number; stalls: string; cpuMs: number; detail: string }

interface HoldStats {
  who: string
  count: number
  maxMs: number
  maxCpuMs: number
  p99Ms: number
  over200: number
  top: number[]
}

const mb = (b: number) => Math.round(b / 1048576)

// ---------------------------------------------------------------- 1. seeder (child)

async function seeder(dir: string, families: number) {
  const { openCore } = await import('../src-main/core/app-core')
  const { FixedClock } = await import('../src-main/core/clock')
  const { seedInvoicingLoad } = await import('./billing-load')
  const core = await openCore({ dataDir: dir, clock: new FixedClock(NOW), log: () => {} })
  const t = performance.now()
  core.db.prepare(`INSERT INTO staff_user (id, login, display_name, role, password_hash, created_at) VALUES (1, 'bench', 'Bench', 'comptable', 'x', '2026-01-01')`).run()
  const load = await seedInvoicingLoad(core, { families })
  const db = core.db
  const now = NOW.toISOString()
  // January 2027 on the restaurant: a school-year period, one group with room for everyone, every child enrolled.
  const resto = (db.prepare(`SELECT u.id AS unit, u.activity_id AS activity FROM unit u JOIN activity a ON a.id = u.activity_id WHERE a.name = 'Restauration scolaire'`).get() as { unit: number; activity: number })
  db.transaction(() => {
    const period = Number(
      db.prepare(`INSERT INTO activity_period (activity_id, name, start_date, end_date, window_start, window_end) VALUES (?, '2026/2027', '2026-09-01', '2027-07-03', '2026-03-10', '2026-08-20')`).run(resto.activity).lastInsertRowid
    )
    const group = Number(db.prepare(`INSERT INTO activity_group (activity_id, name) VALUES (?, 'Élémentaire')`).run(resto.activity).lastInsertRowid)
    db.prepare(`INSERT INTO capacity (group_id, unit_id, places, day) VALUES (?, ?, 100000, NULL)`).run(group, resto.unit)
    db.prepare(`INSERT INTO enrolment (child_id, activity_id, period_id, group_id, status, created_at, decided_at) SELECT id, ?, ?, ?, 'validated', ?, ? FROM child`).run(resto.activity, period, group, now, now)
    db.prepare(`INSERT INTO portal_account (family_id, login, password_hash, status, created_at, validated_at) SELECT id, 'famille' || number, 'x', 'active', ?, ? FROM family`).run(now, now)
  })()
  const billable = (db.prepare(`SELECT COUNT(*) AS n FROM booking WHERE state IN ('R','PRESENT','A_FACT','ABSENT')`).get() as { n: number }).n
  console.log(`Données : ${load.families} familles, ${load.children} enfants, ${load.bookings} réservations dont ${billable} facturables (${load.month}) — ${((performance.now() - t) / 1000).toFixed(1)} s`)
  await core.close()
}

// ---------------------------------------------------------------- 2. server (child)

/**
 * Where the server's memory is, after a full garbage collection: V8's heap (used / reserved), memory held by JS
 * objects outside it (Buffers), and the rest of the RSS (code, SQLite's page caches, allocator slack).
 * BENCH_HEAP_SNAPSHOT=file.heapsnapshot writes a heap snapshot at that point, to open in Chrome's DevTools.
 */
function memoryBreakdown(): string {
  const { setFlagsFromString } = require('node:v8') as typeof import('node:v8')
  const { runInNewContext } = require('node:vm') as typeof import('node:vm')
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
  if (process.env.BENCH_HEAP_SNAPSHOT) (require('node:v8') as typeof import('node:v8')).writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT)
  const m = process.memoryUsage()
  const k = rssKinds()
  return `après GC : RSS ${mb(m.rss)} Mo (anonyme ${k.anon}, fichiers ${k.file}) = tas V8 ${mb(m.heapUsed)} Mo utilisés / ${mb(m.heapTotal)} Mo réservés, hors tas ${mb(m.external)} Mo (dont Buffers ${mb(m.arrayBuffers)} Mo), reste ${mb(m.rss - m.heapTotal - m.external)} Mo (code, caches SQLite, allocateur)`
}

async function server(dir: string, loaders: number, pdfs: number) {
  const { openCore } = await import('../src-main/core/app-core')
  const { FixedClock } = await import('../src-main/core/clock')
  const { openSession } = await import('../src-main/accounts/sessions')
  const { buildPortalApp } = await import('../src-main/server/portal-app')
  const { installationSecret } = await import('../src-main/core/installation-secret')
  const { sign } = await import('@fastify/cookie')
  const { openingDays } = await import('../src-main/calendar/calendar')
  const { previewRun } = await import('../src-main/billing/invoicing/runs')
  const { issueRun } = await import('../src-main/billing/invoicing/issue')
  const { runInvoiceBatch } = await import('../src-main/billing/invoicing/batch')
  const { invoiceDocContext, invoicePdfData } = await import('../src-main/billing/documents/render')
  const { invoicePdf } = await import('../src-main/billing/documents/pdfs')
  const { renderPdf } = await import('../src-main/billing/pdf/printer')

  const core = await openCore({ dataDir: dir, clock: new FixedClock(NOW), log: () => {} })
  const db = core.db
  // Write-lock holds: BEGIN IMMEDIATE … COMMIT/ROLLBACK on the one writing connection (what every other writer waits for).
  const holds: { ms: number; cpuMs: number; who: string }[] = []
  let begun = 0
  let cpuAt = 0
  // CPU time of the process during a hold: on a machine shared by other sessions the wall time is mostly waiting for a core.
  const cpuNow = () => {
    const u = process.cpuUsage()
    return (u.user + u.system) / 1000
  }
  // Who holds it: the run's own transactions (staging chunks, publication) or the portal's and the rest.
  let who = 'autre'
  const run = core.tx.run.bind(core.tx)
  core.tx.run = ((fn: Parameters<typeof run>[0]) => {
    // By function name: the bundle's stack names one file.
    const stack = new Error().stack ?? ''
    const label = /\b(stageRun|purgeStage)\b/.test(stack) ? 'préparation' : /\bissueRun\b/.test(stack) ? 'publication' : 'portail et autres'
    return run(async (m) => {
      who = label
      return fn(m)
    })
  }) as typeof core.tx.run
  const exec = db.exec.bind(db)
  db.exec = ((sql: string) => {
    if (sql === 'BEGIN IMMEDIATE') {
      const r = exec(sql)
      begun = performance.now()
      cpuAt = cpuNow()
      return r
    }
    const r = exec(sql)
    if ((sql === 'COMMIT' || sql === 'ROLLBACK') && begun) {
      holds.push({ ms: performance.now() - begun, cpuMs: cpuNow() - cpuAt, who })
      who = 'autre'
      begun = 0
    }
    return r
  }) as typeof db.exec

  const app = await buildPortalApp(core, { https: null })
  const secret = installationSecret(core.paths.dataDir)
  const resto = db.prepare(`SELECT u.id AS unit, u.activity_id AS activity FROM unit u JOIN activity a ON a.id = u.activity_id WHERE a.name = 'Restauration scolaire'`).get() as { unit: number; activity: number }
  const days = await openingDays(core, resto.activity, '2027-01-01', '2027-01-31')
  const families = db.prepare(`SELECT f.id, json_group_array(c.id) AS kids FROM family f JOIN child c ON c.family_id = f.id GROUP BY f.id ORDER BY f.id DESC LIMIT ?`).all(loaders) as { id: number; kids: string }[]
  const jobs: Job[] = []
  for (const f of families) {
    const { token } = await openSession(core, 'portal', f.id)
    const session = `rb_portal=${encodeURIComponent(sign(token, secret))}`
    const r = await app.inject({ method: 'POST', url: '/api/portal/auth-session', headers: { cookie: session, 'content-type': 'application/json' }, payload: '{}' })
    const csrfCookie = (r.cookies as { name: string; value: string }[]).find((c) => c.name === 'rb_portal_csrf')!
    const changes = (JSON.parse(f.kids) as number[]).flatMap((childId) => days.map((day) => ({ childId, unitId: resto.unit, day, op: 'add' as const })))
    jobs.push({ cookie: `${session}; rb_portal_csrf=${encodeURIComponent(csrfCookie.value)}`, csrf: JSON.parse(r.body).csrfToken, body: JSON.stringify({ changes }) })
  }
  await app.listen({ host: '127.0.0.1', port: 0 })
  const send = (m: ToParent) => process.send!(m)
  send({ type: 'ready', port: (app.server.address() as AddressInfo).port, jobs, rssMb: mb(process.memoryUsage().rss), memory: memoryBreakdown() })

  const regieId = (db.prepare('SELECT id FROM regie WHERE is_default = 1').get() as { id: number }).id
  const month = '2026-03'
  // The longest event-loop stall by phase of the step (the issue's hooks say which phase is running).
  const stalls = new Map<string, number>()
  let phase = 'début'
  async function step(name: string, work: () => Promise<string>) {
    holds.length = 0
    let peak = process.memoryUsage().rss
    let peakKinds = rssKinds()
    const sample = () => {
      const r = process.memoryUsage().rss
      if (r > peak) [peak, peakKinds] = [r, rssKinds()]
    }
    const sampler = setInterval(sample, 50)
    // The longest gap between two 10 ms ticks: how long the event loop (hence the portal) was stalled at once.
    let last = performance.now()
    let stall = 0
    stalls.clear()
    phase = 'début'
    const ticker = setInterval(() => {
      const n = performance.now()
      stall = Math.max(stall, n - last - 10)
      stalls.set(phase, Math.max(stalls.get(phase) ?? 0, n - last - 10))
      last = n
    }, 10)
    const t = performance.now()
    const cpu0 = cpuNow()
    const detail = await work()
    const ms = performance.now() - t
    const cpuMs = cpuNow() - cpu0
    clearInterval(ticker)
    clearInterval(sampler)
    sample()
    // What the step leaves behind once it is over (the worker stopped, garbage collected).
    await new Promise((r) => setTimeout(r, 200))
    const afterGc = memoryBreakdown()
    const byWho = (w: string) => {
      const mine = holds.filter((h) => h.who === w)
      const s = mine.map((h) => h.ms).sort((a, b) => b - a)
      return { who: w, count: s.length, maxMs: s[0] ?? 0, maxCpuMs: Math.max(0, ...mine.map((h) => h.cpuMs)), p99Ms: stats(s.length ? s : [0]).p99, over200: s.filter((x) => x > 200).length, top: s.slice(0, 5).map((x) => Math.round(x)) }
    }
    send({
      type: 'step',
      step: name,
      ms,
      peakRssMb: mb(peak),
      peakKinds,
      afterGc,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      holds: [...new Set(holds.map((h) => h.who))].map(byWho),
      stallMs: stall,
      stalls: [...stalls].map(([p, ms]) => `${p} ${Math.round(ms)} ms`).join(', '),
      cpuMs,
      detail
    })
  }
  process.on('message', async (m: { type: string }) => {
    if (m.type === 'preview')
      await step('preview', async () => {
        const p = await previewRun(core, regieId, month)
        return `${p.totals.invoices} factures, ${p.totals.lines} lignes, ${(p.totals.totalCents / 100).toFixed(2)} €, ${p.anomalies.length} anomalies`
      })
    if (m.type === 'issue')
      await step('issue', async () => {
        const sizes: number[] = []
        // RSS by phase: after the backup (first staging chunk), the largest while staging, the largest while numbering.
        const rss = { backup: 0, staging: 0, numbering: 0, worker: 0 }
        const now = () => mb(process.memoryUsage().rss)
        const r = await issueRun(core, STAFF, { regieId, month }, {
          onChunk: (n, _held, workerHeap) => {
            phase = 'préparation'
            sizes.push(n)
            rss.worker = Math.max(rss.worker, mb(workerHeap ?? 0))
            rss.backup ||= now()
            rss.staging = Math.max(rss.staging, now())
          },
          onNumbered: () => {
            phase = 'numérotation'
            rss.numbering = Math.max(rss.numbering, now())
          },
          thread: THREAD
        })
        const chunks = `${sizes.length} lots de préparation de ${Math.min(...sizes)} à ${Math.max(...sizes)} familles ; RSS après la sauvegarde ${rss.backup} Mo, préparation ≤ ${rss.staging} Mo, numérotation ≤ ${rss.numbering} Mo ; tas V8 du fil de calcul ≤ ${rss.worker} Mo réservés`
        const seqs = db.prepare('SELECT MIN(seq) AS lo, MAX(seq) AS hi, COUNT(*) AS n FROM invoice WHERE run_id = ?').get(r.runId) as { lo: number; hi: number; n: number }
        return `${chunks} ; ${r.invoiceCount} factures ${r.firstNumber} → ${r.lastNumber} (${seqs.n} numéros de ${seqs.lo} à ${seqs.hi}), ${r.lineCount} lignes, ${(r.totalCents / 100).toFixed(2)} €`
      })
    if (m.type === 'pdf')
      await step('pdf', async () => {
        const runId = (db.prepare('SELECT MAX(id) AS id FROM invoicing_run').get() as { id: number }).id
        const b = await runInvoiceBatch(core, STAFF, { runId, email: true, printAll: false }, undefined, pdfs)
        return `${b.rendered} factures (${b.emailed} e-mails en file d'attente, ${b.printed} à imprimer) en ${(b.ms / 1000).toFixed(1)} s : ${(b.rendered / (b.ms / 1000)).toFixed(1)} factures/s`
      })
    if (m.type === 'pdf-main')
      // Baseline for the worker pool: the same invoices rendered one by one on the main thread, as before #19's pool.
      await step('pdf-main', async () => {
        const runId = (db.prepare('SELECT MAX(id) AS id FROM invoicing_run').get() as { id: number }).id
        const ids = (db.prepare('SELECT id FROM invoice WHERE run_id = ? ORDER BY seq LIMIT ?').all(runId, Number.isFinite(pdfs) ? pdfs : -1) as { id: number }[]).map((x) => x.id)
        const ctx = await core.tx.read((m) => invoiceDocContext(core, m))
        const t = performance.now()
        for (const id of ids) {
          const data = await core.tx.read((m) => invoicePdfData(m, id, ctx))
          await renderPdf(invoicePdf(data))
          await new Promise((r) => setImmediate(r))
        }
        const s = (performance.now() - t) / 1000
        return `${ids.length} factures rendues sur le fil principal en ${s.toFixed(1)} s : ${(ids.length / s).toFixed(1)} factures/s`
      })
    if (m.type === 'stop') {
      await app.close()
      await core.close()
      process.exit(0)
    }
  })
}

// ---------------------------------------------------------------- 3. loader (this process)

let code = { file: __filename, execArgv: process.execArgv }
function child(args: string[]): ChildProcess {
  // The environment scripts/start.mjs gives the app (MALLOC_ARENA_MAX on Linux).
  return fork(code.file, args, { execArgv: code.execArgv, env: appEnv(process.env), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
}

/**
 * The children's code: a bundle of this file like electron-vite's of out/main (dependencies left in node_modules),
 * the invoicing and PDF workers beside it where compute-thread.ts and pdf/pool.ts look for them.
 */
async function childCode(): Promise<{ file: string; execArgv: string[] }> {
  if (process.env.BENCH_SOURCE === '1') return { file: __filename, execArgv: process.execArgv }
  const { build } = (await import('esbuild')) as typeof import('esbuild')
  const root = join(__dirname, '..')
  const outdir = join(root, 'out', 'bench')
  await build({
    entryPoints: {
      'invoicing-run': __filename,
      'compute-worker': join(root, 'src-main/billing/invoicing/compute-worker.ts'),
      'pdf-worker': join(root, 'src-main/billing/pdf/pdf-worker.ts')
    },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    tsconfig: join(root, 'tsconfig.node.json'),
    logLevel: 'warning'
  })
  return { file: join(outdir, 'invoicing-run.js'), execArgv: [] }
}

/** Resident memory by kind, from /proc/self/status: anonymous (heaps of every thread, allocator, SQLite caches) and file-backed (code). */
function rssKinds(): { anon: number; file: number } {
  const st = readFileSync('/proc/self/status', 'utf8')
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)?.[1] ?? 0) * 1024
  return { anon: mb(kb('RssAnon')), file: mb(kb('RssFile') + kb('RssShmem')) }
}

async function main() {
  const families = Number(process.argv[2] ?? 3000)
  const pdfs = process.argv[3] === 'all' ? Infinity : Number(process.argv[3] ?? 300)
  const loaders = Number(process.env.BENCH_LOADERS ?? Math.min(families, 4000))
  const dir = mkdtempSync(join(tmpdir(), 'rb-bench-invoicing-'))
  code = await childCode()
  console.log(`Code du serveur : ${code.execArgv.length ? 'sources TypeScript (tsx)' : `bundle esbuild ${code.file}, Node sans tsx (comme out/main)`} ; MALLOC_ARENA_MAX=${appEnv(process.env).MALLOC_ARENA_MAX}`)
  try {
    await new Promise<void>((resolve, reject) => {
      child(['--seed', dir, String(families)]).on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`seeder ${c}`))))
    })
    const srv = child(['--server', dir, String(loaders), String(pdfs)])
    const messages: ToParent[] = []
    let wake: (() => void) | null = null
    srv.on('message', (m: ToParent) => {
      messages.push(m)
      wake?.()
    })
    const next = async <T extends ToParent['type']>(type: T): Promise<Extract<ToParent, { type: T }>> => {
      for (;;) {
        const i = messages.findIndex((m) => m.type === type)
        if (i >= 0) return messages.splice(i, 1)[0] as Extract<ToParent, { type: T }>
        await new Promise<void>((r) => (wake = r))
      }
    }
    const ready = await next('ready')
    console.log(`Serveur prêt (${ready.jobs.length} familles prêtes à « Terminer », RSS ${ready.rssMb} Mo) ; charge : ${RATE} « Terminer »/s, boucle ouverte ; ${cat('/proc/loadavg')}`)
    console.log(`  mémoire du serveur ${ready.memory}`)

    // Open loop: request k is due at t0 + k / RATE, sent then whatever happened to the earlier ones.
    const url = `http://127.0.0.1:${ready.port}/api/portal/bookings-commit`
    const results: { due: number; ms: number; status: number }[] = []
    const t0 = performance.now()
    let k = 0
    let stopped = false
    const inflight = new Set<Promise<void>>()
    const tick = () => {
      if (stopped) return
      const now = performance.now()
      while (t0 + (k * 1000) / RATE <= now && k < ready.jobs.length) {
        const due = t0 + (k * 1000) / RATE
        const j = ready.jobs[k++]
        const p = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', cookie: j.cookie, 'x-csrf-token': j.csrf }, body: j.body })
          .then(async (r) => {
            await r.arrayBuffer()
            results.push({ due, ms: performance.now() - due, status: r.status })
          })
          .catch(() => void results.push({ due, ms: performance.now() - due, status: 0 }))
          .finally(() => inflight.delete(p))
        inflight.add(p)
      }
      if (k >= ready.jobs.length) console.log('  (plus de familles pour la charge : elle s’arrête)')
      else setTimeout(tick, 5)
    }
    if (RATE > 0) tick()
    const window = (from: number, to: number) => results.filter((r) => r.due >= from && r.due < to)
    const report = (label: string, rs: typeof results) => {
      if (!rs.length) return console.log(`  portail pendant ${label} : aucune requête`)
      const s = stats(rs.map((r) => r.ms))
      const bad = rs.filter((r) => r.status !== 200).length
      console.log(`  portail pendant ${label} : ${rs.length} « Terminer », p50 ${s.median.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms, p99 ${s.p99.toFixed(0)} ms, max ${s.max.toFixed(0)} ms${bad ? `, ${bad} non-200` : ''}`)
    }
    const printStep = (s: Extract<ToParent, { type: 'step' }>) => {
      console.log(`${s.step === 'preview' ? 'Aperçu' : s.step === 'issue' ? 'Émission (sauvegarde + préparation + publication)' : s.step === 'pdf' ? 'Lot de PDF (fils de travail)' : 'PDF sur le fil principal (référence)'} : ${(s.ms / 1000).toFixed(1)} s (CPU du processus ${(s.cpuMs / 1000).toFixed(1)} s) — ${s.detail}`)
      console.log(`  RSS maximal pendant l'étape ${s.peakRssMb} Mo (anonyme ${s.peakKinds.anon}, fichiers ${s.peakKinds.file} ; maxRSS du processus ${s.maxRssMb} Mo) ; plus long blocage de la boucle d'événements ${s.stallMs.toFixed(0)} ms (${s.stalls})`)
      console.log(`  mémoire du serveur à la fin de l'étape, ${s.afterGc}`)
      for (const h of s.holds)
        console.log(`  verrou d'écriture (${h.who}) : ${h.count} transactions, la plus longue ${h.maxMs.toFixed(0)} ms (CPU du processus : ${h.maxCpuMs.toFixed(0)} ms au plus ; p99 ${h.p99Ms.toFixed(0)} ms, ${h.over200} au-delà de 200 ms ; les 5 plus longues ${h.top.join(', ')} ms)`)
    }

    await new Promise((r) => setTimeout(r, 3000))
    const a = performance.now()
    // BENCH_PREVIEW=0: straight to the issue (on a busy machine a city's preview can outlast the loader's families).
    const preview = PREVIEW ? (srv.send({ type: 'preview' }), await next('step')) : null
    const b = performance.now()
    const load0 = cat('/proc/loadavg')
    srv.send({ type: 'issue' })
    const issue = await next('step')
    const c = performance.now()
    console.log(`  charge de la machine (loadavg) avant l'émission ${load0} ; après ${cat('/proc/loadavg')}`)
    // Requests still waiting are counted too: wait for their answers before the percentiles.
    stopped = true
    await Promise.all([...inflight])
    report('les 3 s avant', window(t0, a))
    if (preview) {
      printStep(preview)
      report("l'aperçu", window(a, b))
    }
    printStep(issue)
    report("l'émission", window(b, c))
    if (pdfs > 0) {
      srv.send({ type: 'pdf' })
      printStep(await next('step'))
      srv.send({ type: 'pdf-main' })
      printStep(await next('step'))
    }
    srv.send({ type: 'stop' })
    await new Promise<void>((r) => {
      srv.on('exit', () => r())
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const [mode, ...rest] = process.argv.slice(2)
const run = mode === '--seed' ? seeder(rest[0], Number(rest[1])) : mode === '--server' ? server(rest[0], Number(rest[1]), Number(rest[2])) : main()
run.catch((e) => {
  console.error(e)
  process.exit(1)
})
