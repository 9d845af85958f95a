/**
 * The account statement (relevé de compte) of a family for a school year, as
 * in the 001 guide: operation number, date, description, régie, debit,
 * credit, old balance and balance. Debits are invoices and rejected debits;
 * credits are payments and credit notes.
 */
import type { EntityManager } from 'typeorm'
import type { StatementDto } from '@shared/contract/billing-shapes'
import { frenchDate } from '../core/clock'
import { notFound } from '../core/errors'
import { dbOf } from '../bookings/sql'
import { paymentDescription } from './payments/payments'
import type { PaymentMode } from './entities'
import { personName } from '@shared/names'

import { schoolYearBounds, schoolYearOf } from './school-year'

export { schoolYearBounds, schoolYearOf }

type Row = StatementDto['rows'][number]
type Pending = StatementDto['pendingDebits'][number]

/**
 * Every operation of a family. Direct debits whose collection date is after
 * `asOf` are not operations yet: they come back in `pending` (« prélèvement
 * en cours »). A debit rejected before its collection date moved no money:
 * neither it nor its rejection is an operation.
 */
export function familyOperations(m: EntityManager, familyId: number, asOf: string): { rows: Row[]; pending: Pending[] } {
  const db = dbOf(m)
  const rows: Row[] = []
  const invoices = db
    .prepare(`SELECT i.id, i.number, i.issue_date, i.period_start, i.period_end, i.total_cents, r.name AS regie FROM invoice i JOIN regie r ON r.id = i.regie_id WHERE i.family_id = ?`)
    .all(familyId) as { id: number; number: string; issue_date: string; period_start: string; period_end: string; total_cents: number; regie: string }[]
  for (const i of invoices) {
    rows.push({ operation: i.number, date: i.issue_date, description: `Facture : ${frenchDate(i.period_start)} - ${frenchDate(i.period_end)}`, regie: i.regie, debitCents: i.total_cents, creditCents: 0, kind: 'invoice', refId: i.id })
  }
  const notes = db
    .prepare(`SELECT c.id, c.number, c.issue_date, c.amount_cents, c.reason, i.number AS invoice, r.name AS regie FROM credit_note c JOIN invoice i ON i.id = c.invoice_id JOIN regie r ON r.id = c.regie_id WHERE c.family_id = ?`)
    .all(familyId) as { id: number; number: string; issue_date: string; amount_cents: number; reason: string; invoice: string; regie: string }[]
  for (const c of notes) {
    rows.push({ operation: c.number, date: c.issue_date, description: `Avoir sur facture ${c.invoice} : ${c.reason}`, regie: c.regie, debitCents: 0, creditCents: c.amount_cents, kind: 'credit-note', refId: c.id })
  }
  const payments = db
    .prepare(`SELECT p.id, p.number, p.received_on, p.mode, p.amount_cents, p.cheque_number, p.reference, p.status, p.rejected_on, p.reject_reason, r.name AS regie FROM payment p JOIN regie r ON r.id = p.regie_id WHERE p.family_id = ?`)
    .all(familyId) as {
    id: number
    number: string
    received_on: string
    mode: PaymentMode
    amount_cents: number
    cheque_number: string
    reference: string
    status: string
    rejected_on: string | null
    reject_reason: string
    regie: string
  }[]
  const pending: Pending[] = []
  for (const p of payments) {
    if (p.mode === 'prelevement' && p.status === 'ok' && p.received_on > asOf) {
      pending.push({ operation: p.number, date: p.received_on, description: `Prélèvement en cours, le ${frenchDate(p.received_on)}`, regie: p.regie, amountCents: p.amount_cents })
      continue
    }
    if (p.mode === 'prelevement' && p.status === 'rejected' && p.rejected_on && p.rejected_on < p.received_on) continue
    rows.push({ operation: p.number, date: p.received_on, description: paymentDescription(p), regie: p.regie, debitCents: 0, creditCents: p.amount_cents, kind: 'payment', refId: p.id })
    if (p.status === 'rejected' && p.rejected_on) {
      const what = p.mode === 'prelevement' ? 'Rejet de prélèvement' : 'Rejet de chèque'
      rows.push({ operation: `${p.number}-REJ`, date: p.rejected_on, description: `${what} ${p.number}${p.reject_reason ? ` : ${p.reject_reason}` : ''}`, regie: p.regie, debitCents: p.amount_cents, creditCents: 0, kind: 'rejection', refId: p.id })
    }
  }
  const order = { invoice: 0, 'credit-note': 1, payment: 2, rejection: 3 }
  rows.sort((a, b) => a.date.localeCompare(b.date) || order[a.kind] - order[b.kind] || a.operation.localeCompare(b.operation))
  return { rows, pending: pending.sort((a, b) => a.date.localeCompare(b.date)) }
}

/** The statement of a school year as of `asOf` (today): its balance leaves out the debits still « en cours ». */
export function familyStatement(m: EntityManager, familyId: number, schoolYear: string, asOf: string): StatementDto {
  const fam = dbOf(m)
    .prepare(`SELECT f.number, p.last_name, p.first_name FROM family f LEFT JOIN person p ON p.family_id = f.id AND p.role = 'responsable' WHERE f.id = ?`)
    .get(familyId) as { number: number; last_name: string | null; first_name: string | null } | undefined
  if (!fam) throw notFound('Famille')
  const { from, to } = schoolYearBounds(schoolYear)
  const { rows: all, pending } = familyOperations(m, familyId, asOf)
  const before = all.filter((r) => r.date < from)
  const rows = all.filter((r) => r.date >= from && r.date <= to)
  const openingCents = before.reduce((s, r) => s + r.debitCents - r.creditCents, 0)
  const totalDebitCents = rows.reduce((s, r) => s + r.debitCents, 0)
  const totalCreditCents = rows.reduce((s, r) => s + r.creditCents, 0)
  return {
    schoolYear,
    asOf,
    pendingDebits: pending,
    familyId,
    familyNumber: fam.number,
    familyName: personName(fam.last_name, fam.first_name),
    openingCents,
    rows,
    totalDebitCents,
    totalCreditCents,
    closingCents: openingCents + totalDebitCents - totalCreditCents
  }
}
