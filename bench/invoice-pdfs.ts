/**
 * Batch invoice PDFs (#19: ≥ 100 invoices/s on 2 cores), lighter than
 * invoicing-run.ts: a month issued once on 3,000 generated families
 * (`billing-load.ts`, kept in bench/.data/invoice-pdfs-<families>/ for the next
 * runs), with the structure's logo (a PNG), then N invoices rendered
 *
 *  1. on the main thread, one after the other (the CPU cost of one invoice);
 *  2. through the worker pool with 1 thread, then 2 threads: `runInvoiceBatch`,
 *     the batch the desk starts (reads, renders, e-mails queued, print file).
 *
 * Each step prints wall time, the process CPU time (every thread: main + workers),
 * CPU ms per invoice and the load average, since the machine is shared.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx bench/invoice-pdfs.ts [invoices=1000] [families=3000]
 *
 * BENCH_BUILT=1 runs the workers from the built bundle, as the app does (`npm run build` first:
 * out/main/pdf-worker.js); without it they load the TypeScript source through tsx (slower to start).
 *
 * BENCH_PROFILE=/tmp/pdf.cpuprofile profiles the main-thread step, BENCH_PROFILE_BATCH the
 * main thread during the 2-thread batch; BENCH_MAIN_ONLY=1 skips the pool.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import QRCode from 'qrcode'
import { openCore } from '../src-main/core/app-core'
import { FixedClock } from '../src-main/core/clock'
import { seedInvoicingLoad, BENCH_COMPTABLE } from './billing-load'
import { startCpuProfile } from './measure'

const invoices = Number(process.argv[2] ?? 1000)
const families = Number(process.argv[3] ?? 3000)
const dir = join(process.env.BENCH_DATA_DIR ?? join(__dirname, '.data'), `invoice-pdfs-${families}`)

const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
/** CPU of the calling thread alone (Linux; clock ticks of 10 ms): the main thread's share of a batch. */
const threadCpuMs = () => {
  const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ')
  return (Number(f[11]) + Number(f[12])) * 10
}
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ')

if (process.env.BENCH_BUILT) process.env.RIBAMBELLE_PDF_WORKER = join(__dirname, '..', 'out', 'main', 'pdf-worker.js')

