/**
 * A closure over days that were already invoiced. Issued invoices are
 * immutable, so the day the structure did not open is given back as a
 * NEGATIVE billing adjustment, which the next run of the invoice's régie
 * deducts from the family's next invoice.
 *
 * What was billed for one booking is read from the invoice lines:
 *  - unit / hourly lines (and day lines of a single booking) carry the
 *    booking id: that line's amount;
 *  - a day / half-day line groups the units of a child × activity × day
 *    (booking_id is null): the whole line is credited once none of the
 *    bookings it billed is still billable — the day was not consumed at all.
 *    If one unit of that day stays consumed (pointed present, billed
 *    absence), the day rate still applies and nothing is credited;
 *  - a flat rate (forfait) is due for its period whatever the attendance
 *    (see compute.ts): one day less does not change what was billed, so
 *    nothing is credited. Both cases are reported as `kept`.
 */
import type { EntityManager } from 'typeorm'
import type Database from 'better-sqlite3'
import { frDayShort } from '@shared/bookings/days'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { stmt } from '../bookings/sql'
import { saveAdjustment } from './invoicing/adjustments'
import { BILLABLE_STATES } from './tariffs/resolve'

/** One invoice line given back: one adjustment. */
export interface PlannedCredit {
  invoiceId: number
  lineId: number
  regieId: number
  familyId: number
  childId: number | null
  day: string
  /** Month the adjustment is filed under (see `creditMonth`). */
  month: string
  /** What the line billed (positive); the adjustment is its opposite. */
  billedCents: number
  /** The cancelled bookings this line billed. */
  bookingIds: number[]
}

export interface CreditPlan {
  credits: PlannedCredit[]
  /** Invoiced bookings given nothing back (flat rate, or a day rate still due): cancelled, not credited. */
  kept: number[]
}

interface BilledRow {
  bookingId: number
  invoiceId: number
  regieId: number
  familyId: number
  periodStart: string
  childId: number
  day: string
  activityId: number
}

const BILLABLE = new Set<string>(BILLABLE_STATES)

/**
 * Which of `cancelled` (bookings about to be, or just, cancelled) were
 * invoiced on a standing invoice, and what to give back for them. Read-only,
 * so the closure preview and the save share it.
 */
