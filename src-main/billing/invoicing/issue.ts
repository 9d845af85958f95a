/**
 * Issuing a monthly run: an automatic backup, then ONE transaction that
 * recomputes the run, numbers the invoices (gapless, unique), writes the
 * invoices, their lines and the "already billed" index, applies the
 * family's available credit, and writes the audit rows. A process killed
 * midway leaves the run wholly absent (SQLite rolls the transaction back).
 *
 * The bulk path uses prepared statements on the raw connection inside
 * core.tx.run (same connection, same transaction).
 */
import type Database from 'better-sqlite3'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { parisDay } from '../../core/clock'
import { DomainError } from '../../core/errors'
import { backupNow } from '../../backups/backup-now'
import { reserveNumbers } from '../../db/counter'
import { addDays } from '@shared/bookings/days'
import { auditRow, dbOf, stmt } from '../../bookings/sql'
import { getStructure } from '../../settings/settings'
import type { InvoiceSnapshot } from '../entities'
import { counterName, formatNumber } from '../numbering'
import { getRegie } from '../regies'
import { getBillingSettings } from '../settings'
import { insertAllocation } from '../payments/allocations'
import { computeRun, monthBounds, type DraftInvoice } from './compute'
import { monthNotOver, unfinishedMonthWarning } from '@shared/billing/runs'

/** Id of a "why this price" text, stored once. */
export function explanationId(db: Database.Database, cache: Map<string, number>, text: string): number | null {
  if (!text) return null
  const hit = cache.get(text)
  if (hit !== undefined) return hit
  stmt(db, 'INSERT INTO price_explanation(text) VALUES (?) ON CONFLICT(text) DO NOTHING').run(text)
  const { id } = stmt(db, 'SELECT id FROM price_explanation WHERE text = ?').get(text) as { id: number }
  cache.set(text, id)
  return id
}

/**
 * Allocates the family's unallocated payments (oldest first) to an invoice,
 * up to its total. Returns the amount applied. Money waiting for the
 * accountant's check (a duplicate online payment) is not applied.
 */
export function applyCredit(db: Database.Database, regieId: number, familyId: number, invoiceId: number, dueCents: number, on: string, at: string): number {
  if (dueCents <= 0) return 0
  const free = stmt(
    db,
    `SELECT p.id, p.amount_cents - COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.payment_id = p.id), 0) AS free
       FROM payment p WHERE p.regie_id = ? AND p.family_id = ? AND p.status = 'ok' AND p.review <> 'to-check' ORDER BY p.received_on, p.id`
  ).all(regieId, familyId) as { id: number; free: number }[]
  let left = dueCents
  for (const p of free) {
    if (left <= 0) break
    if (p.free <= 0) continue
    const amount = Math.min(p.free, left)
    insertAllocation(db, { paymentId: p.id, invoiceId, amountCents: amount, on, at })
    left -= amount
  }
  return dueCents - left
}

export interface IssueInput {
  regieId: number
  month: string
  issueDate?: string | null
  dueDate?: string | null
  /** Staff read unfinishedMonthWarning and still want to invoice a month that is not over. */
  confirmUnfinishedMonth?: boolean
}

export interface IssueResult {
  runId: number
  invoiceCount: number
  lineCount: number
  totalCents: number
  firstNumber: string | null
  lastNumber: string | null
  backupName: string
}

export interface IssueHooks {
  /** Called synchronously inside the transaction as invoices are written. */
  onProgress?(done: number, total: number): void
}

