/**
 * Benchmark of the aged balance as of a past date (#13), at commune scale:
 * 3,000 families and their month (billing-load.ts, ~120,000 lines), the run
 * issued, then a month of payments: cash and cheques received on various
 * days, some recorded on days after the one reported on, direct debits
 * collected later, a few rejected cheques and credit notes. Times the
 * computation alone (agedBalanceAsOf) and the whole XLSX export.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/aged-balance.ts [families=3000] [iterations=20]
 */
import { addDays } from '@shared/bookings/days'
import { issueRun } from '../src-main/billing/invoicing/issue'
import { insertPayment, rejectPayment } from '../src-main/billing/payments/payments'
import { cancelInvoice } from '../src-main/billing/invoices'
import { agedBalanceAsOf } from '../src-main/billing/exports/aged-balance'
import { buildExport } from '../src-main/billing/exports/reports'
import { prng } from '../src-main/demo/generate'
import { BENCH_COMPTABLE, openBillingBench, seedInvoicingLoad } from './billing-load'
import { stats } from './measure'

const AS_OF = '2026-04-25'

async function main() {
  const families = Number(process.argv[2] ?? 3000)
  const iterations = Number(process.argv[3] ?? 20)
  const bench = await openBillingBench('aged')
  const { core, clock } = bench
  try {
    let t = performance.now()
    const load = await seedInvoicingLoad(core, { families })
    const run = await issueRun(core, BENCH_COMPTABLE, { regieId: load.regieId, month: load.month })
    console.log(`Données : ${load.families} familles, ${run.invoiceCount} factures, ${run.lineCount} lignes (${load.month}, émises le 02/04, échéance 22/04) — ${((performance.now() - t) / 1000).toFixed(1)} s`)

    // A month of payments, in one transaction (test data, not a path to measure).
    t = performance.now()
    const r = prng(13)
    const invoices = core.db.prepare('SELECT id, family_id, total_cents FROM invoice WHERE run_id = ?').all(run.runId) as { id: number; family_id: number; total_cents: number }[]
    const cheques: number[] = []
    await core.tx.run(async (m) => {
      for (const inv of invoices) {
        const x = r()
        if (x < 0.25) continue // unpaid
        const debit = x > 0.9
        const receivedOn = debit ? '2026-05-05' : addDays('2026-04-03', Math.floor(r() * 35)) // some after AS_OF
        const mode = debit ? 'prelevement' : r() < 0.5 ? 'cheque' : 'especes'
        const amount = r() < 0.8 ? inv.total_cents : Math.max(1, Math.floor(inv.total_cents * r()))
        const p = await insertPayment(m, core, BENCH_COMPTABLE, {
          familyId: inv.family_id,
          regieId: load.regieId,
          mode,
          amountCents: amount,
          receivedOn,
          chequeNumber: mode === 'cheque' ? String(1000000 + inv.id) : '',
          bank: '',
          payer: '',
          reference: '',
          allocations: []
        })
        if (mode === 'cheque' && receivedOn < '2026-04-20' && r() < 0.05) cheques.push(p.id)
      }
    })
    clock.set(new Date('2026-05-12T07:00:00Z'))
    for (const id of cheques) await rejectPayment(core, BENCH_COMPTABLE, id, 'Chèque sans provision', addDays('2026-04-20', Math.floor(r() * 15)))
    for (const inv of invoices.filter(() => r() < 0.01)) await cancelInvoice(core, BENCH_COMPTABLE, inv.id, 'Erreur de facturation')
    clock.set(new Date('2026-06-15T07:00:00Z'))
    const count = (sql: string) => (core.db.prepare(sql).get() as { n: number }).n
    console.log(
      `Historique : ${count('SELECT COUNT(*) AS n FROM payment')} règlements (${count(`SELECT COUNT(*) AS n FROM payment WHERE received_on > '${AS_OF}'`)} reçus après le ${AS_OF}), ` +
        `${count('SELECT COUNT(*) AS n FROM payment_allocation')} imputations, ${cheques.length} chèques rejetés, ${count('SELECT COUNT(*) AS n FROM credit_note')} avoirs — ${((performance.now() - t) / 1000).toFixed(1)} s`
    )

    const timeIt = async (label: string, fn: () => unknown, n: number) => {
      await fn() // warm-up: statements prepared, pages cached
      const samples: number[] = []
      for (let i = 0; i < n; i++) {
        const t0 = performance.now()
        await fn()
        samples.push(performance.now() - t0)
      }
      const s = stats(samples)
      console.log(`${label} : médiane ${s.median.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms, min ${s.min.toFixed(0)} ms, max ${s.max.toFixed(0)} ms (${s.n} mesures)`)
    }
    const rows = agedBalanceAsOf(core.db, AS_OF)
    console.log(`Balance au ${AS_OF} : ${rows.length} familles, solde ${(rows.reduce((s, f) => s + f.balance, 0) / 100).toFixed(2)} €`)
    await timeIt(`Balance âgée au ${AS_OF} (calcul seul)`, () => agedBalanceAsOf(core.db, AS_OF), iterations)
    await timeIt(`Balance âgée au ${AS_OF} (export XLSX complet)`, () => buildExport(core, { kind: 'aged-balance', from: AS_OF, to: AS_OF }), Math.max(3, Math.round(iterations / 4)))
    await timeIt('Balance âgée au 15/06 (aujourd’hui, calcul seul)', () => agedBalanceAsOf(core.db, '2026-06-15'), iterations)
  } finally {
    await bench.close()
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