export function planClosureCredits(db: Database.Database, cancelled: number[]): CreditPlan {
  const plan: CreditPlan = { credits: [], kept: [] }
  if (!cancelled.length) return plan
  const cancelledSet = new Set(cancelled)
  const billedOf = stmt(
    db,
    `SELECT bb.booking_id AS bookingId, i.id AS invoiceId, i.regie_id AS regieId, i.family_id AS familyId, i.period_start AS periodStart,
            b.child_id AS childId, b.day, u.activity_id AS activityId
       FROM billed_booking bb JOIN invoice i ON i.id = bb.invoice_id JOIN booking b ON b.id = bb.booking_id JOIN unit u ON u.id = b.unit_id
      WHERE bb.booking_id = ? AND i.status = 'issued'`
  )
  // kind <> 'flat': a flat line of a single booking also carries its id, but a forfait is not per day.
  const ownLine = stmt(
    db,
    `SELECT id, amount_cents AS amountCents FROM invoice_line
      WHERE invoice_id = ? AND booking_id = ? AND kind IN ('unit', 'hourly', 'day', 'half-day') ORDER BY id LIMIT 1`
  )
  const dayLine = stmt(
    db,
    `SELECT id, amount_cents AS amountCents FROM invoice_line
      WHERE invoice_id = ? AND booking_id IS NULL AND kind IN ('day', 'half-day') AND child_id = ? AND activity_id = ? AND day = ? ORDER BY id LIMIT 1`
  )
  // The bookings a grouped day line billed: that invoice's bookings of the same child, activity and day.
  const dayBookings = stmt(
    db,
    `SELECT b.id, b.state FROM billed_booking bb JOIN booking b ON b.id = bb.booking_id JOIN unit u ON u.id = b.unit_id
      WHERE bb.invoice_id = ? AND b.child_id = ? AND b.day = ? AND u.activity_id = ?`
  )
  const otherShare = stmt(
    db,
    `SELECT i.id AS invoiceId, i.regie_id AS regieId, i.family_id AS familyId, i.period_start AS periodStart, l.id AS lineId, l.amount_cents AS amountCents
       FROM billed_share s JOIN invoice i ON i.id = s.invoice_id
       LEFT JOIN invoice_line l ON l.id = (SELECT x.id FROM invoice_line x WHERE x.invoice_id = i.id AND x.kind IN ('unit', 'hourly', 'day', 'half-day')
         AND (x.booking_id = s.booking_id OR (x.booking_id IS NULL AND x.kind IN ('day', 'half-day') AND x.child_id = ? AND x.activity_id = ? AND x.day = ?)) ORDER BY x.id LIMIT 1)
      WHERE s.booking_id = ? AND i.status = 'issued' AND i.id <> ?`
  )
  const seenLines = new Set<number>()
  for (const id of cancelled) {
    const billed = billedOf.get(id) as BilledRow | undefined
    if (!billed) continue
    const own = ownLine.get(billed.invoiceId, id) as { id: number; amountCents: number } | undefined
    let line = own
    let bookingIds = [id]
    if (!line) {
      line = dayLine.get(billed.invoiceId, billed.childId, billed.activityId, billed.day) as { id: number; amountCents: number } | undefined
      if (line) {
        const group = dayBookings.all(billed.invoiceId, billed.childId, billed.day, billed.activityId) as { id: number; state: string }[]
        // Another unit of that day is still consumed: the day rate stays due.
        if (group.some((g) => !cancelledSet.has(g.id) && BILLABLE.has(g.state))) {
          plan.kept.push(id)
          continue
        }
        bookingIds = group.filter((g) => cancelledSet.has(g.id)).map((g) => g.id)
      }
    }
    if (!line) {
      // Billed, but by no per-day line: a flat rate (its own line or one an earlier run billed).
      plan.kept.push(id)
      continue
    }
    if (seenLines.has(line.id)) continue
    seenLines.add(line.id)
    // A shared child's day billed by shares (issue 16, migration 0028): the other household's share line is given back too.
    for (const o of otherShare.all(billed.childId, billed.activityId, billed.day, id, billed.invoiceId) as (Omit<BilledRow, 'bookingId' | 'childId' | 'day' | 'activityId'> & { lineId: number | null; amountCents: number })[]) {
      if (o.lineId === null || seenLines.has(o.lineId) || o.amountCents <= 0) continue
      seenLines.add(o.lineId)
      plan.credits.push({ invoiceId: o.invoiceId, lineId: o.lineId, regieId: o.regieId, familyId: o.familyId, childId: billed.childId, day: billed.day, month: creditMonth(o.periodStart), billedCents: o.amountCents, bookingIds })
    }
    // Billed at 0 €: nothing to give back (and the family owes nothing for it).
    if (line.amountCents <= 0) continue
    plan.credits.push({
      invoiceId: billed.invoiceId,
      lineId: line.id,
      regieId: billed.regieId,
      familyId: billed.familyId,
      childId: billed.childId,
      day: billed.day,
      month: creditMonth(billed.periodStart),
      billedCents: line.amountCents,
      bookingIds
    })
  }
  return plan
}

/**
 * The month an adjustment is filed under. A run of month M bills the
 * adjustments of its régie with `month <= M` not yet on an invoice
 * (compute.ts). Filing it under the month of the invoice that billed the day
 * (its period, i.e. the closure day's month) means the NEXT run of that
 * régie picks it up, whether it is a catch-up run for that same month or the
 * run of any later month; a later month (e.g. today's) would be skipped by a
 * catch-up run, and an earlier one would misdate it on the invoice
 * ("Ajustement saisi pour MM/AAAA").
 */
function creditMonth(invoicePeriodStart: string): string {
  return invoicePeriodStart.slice(0, 7)
}

export function creditLabel(day: string, reason: string): string {
  return `Régularisation : fermeture exceptionnelle du ${frDayShort(day)} (${reason})`
}

/**
 * Writes the planned credits as negative adjustments created by `actor`,
 * each with its 'adjustment-create' audit row, in the caller's transaction
 * (the closure's). Returns the bookings credited.
 */
export async function writeClosureCredits(
  m: EntityManager,
  core: Core,
  actor: Actor,
  plan: CreditPlan,
  closure: { id?: number; reason: string }
): Promise<number[]> {
  const now = core.clock.now()
  const credited: number[] = []
  for (const c of plan.credits) {
    await saveAdjustment(
      m,
      actor,
      now,
      { regieId: c.regieId, familyId: c.familyId, childId: c.childId, month: c.month, label: creditLabel(c.day, closure.reason), amountCents: -c.billedCents },
      { closureId: closure.id ?? null, creditedInvoiceId: c.invoiceId, creditedLineId: c.lineId, bookingIds: c.bookingIds }
    )
    credited.push(...c.bookingIds)
  }
  return credited
}
