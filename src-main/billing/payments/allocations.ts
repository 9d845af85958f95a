/**
 * The one way an allocation (part of a payment applied to an invoice, or its
 * reversal) is written. Each row carries the day it takes effect, so the
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

export function insertAllocation(db: Database.Database, a: AllocationRow): void {
  const r = stmt(
    db,
    `INSERT INTO payment_allocation (payment_id, invoice_id, amount_cents, created_at, effective_on)
     SELECT ?, ?, ?, ?, max(?, p.received_on, i.issue_date) FROM payment p, invoice i WHERE p.id = ? AND i.id = ?`
  ).run(a.paymentId, a.invoiceId, a.amountCents, a.at, a.on, a.paymentId, a.invoiceId)
  if (r.changes !== 1) throw new Error(`allocation of payment ${a.paymentId} to invoice ${a.invoiceId}: payment or invoice missing`)
}
