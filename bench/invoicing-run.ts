/**
 * Benchmark of a monthly invoicing run at commune scale (#6):
 * 3,000 families, ~5,000 children, ~120,000 billable lines in a month.
 * Reports preview and issue times, lines per second, the batch PDF rate
 * (invoices per second, one core) and the peak RSS.
 *
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --import tsx bench/invoicing-run.ts [families=3000] [pdfs=all]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openCore } from '../src-main/core/app-core'
import { FixedClock } from '../src-main/core/clock'
import { previewRun } from '../src-main/billing/invoicing/runs'
import { issueRun } from '../src-main/billing/invoicing/issue'
import { runInvoiceBatch } from '../src-main/billing/invoicing/batch'
import { invoiceDocContext, invoicePdfData } from '../src-main/billing/documents/render'
import { invoicePdf } from '../src-main/billing/documents/pdfs'
import { renderPdf } from '../src-main/billing/pdf/printer'
import { Invoice } from '../src-main/billing/entities'
import { backupDatabase } from '../src-main/db/backup'
import { seedInvoicingLoad } from './billing-load'

const STAFF = { kind: 'staff' as const, id: 1, label: 'Bench', role: 'comptable' as const }

function rssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024)
}

async function main() {
  const families = Number(process.argv[2] ?? 3000)
  const pdfLimit = process.argv[3] === undefined || process.argv[3] === 'all' ? Infinity : Number(process.argv[3])
  const dir = mkdtempSync(join(tmpdir(), 'rb-bench-invoicing-'))
  const core = await openCore({ dataDir: dir, clock: new FixedClock(new Date('2026-04-02T07:00:00Z')), log: () => {} })
  try {
    core.db.prepare(`INSERT INTO staff_user (id, login, display_name, role, password_hash, created_at) VALUES (1, 'bench', 'Bench', 'comptable', 'x', '2026-01-01')`).run()
    let t = performance.now()
    const load = await seedInvoicingLoad(core, { families })
    const billable = (core.db.prepare(`SELECT COUNT(*) AS n FROM booking WHERE state IN ('R','PRESENT','A_FACT','ABSENT')`).get() as { n: number }).n
    console.log(`Données : ${load.families} familles, ${load.children} enfants, ${load.bookings} réservations dont ${billable} facturables (${load.month}) — générées en ${((performance.now() - t) / 1000).toFixed(1)} s (RSS ${rssMb()} Mo)`)

    t = performance.now()
    const p = await previewRun(core, load.regieId, load.month)
    const previewMs = performance.now() - t
    console.log(`Aperçu : ${p.totals.invoices} factures, ${p.totals.lines} lignes, ${(p.totals.totalCents / 100).toFixed(2)} € — ${previewMs.toFixed(0)} ms (${Math.round(p.totals.lines / (previewMs / 1000))} lignes/s), anomalies ${p.anomalies.length}`)

    console.log(`  RSS maximal après l'aperçu : ${rssMb()} Mo`)
    // The same backup the issue starts with, timed alone to show its share.
    t = performance.now()
    const b = await backupDatabase(core.db, join(dir, 'bench-backups'), 'bench', 2, new Date())
    console.log(`Sauvegarde seule : ${(performance.now() - t).toFixed(0)} ms (${Math.round(b.sizeBytes / 1048576)} Mo, contrôle d'intégrité compris)`)

    t = performance.now()
    const r = await issueRun(core, STAFF, { regieId: load.regieId, month: load.month })
    const issueMs = performance.now() - t
    console.log(`Émission (sauvegarde + transaction) : ${r.invoiceCount} factures ${r.firstNumber} → ${r.lastNumber}, ${r.lineCount} lignes — ${issueMs.toFixed(0)} ms (${Math.round(r.lineCount / (issueMs / 1000))} lignes/s)`)
    console.log(`  RSS maximal après l'émission : ${rssMb()} Mo`)

    // PDF rate, one core: read + build + render each invoice in turn.
    const ids = (await core.tx.read((m) => m.find(Invoice, { where: { runId: r.runId }, order: { seq: 'ASC' }, select: { id: true } }))).map((i) => i.id).slice(0, pdfLimit)
    const ctx = await core.tx.read((m) => invoiceDocContext(core, m))
    t = performance.now()
    let bytes = 0
    for (const id of ids) {
      const data = await core.tx.read((m) => invoicePdfData(m, id, ctx))
      bytes += (await renderPdf(invoicePdf(data))).length
    }
    const pdfMs = performance.now() - t
    console.log(`  (RSS maximal avant les PDF : ${rssMb()} Mo)`)
    console.log(`PDF : ${ids.length} factures en ${(pdfMs / 1000).toFixed(1)} s — ${(ids.length / (pdfMs / 1000)).toFixed(1)} factures/s (${Math.round(bytes / ids.length / 1024)} Ko en moyenne)`)

    // The real batch job on a slice: render + e-mail through the outbox (consenting families) + print file for the others.
    const sliceRun = Math.min(300, ids.length)
    t = performance.now()
    const batch = await runInvoiceBatch(core, STAFF, { runId: r.runId, email: true, printAll: false }, undefined, sliceRun)
    const batchMs = performance.now() - t
    console.log(`Lot (${batch.rendered} factures : ${batch.emailed} e-mails en file d'attente, ${batch.printed} à imprimer) : ${(batch.rendered / (batchMs / 1000)).toFixed(1)} factures/s`)
    console.log(`RSS maximal : ${rssMb()} Mo`)
  } finally {
    await core.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