export async function issueRun(core: Core, actor: Actor, input: IssueInput, hooks: IssueHooks = {}): Promise<IssueResult> {
  const today = parisDay(core.clock.now())
  const issueDate = input.issueDate ?? today
  const regie = await core.tx.read((m) => getRegie(m, input.regieId))
  if (!regie.active) throw new DomainError('invalid_input', `La régie ${regie.name} est désactivée.`, 400)
  const { end } = monthBounds(input.month)
  if (monthNotOver(end, today) && !input.confirmUnfinishedMonth) {
    throw new DomainError('unfinished_month', `${unfinishedMonthWarning(input.month, end)} Confirmez pour émettre quand même.`, 409, { month: 'mois non terminé' })
  }
  const dueDate = input.dueDate ?? addDays(issueDate, regie.dueDays)
  if (dueDate < issueDate) throw new DomainError('invalid_input', "La date d'échéance précède la date d'émission.", 400, { dueDate: 'avant l’émission' })

  const backup = await backupNow(core, 'avant-facturation')

  return core.tx.run(async (m) => {
    const db = dbOf(m)
    const settings = await getBillingSettings(m)
    const structure = await getStructure(m)
    const draft = computeRun(db, { regieId: regie.id, month: input.month, settings })
    const issued = draft.families.filter((f) => f.willIssue)
    if (issued.length === 0) {
      throw new DomainError('nothing_to_bill', `Rien à facturer pour ${input.month.slice(5)}/${input.month.slice(0, 4)} sur la régie ${regie.name} : tout est déjà facturé ou aucune consommation n’a de tarif.`, 409)
    }
    const now = core.clock.now().toISOString()
    const first = reserveNumbers(db, counterName(regie.id, 'invoice'), issued.length)
    const number = (i: number) => formatNumber(regie.invoiceFormat, { code: regie.code, n: first + i, date: issueDate })
    const lineCount = issued.reduce((s, f) => s + f.lines.length, 0)
    const totalCents = issued.reduce((s, f) => s + f.totalCents, 0)
    const run = stmt(
      db,
      `INSERT INTO invoicing_run (regie_id, month, period_start, period_end, issue_date, due_date, invoice_count, line_count, total_cents,
                                  first_number, last_number, backup_name, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    ).run(regie.id, input.month, draft.periodStart, draft.periodEnd, issueDate, dueDate, issued.length, lineCount, totalCents, number(0), number(issued.length - 1), backup.name, actor.kind === 'staff' ? actor.id : null, now)
    const runId = Number(run.lastInsertRowid)

    const insInvoice = stmt(
      db,
      `INSERT INTO invoice (regie_id, run_id, family_id, number, seq, issue_date, due_date, period_start, period_end, total_cents, collection, snapshot, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?)`
    )
    const insLine = stmt(
      db,
      `INSERT INTO invoice_line (invoice_id, sort, kind, child_id, child_name, activity_id, activity_name, unit_id, label, day, quantity, quantity_label,
                                 unit_price_cents, amount_cents, booking_id, booking_state, tariff_id, bracket, explanation_id, meal_cents)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
    const insBilled = stmt(db, 'INSERT INTO billed_booking (booking_id, invoice_id) VALUES (?, ?)')
    const insFlat = stmt(db, 'INSERT INTO billed_flat (key, invoice_id) VALUES (?, ?)')
    const setAdjustment = stmt(db, 'UPDATE billing_adjustment SET invoice_id = ? WHERE id = ? AND invoice_id IS NULL')
    const explanations = new Map<string, number>()
    const structureSnap = {
      name: structure.name,
      address: structure.address,
      postalCode: structure.postalCode,
      city: structure.city,
      phone: structure.phone,
      email: structure.email,
      siret: structure.siret,
      logo: null
    }

    issued.forEach((f: DraftInvoice, i) => {
      const snapshot: InvoiceSnapshot = {
        familyNumber: f.familyNumber,
        familyName: f.familyName,
        address: f.address,
        postalCode: f.postalCode,
        city: f.city,
        email: f.email,
        regieName: regie.name,
        paymentMethods: regie.paymentMethods,
        structure: structureSnap
      }
      const inv = insInvoice.run(regie.id, runId, f.familyId, number(i), first + i, issueDate, dueDate, draft.periodStart, draft.periodEnd, f.totalCents, f.collection, JSON.stringify(snapshot), now)
      const invoiceId = Number(inv.lastInsertRowid)
      f.lines.forEach((l, sort) => {
        insLine.run(
          invoiceId, sort, l.kind, l.childId, l.childName, l.activityId, l.activityName, l.unitId, l.label, l.day, l.quantity, l.quantityLabel,
          l.unitPriceCents, l.amountCents, l.bookingIds.length === 1 ? l.bookingIds[0] : null, l.bookingState, l.tariffId, l.bracket,
          explanationId(db, explanations, l.explanation), l.mealCents
        )
        for (const b of l.bookingIds) insBilled.run(b, invoiceId)
        if (l.flatKey) insFlat.run(l.flatKey, invoiceId)
        if (l.adjustmentId) setAdjustment.run(invoiceId, l.adjustmentId)
      })
      const creditApplied = f.creditCents > 0 ? applyCredit(db, regie.id, f.familyId, invoiceId, f.totalCents, issueDate, now) : 0
      auditRow(db, actor, now, 'invoice-issue', 'invoice', invoiceId, null, { number: number(i), familyId: f.familyId, runId, totalCents: f.totalCents, lines: f.lines.length, creditApplied })
      if (hooks.onProgress && (i % 100 === 99 || i === issued.length - 1)) hooks.onProgress(i + 1, issued.length)
    })
    for (const [bookingId, invoiceId] of draft.coveredLocks) insBilled.run(bookingId, invoiceId)
    auditRow(db, actor, now, 'invoicing-run-issue', 'invoicing_run', runId, null, {
      regieId: regie.id,
      month: input.month,
      issueDate,
      dueDate,
      invoiceCount: issued.length,
      lineCount,
      totalCents,
      firstNumber: number(0),
      lastNumber: number(issued.length - 1),
      backup: backup.name,
      skipped: draft.families.length - issued.length
    })
    return { runId, invoiceCount: issued.length, lineCount, totalCents, firstNumber: number(0), lastNumber: number(issued.length - 1), backupName: backup.name }
  })
}