async function main() {
  const clock = new FixedClock(new Date('2026-04-02T07:00:00Z'))
  const fresh = !existsSync(join(dir, 'ready'))
  if (fresh) mkdirSync(dir, { recursive: true })
  const core = await openCore({ dataDir: dir, clock, log: () => {} })
  const { issueRun } = await import('../src-main/billing/invoicing/issue')
  const { runInvoiceBatch } = await import('../src-main/billing/invoicing/batch')
  const { invoiceDocContext, invoicePdfData } = await import('../src-main/billing/documents/render')
  const { invoicePdf } = await import('../src-main/billing/documents/pdfs')
  const { renderPdf } = await import('../src-main/billing/pdf/printer')
  const { closePdfPool, setPdfThreads, pdfThreads } = await import('../src-main/billing/pdf/pool')
  const { renderPrintFile } = await import('../src-main/billing/pdf/print-file')
  if (fresh) {
    const t = performance.now()
    core.db.prepare(`INSERT INTO staff_user (id, login, display_name, role, password_hash, created_at) VALUES (1, 'bench', 'Bench', 'comptable', 'x', '2026-01-01')`).run()
    const l = await seedInvoicingLoad(core, { families })
    // A commune's logo as uploaded: a 256 px PNG.
    const logo = await QRCode.toDataURL('https://benchville.fr/enfance', { width: 256, margin: 1 })
    core.db.prepare('UPDATE structure SET logo = ? WHERE id = 1').run(logo)
    const r = await issueRun(core, BENCH_COMPTABLE, { regieId: l.regieId, month: l.month })
    writeFileSync(join(dir, 'ready'), String(r.runId))
    console.log(`Données : ${l.families} familles, ${r.invoiceCount} factures émises (${((performance.now() - t) / 1000).toFixed(1)} s)`)
  }
  const runId = (core.db.prepare('SELECT MAX(id) AS id FROM invoicing_run').get() as { id: number }).id
  const ids = (core.db.prepare('SELECT id FROM invoice WHERE run_id = ? ORDER BY seq LIMIT ?').all(runId, invoices) as { id: number }[]).map((x) => x.id)
  console.log(`${ids.length} factures, ${pdfThreads()} cœurs disponibles, charge ${load()}`)

  // 1. Main thread: the data read first, so the CPU figure is the render alone.
  const ctx = await core.tx.read((m) => invoiceDocContext(core, m))
  const datas = await core.tx.read(async (m) => Promise.all(ids.map((id) => invoicePdfData(m, id, ctx))))
  for (const d of datas.slice(0, 20)) await renderPdf(invoicePdf(d)) // warm-up
  const stopProfile = process.env.BENCH_PROFILE ? await startCpuProfile() : null
  let c = cpuMs()
  let t = performance.now()
  let bytes = 0
  for (const d of datas) bytes += (await renderPdf(invoicePdf(d))).length
  let wall = performance.now() - t
  let cpu = cpuMs() - c
  if (stopProfile) await stopProfile(process.env.BENCH_PROFILE as string)
  console.log(
    `Fil principal : ${datas.length} factures en ${(wall / 1000).toFixed(2)} s, ${(datas.length / (wall / 1000)).toFixed(1)} factures/s ; CPU ${(cpu / datas.length).toFixed(2)} ms/facture ; ${Math.round(bytes / datas.length / 1024)} Ko/PDF ; charge ${load()}`
  )

  // 1b. The print file of the invoices of families without e-mail, on the main thread: one long document.
  const printIds = (core.db.prepare(`SELECT i.id FROM invoice i JOIN person p ON p.family_id = i.family_id AND p.role = 'responsable' WHERE i.id IN (${ids.join(',')}) AND p.consent_email = 0`).all() as { id: number }[]).map((x) => x.id)
  const printDatas = datas.filter((_, i) => printIds.includes(ids[i]))
  const { documentDef } = await import('../src-main/billing/documents/layout')
  c = cpuMs()
  t = performance.now()
  const content = printDatas.flatMap((d, i) => [...(i ? [{ text: '', pageBreak: 'after' as const }] : []), ...(invoicePdf(d).content as never[])])
  const printBytes = (await renderPdf(documentDef(content, 'Factures à imprimer'))).length
  wall = performance.now() - t
  cpu = cpuMs() - c
  console.log(`Fichier à imprimer (fil principal) : ${printDatas.length} factures, ${Math.round(printBytes / 1024)} Ko en ${(wall / 1000).toFixed(2)} s ; CPU ${(cpu / printDatas.length).toFixed(2)} ms/facture ; charge ${load()}`)
  console.log(`Fils de travail : ${process.env.RIBAMBELLE_PDF_WORKER ?? 'source TypeScript par tsx'}`)

  // 2. The batch through the pool, 1 then 2 threads (e-mails queued for consenting families, the rest printed).
  for (const threads of process.env.BENCH_MAIN_ONLY ? [] : [1, 2]) {
    await closePdfPool()
    setPdfThreads(threads)
    // Threads started and warm (the tsx loader of a source run, then V8's compiler), as in a desk's second batch.
    t = performance.now()
    await runInvoiceBatch(core, BENCH_COMPTABLE, { runId, email: true, printAll: false }, undefined, 40 * threads)
    console.log(`Premier lot (pool froid), ${threads} fil(s) : ${40 * threads} factures en ${((performance.now() - t) / 1000).toFixed(2)} s`)
    core.db.prepare('DELETE FROM outbox_mail').run()
    // The print file alone through the pool, as the batch makes it: parts on every thread, then merged.
    c = cpuMs()
    t = performance.now()
    const byId = new Map(ids.map((id, i) => [id, datas[i]]))
    const printed = ids.filter((id) => printIds.includes(id)) // the order of the numbers, as the batch
    const merged = (await renderPrintFile(printed, async (part) => part.map((id) => byId.get(id)!), 'Factures à imprimer'))!
    wall = performance.now() - t
    cpu = cpuMs() - c
    console.log(`Fichier à imprimer (${threads} fil(s), en parties fusionnées) : ${Math.round(merged.length / 1024)} Ko en ${(wall / 1000).toFixed(2)} s ; CPU ${(cpu / printDatas.length).toFixed(2)} ms/facture ; charge ${load()}`)
    const stop = process.env.BENCH_PROFILE_BATCH && threads === 2 ? await startCpuProfile() : null
    const delay = monitorEventLoopDelay({ resolution: 10 })
    delay.enable()
    let rss = process.memoryUsage().rss
    const rssAt = rss
    const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 50)
    c = cpuMs()
    const mainAt = threadCpuMs()
    t = performance.now()
    const r = await runInvoiceBatch(core, BENCH_COMPTABLE, { runId, email: true, printAll: false }, undefined, invoices)
    wall = performance.now() - t
    cpu = cpuMs() - c
    const main = threadCpuMs() - mainAt
    clearInterval(sampler)
    delay.disable()
    if (stop) await stop(process.env.BENCH_PROFILE_BATCH as string)
    console.log(
      `Lot, ${threads} fil(s) : ${r.rendered} factures (${r.emailed} e-mails, ${r.printed} à imprimer) en ${(wall / 1000).toFixed(2)} s, ${(r.rendered / (wall / 1000)).toFixed(1)} factures/s ; CPU ${(cpu / r.rendered).toFixed(2)} ms/facture dont fil principal ${(main / r.rendered).toFixed(2)}, fils de travail ${((cpu - main) / r.rendered).toFixed(2)} ; plus long blocage de la boucle ${Math.round(delay.max / 1e6)} ms ; RSS ${Math.round(rssAt / 1e6)} -> max ${Math.round(rss / 1e6)} Mo ; charge ${load()}`
    )
    // The next run e-mails the same invoices again: drop this run's mails so both runs do the same work.
    core.db.prepare('DELETE FROM outbox_mail').run()
  }
  await closePdfPool()
  await core.close()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
