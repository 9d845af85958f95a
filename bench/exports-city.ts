/**
 * The commune-wide exports at city scale (#19): the pain.008 file and the
 * PES V2 bordereau of a whole run, and the queueing of the invoices' e-mails.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx bench/exports-city.ts seed [families=20000]
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx bench/exports-city.ts sepa|pes|closure|mail|mail-send
 *
 * `seed` writes, once, a month of 20,000 families issued as one run, every
 * family on direct debit with its invoice sent, a PES V2 régie (bench/.data/
 * exports-city, ignored by git). Each job then runs in its own process on a
 * copy of it, so that its peak RSS is its own (the issue alone takes GBs).
 * Reported: wall and CPU time, peak RSS (sampled every 50 ms, and maxRSS),
 * the longest write-lock hold (BEGIN IMMEDIATE … COMMIT) and the load average.
 * `mail` queues the run's e-mails (the outbox names each invoice) and reports
 * the outbox's bytes; `mail-send` queues them unmeasured, then measures their
 * sending to an SMTP sink on 127.0.0.1 (in this process, counting bytes only),
 * each PDF rendered by the sender in the worker pool.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { openCore, type Core } from '../src-main/core/app-core'
import { FixedClock } from '../src-main/core/clock'
import { frenchIban } from '../src-shared/check-digits'

const SEED_DIR = resolve(__dirname, '.data', 'exports-city')
const STAFF = { kind: 'staff' as const, id: 1, label: 'Bench', role: 'comptable' as const }
const mb = (b: number) => Math.round(b / 1048576)

async function seed(families: number) {
  const { seedInvoicingLoad } = await import('./billing-load')
  const { issueRun } = await import('../src-main/billing/invoicing/issue')
  const { savePesSettings } = await import('../src-main/billing/pes/settings')
  rmSync(SEED_DIR, { recursive: true, force: true })
  const core = await openCore({ dataDir: SEED_DIR, clock: new FixedClock(new Date('2026-04-02T07:00:00Z')), log: () => {} })
  const t = performance.now()
  core.db.prepare(`INSERT INTO staff_user (id, login, display_name, role, password_hash, created_at) VALUES (1, 'bench', 'Bench', 'comptable', 'x', '2026-01-01')`).run()
  const load = await seedInvoicingLoad(core, { families })
  const ins = core.db.prepare(
    `INSERT INTO sepa_mandate (family_id, rum, holder, iban, bic, signed_on, sequence_type, status, created_at, updated_at) VALUES (?, ?, ?, ?, '', '2025-09-01', ?, 'active', '2026-01-01', '2026-01-01')`
  )
  core.db.transaction(() => {
    for (const f of core.db.prepare('SELECT id, number FROM family ORDER BY id').all() as { id: number; number: number }[]) {
      ins.run(f.id, `RUM-${f.number}-1`, `Titulaire ${f.number}`, frenchIban('30006', String(10000 + (f.id % 90000)), String(f.number)), f.id % 3 ? 'RCUR' : 'FRST')
    }
  })()
  const run = await issueRun(core, STAFF, { regieId: load.regieId, month: load.month })
  core.db.prepare(`UPDATE invoice SET notified_on = '2026-04-02' WHERE run_id = ?`).run(run.runId)
  await savePesSettings(core, STAFF, {
    regieId: load.regieId,
    enabled: true,
    collectivite: 'Commune de Benchville',
    siret: '21319999000002',
    poste: '031000',
    codCol: '123',
    codBud: '01',
    defaultProduct: 'ENF',
    defaultNature: '7066',
    products: []
  })
  core.db.prepare(`UPDATE person SET consent_email = 1, email = 'famille' || family_id || '@example.test' WHERE role = 'responsable'`).run()
  await core.close()
  console.log(`Données : ${load.families} familles, run ${run.runId} de ${run.invoiceCount} factures — ${((performance.now() - t) / 1000).toFixed(1)} s`)
}

/** Counts every write-lock hold on the one writing connection. */
function meterHolds(core: Core): { max(): number; count(): number } {
  const db = core.db
  const exec = db.exec.bind(db)
  let begun = 0
  let max = 0
  let count = 0
  db.exec = ((sql: string) => {
    const r = exec(sql)
    if (sql === 'BEGIN IMMEDIATE') begun = performance.now()
    else if ((sql === 'COMMIT' || sql === 'ROLLBACK') && begun) {
      max = Math.max(max, performance.now() - begun)
      count++
      begun = 0
    }
    return r
  }) as typeof db.exec
  return { max: () => max, count: () => count }
}

