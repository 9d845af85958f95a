/**
 * The one way allocations (parts of a payment applied to an invoice, or their
 * reversals) are written. Each row carries the day it takes effect, so the
 * accounts can be read as of any date: never before the payment is received
 * nor before the invoice is issued, otherwise the day of the event that made
 * it (the payment's day when recorded with it, the day credit is applied, the
 * credit note's day, the rejection's day).
 */
import type Database from 'better-sqlite3'
import { stmt } from '../../bookings/sql'

export interface AllocationRow {
  paymentId: number
  invoiceId: number
  /** Negative for a reversal. */
  amountCents: number
  /** Day of the event that makes the allocation ('YYYY-MM-DD'). */
  on: string
  /** ISO instant the row is written. */
  at: string
}

/** Writes the rows in one statement (a direct-debit file allocates thousands at once). */
export function insertAllocations(db: Database.Database, rows: AllocationRow[]): void {
  if (!rows.length) return
  const r = stmt(
    db,
    `INSERT INTO payment_allocation (payment_id, invoice_id, amount_cents, created_at, effective_on)
     SELECT p.id, i.id, x.value ->> '$[2]', x.value ->> '$[4]', max(x.value ->> '$[3]', p.received_on, i.issue_date)
       FROM json_each(?) x JOIN payment p ON p.id = x.value ->> '$[0]' JOIN invoice_row i ON i.id = x.value ->> '$[1]'
      ORDER BY x.key`
  ).run(JSON.stringify(rows.map((a) => [a.paymentId, a.invoiceId, a.amountCents, a.on, a.at])))
  if (r.changes !== rows.length) throw new Error(`allocations: ${rows.length - r.changes} of ${rows.length} refer to a missing payment or invoice`)
}

export function insertAllocation(db: Database.Database, a: AllocationRow): void {
  insertAllocations(db, [a])
}
