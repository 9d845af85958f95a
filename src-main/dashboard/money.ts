import type { DashboardMoneyDto } from '@shared/contract/desk-shapes'
import { addMonths } from '@shared/bookings/days'
import type { Core } from '../core/app-core'
import { dbOf, stmt } from '../bookings/sql'
import { AGE_BUCKETS, agedBalanceAsOf } from '../billing/exports/aged-balance'
import { previewDirectDebits } from '../billing/sepa/export'
import { schoolYearBounds, schoolYearOf } from '../billing/statement'

/**
 * Money at a glance (billing roles only): the aged balance as of today (the
 * accountants' « Balance âgée », summed), invoiced and received per month of
 * the school year (two aggregate queries over invoice and payment, served by
 * their period/received indexes), and the next direct debit — one sent to
 * the bank and not collected yet, else the file the SEPA plan would propose
 * now (its « Aperçu »).
 */
export async function moneyAtDesk(core: Core, today: string): Promise<DashboardMoneyDto> {
  const schoolYear = schoolYearOf(today)
  const { from, to } = schoolYearBounds(schoolYear)
  const read = await core.tx.read(async (m) => {
    const db = dbOf(m)
    const aged = { notDue: 0, d30: 0, d60: 0, d90: 0, older: 0, total: 0, inFlight: 0, families: 0 }
    for (const f of agedBalanceAsOf(db, today)) {
      if (f.due <= 0) continue
      for (const k of AGE_BUCKETS) aged[k] += f[k]
      aged.total += f.due
      aged.inFlight += f.inFlight
      aged.families++
    }
    const invoiced = new Map(
      (stmt(
        db,
        `SELECT substr(period_start, 1, 7) AS month, SUM(total_cents) AS cents FROM invoice
          WHERE period_start BETWEEN ? AND ? AND status = 'issued' GROUP BY 1`
      ).all(from, to) as { month: string; cents: number }[]).map((r) => [r.month, r.cents])
    )
    // A direct debit is received on its collection date: one still ahead is not money in yet.
    const received = new Map(
      (stmt(
        db,
        `SELECT substr(received_on, 1, 7) AS month, SUM(amount_cents) AS cents FROM payment
          WHERE received_on BETWEEN ? AND ? AND status = 'ok' GROUP BY 1`
      ).all(from, today < to ? today : to) as { month: string; cents: number }[]).map((r) => [r.month, r.cents])
    )
    const sent = stmt(
      db,
      `SELECT c.collection_date AS date, r.name AS regieName, COUNT(*) AS count, SUM(c.amount_cents) AS amountCents
         FROM sepa_collection c JOIN payment p ON p.id = c.payment_id JOIN sepa_export e ON e.id = c.export_id JOIN regie r ON r.id = e.regie_id
        WHERE c.collection_date > ? AND p.status = 'ok'
        GROUP BY c.collection_date, r.id ORDER BY c.collection_date LIMIT 1`
    ).get(today) as { date: string; regieName: string; count: number; amountCents: number } | undefined
    const regies = stmt(db, `SELECT id, name FROM regie WHERE active = 1 AND ics <> '' AND creditor_iban <> '' ORDER BY id`).all() as { id: number; name: string }[]
    return { aged, invoiced, received, sent, regies }
  })
  const months: DashboardMoneyDto['months'] = []
  for (let mo = from.slice(0, 7); mo <= to.slice(0, 7); mo = addMonths(mo, 1)) {
    months.push({ month: mo, invoicedCents: read.invoiced.get(mo) ?? 0, receivedCents: read.received.get(mo) ?? 0 })
  }
  let nextDebit: DashboardMoneyDto['nextDebit'] = read.sent ? { ...read.sent, status: 'sent' } : null
  if (!nextDebit) {
    for (const r of read.regies) {
      const plan = await previewDirectDebits(core, { regieId: r.id, runId: null, collectionDate: null, represent: false })
      if (plan.nbTxs > 0 && (!nextDebit || plan.collectionDate < nextDebit.date)) {
        nextDebit = { date: plan.collectionDate, status: 'planned', regieName: r.name, count: plan.nbTxs, amountCents: plan.ctrlSumCents }
      }
    }
  }
  return { asOf: today, aged: read.aged, schoolYear, months, nextDebit }
}
