import type { EntityManager } from 'typeorm'
import type { InvoiceDetailDto, InvoiceSummaryDto, PreviewLineDto } from '@shared/contract/billing-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { nextNumber } from '../db/counter'
import { dbOf, marks, stmt } from '../bookings/sql'
import { BilledBooking, BilledFlat, BillingAdjustment, CreditNote, Invoice } from './entities'
import { insertAllocation } from './payments/allocations'
import { counterName, formatNumber } from './numbering'
import { getRegie } from './regies'

export interface InvoiceRow {
  id: number
  regie_id: number
  regie_name: string
  run_id: number | null
  family_id: number
  number: string
  issue_date: string
  due_date: string
  period_start: string
  period_end: string
  total_cents: number
  collection: 'direct' | 'debit'
  status: 'issued' | 'cancelled'
  debit_status: 'prelevee' | 'rejected' | null
  /** Collection date of the latest direct debit allocated to it and not rejected. */
  debit_on: string | null
  family_number: number
  family_name: string
  paid: number
  credit_number: string | null
  /** 'exer|idBord|idPce|status' of the invoice's titre (PES V2), if it became one. */
  pes: string | null
}

/** The SELECT every invoice list shares: paid amount from the allocations, credit note if any. */
export const INVOICE_SELECT = `
  SELECT i.id, i.regie_id, r.name AS regie_name, i.run_id, i.family_id, i.number, i.issue_date, i.due_date, i.period_start, i.period_end,
         i.total_cents, i.collection, i.status, i.debit_status,
         json_extract(i.snapshot, '$.familyNumber') AS family_number, json_extract(i.snapshot, '$.familyName') AS family_name,
         COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.invoice_id = i.id), 0) AS paid,
         (SELECT MAX(p.received_on) FROM payment_allocation a JOIN payment p ON p.id = a.payment_id
           WHERE a.invoice_id = i.id AND p.mode = 'prelevement' AND p.status = 'ok') AS debit_on,
         cn.number AS credit_number,
         (SELECT b.exer || '|' || b.id_bord || '|' || t.id_pce || '|' || b.status FROM pes_titre t JOIN pes_bordereau b ON b.id = t.bordereau_id
           WHERE t.invoice_id = i.id AND t.credit_note_id IS NULL) AS pes
    FROM invoice i JOIN regie r ON r.id = i.regie_id LEFT JOIN credit_note cn ON cn.invoice_id = i.id`

/**
 * The state of an invoice on `today`. A direct debit pays it on its
 * collection date: before that day the invoice is « Prélèvement en cours »,
 * not « Prélevée » (see sepa/README.md).
 */
export function invoiceState(r: Pick<InvoiceRow, 'status' | 'debit_status' | 'debit_on' | 'total_cents' | 'paid'>, today: string): InvoiceSummaryDto['state'] {
  if (r.status === 'cancelled') return 'cancelled'
  const due = r.total_cents - r.paid
  if (due < 0) return 'credit'
  if (r.debit_status === 'rejected' && due > 0) return 'rejected'
  if (due === 0 && r.debit_on && r.debit_on > today) return 'debit-pending'
  if (due === 0) return r.debit_status === 'prelevee' ? 'prelevee' : 'paid'
  return r.paid > 0 ? 'partial' : 'open'
}

export function toSummary(r: InvoiceRow, today: string): InvoiceSummaryDto {
  return {
    id: r.id,
    number: r.number,
    regieId: r.regie_id,
    regieName: r.regie_name,
    runId: r.run_id,
    familyId: r.family_id,
    familyNumber: Number(r.family_number),
    familyName: String(r.family_name),
    issueDate: r.issue_date,
    dueDate: r.due_date,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    totalCents: r.total_cents,
    paidCents: r.paid,
    dueCents: r.status === 'cancelled' ? 0 : r.total_cents - r.paid,
    collection: r.collection,
    state: invoiceState(r, today),
    debitOn: r.debit_on,
    creditNoteNumber: r.credit_number,
    titre: titreOf(r.pes)
  }
}

