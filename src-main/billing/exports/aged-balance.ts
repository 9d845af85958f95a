/**
 * The aged balance (balance âgée) as of a day: what each family owed at the
 * end of that day, by how long past the due date, counting only what had
 * happened by then — invoices issued, credit notes, payments received,
 * allocations effective (payments/allocations.ts) and rejections, all dated
 * up to that day. A payment recorded later, or a direct debit whose
 * collection date is later, does not reduce it.
 *
 * Per family: each invoice's open amount (total − its credit note − what was
 * allocated to it) goes to the bucket of its due date; payments not yet
 * allocated are the family's unapplied credit. The balance (due − credit)
 * equals invoices − credit notes − payments + rejections up to that day.
 */
import type Database from 'better-sqlite3'
import { personName } from '@shared/names'
import { daysBetween } from '../../calendar/days'
import { stmt } from '../../bookings/sql'

export const AGE_BUCKETS = ['notDue', 'd30', 'd60', 'd90', 'older'] as const
export type AgeBucket = (typeof AGE_BUCKETS)[number]

export interface AgedFamily {
  familyId: number
  familyNumber: number
  family: string
  notDue: number
  /** 0 to 30 days past the due date. */
  d30: number
  d60: number
  d90: number
  /** More than 90 days past the due date. */
  older: number
  /** Sum of the buckets: open invoices. */
  due: number
  /** Payments received but not allocated to an invoice. */
  credit: number
  /** due − credit. */
  balance: number
  /** Part of `due` already in a direct-debit file by that day, collected after it (« prélèvement en cours »). */
  inFlight: number
}

/** The bucket of an amount due on `dueDate`, seen on `asOf`. */
export function ageBucket(dueDate: string, asOf: string): AgeBucket {
  const late = daysBetween(dueDate, asOf)
  if (late < 0) return 'notDue'
  if (late <= 30) return 'd30'
  if (late <= 60) return 'd60'
  if (late <= 90) return 'd90'
  return 'older'
}

export function agedBalanceAsOf(db: Database.Database, asOf: string, regieId?: number | null): AgedFamily[] {
  const regie = regieId ? 'AND regie_id = @regieId' : ''
  const params = regieId ? { d: asOf, regieId } : { d: asOf }
  const invoices = stmt(
    db,
    `SELECT i.family_id, i.due_date,
            i.total_cents
            - COALESCE((SELECT SUM(c.amount_cents) FROM credit_note c WHERE c.invoice_id = i.id AND c.issue_date <= @d), 0)
            - COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.invoice_id = i.id AND a.effective_on <= @d), 0) AS open
       FROM invoice i WHERE i.issue_date <= @d ${regie.replace('regie_id', 'i.regie_id')}`
  ).all(params) as { family_id: number; due_date: string; open: number }[]
  // A rejection counts from its day, and never before the payment it undoes.
  const credits = stmt(
    db,
    `SELECT p.family_id,
            SUM(p.amount_cents
                - CASE WHEN p.status = 'rejected' AND p.rejected_on IS NOT NULL AND max(p.rejected_on, p.received_on) <= @d THEN p.amount_cents ELSE 0 END
                - COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.payment_id = p.id AND a.effective_on <= @d), 0)) AS free
       FROM payment p WHERE p.received_on <= @d ${regie.replace('regie_id', 'p.regie_id')} GROUP BY p.family_id`
  ).all(params) as { family_id: number; free: number }[]
  // Debits exported by that day (their allocation is written with the file) whose collection date is later.
  const inFlight = stmt(
    db,
    `SELECT p.family_id, SUM(a.amount_cents) AS s
       FROM payment p JOIN payment_allocation a ON a.payment_id = p.id JOIN invoice i ON i.id = a.invoice_id
      WHERE p.mode = 'prelevement' AND p.received_on > @d AND substr(a.created_at, 1, 10) <= @d AND i.issue_date <= @d ${regie.replace('regie_id', 'p.regie_id')}
      GROUP BY p.family_id`
  ).all(params) as { family_id: number; s: number }[]

  const fam = new Map<number, AgedFamily>()
  const entry = (familyId: number): AgedFamily => {
    let f = fam.get(familyId)
    if (!f) {
      f = { familyId, familyNumber: 0, family: '', notDue: 0, d30: 0, d60: 0, d90: 0, older: 0, due: 0, credit: 0, balance: 0, inFlight: 0 }
      fam.set(familyId, f)
    }
    return f
  }
  for (const x of invoices) {
    if (x.open === 0) continue
    const f = entry(x.family_id)
    f[ageBucket(x.due_date, asOf)] += x.open
    f.due += x.open
  }
  for (const c of credits) if (c.free !== 0) entry(c.family_id).credit += c.free
  for (const x of inFlight) if (x.s > 0 && fam.has(x.family_id)) fam.get(x.family_id)!.inFlight = x.s
  const names = stmt(
    db,
    `SELECT f.id, f.number, p.last_name, p.first_name FROM family f LEFT JOIN person p ON p.family_id = f.id AND p.role = 'responsable'`
  ).all() as { id: number; number: number; last_name: string | null; first_name: string | null }[]
  for (const n of names) {
    const f = fam.get(n.id)
    if (!f) continue
    f.familyNumber = n.number
    f.family = personName(n.last_name, n.first_name) || `Famille ${n.number}`
  }
  const out = [...fam.values()].filter((f) => f.due !== 0 || f.credit !== 0)
  for (const f of out) f.balance = f.due - f.credit
  return out.sort((a, b) => b.balance - a.balance || a.familyNumber - b.familyNumber)
}