async function job(name: string) {
  if (!existsSync(SEED_DIR)) throw new Error(`Lancez d’abord « exports-city.ts seed ».`)
  const dir = mkdtempSync(join(tmpdir(), `rb-bench-${name}-`))
  cpSync(SEED_DIR, dir, { recursive: true })
  const core = await openCore({ dataDir: dir, clock: new FixedClock(new Date('2026-04-08T07:00:00Z')), log: () => {} })
  try {
    const runId = (core.db.prepare('SELECT MAX(id) AS id FROM invoicing_run').get() as { id: number }).id
    const regieId = (core.db.prepare('SELECT id FROM regie WHERE is_default = 1').get() as { id: number }).id
    const sink = name === 'mail-send' ? await smtpSink(core, runId) : null
    // Loaded before the clock starts: compiling a module is not the job's stall.
    const { exportDirectDebits } = await import('../src-main/billing/sepa/export')
    const { exportRunToPes } = await import('../src-main/billing/pes/export')
    const { runInvoiceBatch } = await import('../src-main/billing/invoicing/batch')
    const { previewClosureCancellations } = await import('../src-main/calendar/closure-bookings')
    // The busiest day of the month, for the closure preview.
    const busiest = name === 'closure' ? (core.db.prepare(`SELECT day FROM booking WHERE state IN ('DR', 'R', 'DA') GROUP BY day ORDER BY COUNT(*) DESC LIMIT 1`).get() as { day: string }).day : ''
    const holds = meterHolds(core)
    const rss0 = mb(process.memoryUsage().rss)
    let peak = process.memoryUsage().rss
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
    // The longest event-loop stall: how long the portal, served by this process, could not answer at all.
    let tick = performance.now()
    let stall = 0
    const ticker = setInterval(() => {
      const n = performance.now()
      stall = Math.max(stall, n - tick - 10)
      tick = n
    }, 10)
    let last = 0
    const progress = (done: number, total: number) => {
      if (done - last >= total / 4 || done === total) console.log(`  progression ${done} / ${total}`)
      if (done - last >= total / 4) last = done
    }
    const t = performance.now()
    const cpu = process.cpuUsage()
    let detail = ''
    if (name === 'sepa') {
      const e = await exportDirectDebits(core, STAFF, { regieId, runId, collectionDate: '2026-04-22', represent: false }, { onProgress: (_s, d, t) => progress(d, t) })
      detail = `${e.nbTxs} prélèvements`
    } else if (name === 'pes') {
      const r = await exportRunToPes(core, STAFF, runId, { onProgress: (d, t) => progress(d, t) })
      detail = `${r.pieceCount} titres`
    } else if (name === 'closure') {
      // The confirm dialog's counts for a day closed for the whole city (every booking of it invoiced: all credited).
      const p = await previewClosureCancellations(core, { facilityId: null, activityId: null, startDate: busiest, endDate: busiest, reason: 'Grève' })
      detail = `aperçu de la fermeture du ${busiest} : ${p.bookings} réservations, ${p.families} familles, ${p.creditedBookings} déjà facturées`
    } else if (name === 'mail') {
      // Today's mass e-mail: the run's batch (invoicing/batch.ts) renders every PDF and queues it, attached, in the outbox.
      const r = await runInvoiceBatch(core, STAFF, { runId, email: true, printAll: false })
      const o = core.db.prepare('SELECT COUNT(*) AS n, SUM(LENGTH(attachments)) AS att, SUM(LENGTH(text_body) + LENGTH(html_body) + LENGTH(subject) + LENGTH(attachments)) AS bytes FROM outbox_mail').get() as { n: number; att: number; bytes: number }
      detail = `${r.emailed} e-mails en file, ${r.printed} à imprimer, outbox ${o.n} lignes, ${(o.bytes / 1048576).toFixed(1)} Mo (dont pièces jointes ${(o.att / 1048576).toFixed(2)} Mo)`
    } else if (name === 'mail-send') {
      const { deliverDueMail } = await import('../src-main/mail/outbox')
      let sent = 0
      let failed = 0
      for (;;) {
        const r = await deliverDueMail(core)
        sent += r.sent
        failed += r.failed
        progress(sent + failed, sink!.total)
        if (r.sent + r.failed === 0) break
      }
      detail = `${sent} e-mails envoyés (${failed} en échec), ${sink!.messages} reçus par le serveur SMTP, ${mb(sink!.bytes)} Mo`
      await sink!.stop()
    } else throw new Error(`inconnu : ${name}`)
    const ms = performance.now() - t
    const used = process.cpuUsage(cpu)
    // One turn of the timers first: a job that ends in microtasks after a long synchronous stretch must still be seen.
    await new Promise((r) => setTimeout(r, 30))
    clearInterval(sampler)
    clearInterval(ticker)
    peak = Math.max(peak, process.memoryUsage().rss)
    console.log(
      `${name} : ${detail} — ${(ms / 1000).toFixed(1)} s (CPU ${((used.user + used.system) / 1e6).toFixed(1)} s), RSS ${rss0} → pic ${mb(peak)} Mo (maxRSS ${Math.round(process.resourceUsage().maxRSS / 1024)} Mo), ` +
        `verrou d’écriture le plus long ${holds.max().toFixed(0)} ms sur ${holds.count()} transactions, boucle d’événements bloquée ${stall.toFixed(0)} ms au plus — charge ${loadavg().map((x) => x.toFixed(1)).join(' ')}`
    )
  } finally {
    await (await import('../src-main/billing/pdf/pool')).closePdfPool()
    await core.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Queues the run's e-mails (unmeasured) and points the outbox at an SMTP server on 127.0.0.1 that only counts what it receives. */
async function smtpSink(core: Core, runId: number) {
  const { SMTPServer } = await import('smtp-server')
  const { runInvoiceBatch } = await import('../src-main/billing/invoicing/batch')
  const { putSetting, SMTP_KEY } = await import('../src-main/settings/settings')
  const { SYSTEM } = await import('../src-main/core/actor')
  const r = await runInvoiceBatch(core, STAFF, { runId, email: true, printAll: false })
  let messages = 0
  let bytes = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', (b: Buffer) => (bytes += b.length))
      stream.on('end', () => {
        messages++
        callback()
      })
    }
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const port = (server.server.address() as { port: number }).port
  await core.tx.run((m) => putSetting(m, core, SYSTEM, SMTP_KEY, { host: '127.0.0.1', port, secure: false, user: '', password: '', from: 'Bench <bench@exemple.fr>', allowSelfSigned: false }, ['password']))
  return { total: r.emailed, get messages() { return messages }, get bytes() { return bytes }, stop: () => new Promise<void>((ok) => server.close(() => ok())) }
}

const [mode, arg] = process.argv.slice(2)
;(mode === 'seed' ? seed(Number(arg ?? 20000)) : job(mode)).catch((e) => {
  console.error(e)
  process.exit(1)
})