function titreOf(pes: string | null): InvoiceSummaryDto['titre'] {
  if (!pes) return null
  const [exer, idBord, idPce, status] = pes.split('|')
  return { exer: Number(exer), idBord: Number(idBord), idPce: Number(idPce), sent: status === 'sent' }
}

export interface InvoiceFilter {
  /** The day states are judged on (a direct debit is « en cours » until its collection date). */
  today: string
  regieId?: number
  runId?: number
  familyId?: number
  unpaidOnly?: boolean
  query?: string
  from?: string
  to?: string
  limit: number
  offset: number
}

export async function listInvoices(m: EntityManager, f: InvoiceFilter): Promise<{ total: number; items: InvoiceSummaryDto[] }> {
  const where: string[] = []
  const params: unknown[] = []
  if (f.regieId) (where.push('i.regie_id = ?'), params.push(f.regieId))
  if (f.runId) (where.push('i.run_id = ?'), params.push(f.runId))
  if (f.familyId) (where.push('i.family_id = ?'), params.push(f.familyId))
  if (f.from) (where.push('i.issue_date >= ?'), params.push(f.from))
  if (f.to) (where.push('i.issue_date <= ?'), params.push(f.to))
  if (f.query) {
    where.push("(i.number LIKE ? OR json_extract(i.snapshot, '$.familyName') LIKE ? OR CAST(json_extract(i.snapshot, '$.familyNumber') AS TEXT) = ?)")
    params.push(`%${f.query}%`, `%${f.query}%`, f.query)
  }
  if (f.unpaidOnly) where.push("i.status = 'issued' AND i.total_cents > COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.invoice_id = i.id), 0)")
  const sqlWhere = where.length ? `WHERE ${where.join(' AND ')}` : ''
  const db = dbOf(m)
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM invoice i ${sqlWhere}`).get(...params) as { n: number }).n
  const rows = db.prepare(`${INVOICE_SELECT} ${sqlWhere} ORDER BY i.issue_date DESC, i.id DESC LIMIT ? OFFSET ?`).all(...params, f.limit, f.offset) as InvoiceRow[]
  return { total, items: rows.map((r) => toSummary(r, f.today)) }
}

export function invoiceRow(m: EntityManager, id: number): InvoiceRow {
  const [r] = invoiceRows(m, [id])
  if (!r) throw notFound('Facture')
  return r
}

/** Rows of several invoices in one query (a batch of PDFs). */
export function invoiceRows(m: EntityManager, ids: number[]): InvoiceRow[] {
  return stmt(dbOf(m), `${INVOICE_SELECT} WHERE i.id IN (${marks(ids.length)})`).all(...ids) as InvoiceRow[]
}

export function invoiceLines(m: EntityManager, invoiceId: number): PreviewLineDto[] {
  return invoiceLinesOf(m, [invoiceId]).get(invoiceId) ?? []
}

/** The lines of several invoices in one query (a batch of PDFs), by invoice id. */
export function invoiceLinesOf(m: EntityManager, invoiceIds: number[]): Map<number, PreviewLineDto[]> {
  const rows = stmt(
    dbOf(m),
    `SELECT l.*, e.text AS explanation FROM invoice_line l LEFT JOIN price_explanation e ON e.id = l.explanation_id
      WHERE l.invoice_id IN (${marks(invoiceIds.length)}) ORDER BY l.invoice_id, l.sort`
  ).all(...invoiceIds) as (LineRow & { invoice_id: number })[]
  const out = new Map<number, PreviewLineDto[]>()
  for (const l of rows) {
    const lines = out.get(l.invoice_id) ?? []
    if (!lines.length) out.set(l.invoice_id, lines)
    lines.push(lineDto(l))
  }
  return out
}

interface LineRow {
  kind: string
  child_id: number | null
  child_name: string
  activity_name: string
  label: string
  day: string | null
  quantity: number
  quantity_label: string
  unit_price_cents: number
  amount_cents: number
  booking_state: string | null
  bracket: string
  explanation: string | null
}

function lineDto(l: LineRow): PreviewLineDto {
  return {
    kind: l.kind,
    childId: l.child_id,
    childName: l.child_name,
    activityName: l.activity_name,
    label: l.label,
    day: l.day,
    quantity: l.quantity,
    quantityLabel: l.quantity_label,
    unitPriceCents: l.unit_price_cents,
    amountCents: l.amount_cents,
    bookingState: l.booking_state,
    bracket: l.bracket,
    explanation: l.explanation ? l.explanation.split('\n') : []
  }
}

export async function invoiceDetail(m: EntityManager, id: number, today: string): Promise<InvoiceDetailDto> {
  const summary = toSummary(invoiceRow(m, id), today)
  const payments = stmt(
    dbOf(m),
    `SELECT p.id, p.number, p.received_on, p.mode, SUM(a.amount_cents) AS amount
       FROM payment_allocation a JOIN payment p ON p.id = a.payment_id WHERE a.invoice_id = ?
      GROUP BY p.id HAVING SUM(a.amount_cents) <> 0 ORDER BY p.received_on, p.id`
  ).all(id) as { id: number; number: string; received_on: string; mode: string; amount: number }[]
  return {
    ...summary,
    lines: invoiceLines(m, id),
    payments: payments.map((p) => ({ paymentId: p.id, number: p.number, date: p.received_on, mode: p.mode, amountCents: p.amount }))
  }
}

/**
 * Cancels an issued invoice with a credit note (avoir) of the same amount.
 * Nothing is deleted: the invoice stays, marked cancelled; what was paid on
 * it returns to the family's credit (negative allocations); its bookings and
 * adjustments become billable again so a corrected invoice can be issued.
 */
export async function cancelInvoice(core: Core, actor: Extract<Actor, { kind: 'staff' }>, invoiceId: number, reason: string): Promise<{ creditNoteId: number; number: string }> {
  if (!reason.trim()) throw new DomainError('invalid_input', "Motif de l'avoir : champ obligatoire.", 400, { reason: 'requis' })
  return core.tx.run(async (m) => {
    const inv = await m.findOneBy(Invoice, { id: invoiceId })
    if (!inv) throw notFound('Facture')
    if (inv.status === 'cancelled') throw new DomainError('conflict', `La facture ${inv.number} est déjà annulée.`, 409)
    const regie = await getRegie(m, inv.regieId)
    const now = core.clock.now().toISOString()
    const today = parisDay(core.clock.now())
    const seq = await nextNumber(m, counterName(regie.id, 'credit'))
    const number = formatNumber(regie.creditFormat, { code: regie.code, n: seq, date: today })
    const cn = await m.save(
      CreditNote,
      Object.assign(new CreditNote(), {
        regieId: regie.id,
        invoiceId: inv.id,
        familyId: inv.familyId,
        number,
        seq,
        issueDate: today,
        amountCents: inv.totalCents,
        reason: reason.trim(),
        createdBy: actor.id,
        createdAt: now
      })
    )
    await m.update(Invoice, { id: inv.id }, { status: 'cancelled' })
    const allocations = stmt(
      dbOf(m),
      'SELECT payment_id, SUM(amount_cents) AS net FROM payment_allocation WHERE invoice_id = ? GROUP BY payment_id HAVING SUM(amount_cents) <> 0'
    ).all(inv.id) as { payment_id: number; net: number }[]
    for (const a of allocations) insertAllocation(dbOf(m), { paymentId: a.payment_id, invoiceId: inv.id, amountCents: -a.net, on: today, at: now })
    const released = await m.countBy(BilledBooking, { invoiceId: inv.id })
    await m.delete(BilledBooking, { invoiceId: inv.id })
    await m.delete(BilledFlat, { invoiceId: inv.id })
    // A shared child's share billed here is due again from this household only (migration 0028).
    stmt(dbOf(m), 'DELETE FROM billed_share WHERE invoice_id = ?').run(inv.id)
    await m.update(BillingAdjustment, { invoiceId: inv.id }, { invoiceId: null })
    await audit(m, actor, core.clock.now(), {
      action: 'invoice-cancel',
      entity: 'invoice',
      entityId: inv.id,
      before: { number: inv.number, status: inv.status, totalCents: inv.totalCents },
      after: { status: 'cancelled', creditNote: number, reason, releasedBookings: released, refundedToCredit: allocations.reduce((s, a) => s + a.net, 0) }
    })
    await audit(m, actor, core.clock.now(), { action: 'credit-note-create', entity: 'credit_note', entityId: cn.id, after: cn })
    return { creditNoteId: cn.id, number }
  })
}

/**
 * Records the day invoices were first sent to the family (e-mail queued or
 * print file made). A direct debit keeps the pre-notification period after
 * it; sending again later never moves it.
 */
export async function markInvoicesNotified(m: EntityManager, invoiceIds: number[], day: string): Promise<void> {
  const db = dbOf(m)
  for (let i = 0; i < invoiceIds.length; i += 500) {
    const chunk = invoiceIds.slice(i, i + 500)
    db.prepare(`UPDATE invoice SET notified_on = ? WHERE notified_on IS NULL AND id IN (${marks(chunk.length)})`).run(day, ...chunk)
  }
}

/**
 * Family balance in a régie (or all) on `today`: what it owes, positive;
 * negative = credit. A direct debit counts as paid from its collection date
 * on: until then its amount is still owed and shows as `debitInFlightCents`
 * (while its invoices are no longer « to pay »: `unpaidCents` leaves them out).
 */
export function familyBalance(
  m: EntityManager,
  familyId: number,
  today: string,
  regieId?: number
): { balanceCents: number; unpaidCents: number; unpaidCount: number; creditCents: number; debitInFlightCents: number; nextDebitOn: string | null } {
  const db = dbOf(m)
  const r = regieId ? 'AND regie_id = ?' : ''
  const p = regieId ? [familyId, regieId] : [familyId]
  const debit = (db.prepare(`SELECT COALESCE(SUM(total_cents), 0) AS s FROM invoice WHERE family_id = ? ${r}`).get(...p) as { s: number }).s
  const credit = (db.prepare(`SELECT COALESCE(SUM(amount_cents), 0) AS s FROM credit_note WHERE family_id = ? ${r}`).get(...p) as { s: number }).s
  const paid = db
    .prepare(
      `SELECT COALESCE(SUM(CASE WHEN mode = 'prelevement' AND received_on > ? THEN 0 ELSE amount_cents END), 0) AS received,
              COALESCE(SUM(CASE WHEN mode = 'prelevement' AND received_on > ? THEN amount_cents ELSE 0 END), 0) AS in_flight,
              MIN(CASE WHEN mode = 'prelevement' AND received_on > ? THEN received_on END) AS next_debit
         FROM payment WHERE family_id = ? AND status = 'ok' ${r}`
    )
    .get(today, today, today, ...p) as { received: number; in_flight: number; next_debit: string | null }
  const unpaid = db
    .prepare(
      `SELECT COUNT(*) AS n, COALESCE(SUM(due), 0) AS s FROM (
         SELECT i.total_cents - COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.invoice_id = i.id), 0) AS due
           FROM invoice i WHERE i.family_id = ? AND i.status = 'issued' ${r.replace('regie_id', 'i.regie_id')}) WHERE due > 0`
    )
    .get(...p) as { n: number; s: number }
  const free = (
    db
      .prepare(
        `SELECT COALESCE(SUM(p.amount_cents - COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.payment_id = p.id), 0)), 0) AS s
           FROM payment p WHERE p.family_id = ? AND p.status = 'ok' ${r.replace('regie_id', 'p.regie_id')}`
      )
      .get(...p) as { s: number }
  ).s
  return {
    balanceCents: debit - credit - paid.received,
    unpaidCents: unpaid.s,
    unpaidCount: unpaid.n,
    creditCents: free,
    debitInFlightCents: paid.in_flight,
    nextDebitOn: paid.next_debit
  }
}
