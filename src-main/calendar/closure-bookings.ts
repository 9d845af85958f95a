import type { EntityManager } from 'typeorm'
import { WEEKDAY_ABBR, frDay, frDayShort, isoWeekday } from '@shared/bookings/days'
import type { BookingState } from '@shared/bookings/state-machine'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { applyLines } from '../bookings/apply'
import type { ChangeStatus } from '../bookings/change-entities'
import { closeRequests } from '../bookings/decisions'
import type { PlannedLine } from '../bookings/plan'
import { familyRecipient } from '../bookings/recipients'
import { dbOf, stmt } from '../bookings/sql'
import { enqueueMail, mailContext } from '../mail/outbox'
import { compose, type MailContext, type RenderedMail } from '../mail/templates'

/** What a closure covers: its dates and scope (everything when both ids are null). */
export interface ClosureScope {
  id?: number
  facilityId: number | null
  activityId: number | null
  startDate: string
  endDate: string
  reason: string
}

interface CoveredBooking {
  id: number
  childId: number
  unitId: number
  day: string
  state: Extract<BookingState, 'DR' | 'R' | 'DA'>
  priceCents: number
  activityId: number
  familyId: number
  childFirstName: string
  activityName: string
  unitName: string
  /** Kind of the pending change line, if any (DR and DA bookings have one). */
  pendingKind: 'reservation' | 'cancellation' | 'absence' | null
}

/**
 * Bookings a closure takes away: DR/R/DA rows on its days, for the whole
 * structure, the activities of its facility, or its activity. PRESENT,
 * ABSENT, A_EXC and A_FACT are already decided (pointage or billing) and stay.
 */
function coveredBookings(m: EntityManager, c: ClosureScope): CoveredBooking[] {
  return stmt(
    dbOf(m),
    `SELECT b.id, b.child_id AS childId, b.unit_id AS unitId, b.day, b.state, b.price_cents AS priceCents,
       a.id AS activityId, ch.family_id AS familyId, ch.first_name AS childFirstName, a.name AS activityName, u.name AS unitName,
       (SELECT kind FROM booking_change bc WHERE bc.booking_id = b.id AND bc.status = 'pending' ORDER BY bc.id DESC LIMIT 1) AS pendingKind
     FROM booking b
     JOIN unit u ON u.id = b.unit_id
     JOIN activity a ON a.id = u.activity_id
     JOIN activity_type t ON t.id = a.activity_type_id
     JOIN child ch ON ch.id = b.child_id
     WHERE b.day BETWEEN ? AND ? AND b.state IN ('DR', 'R', 'DA')
       AND (? IS NULL OR a.id = ?) AND (? IS NULL OR t.facility_id = ?)
     ORDER BY ch.family_id, ch.first_name, a.name, u.sort, b.day`
  ).all(c.startDate, c.endDate, c.activityId, c.activityId, c.facilityId, c.facilityId) as CoveredBooking[]
}

/** How many bookings, and of how many families, saving this closure would cancel (the confirm dialog's count). */
export async function previewClosureCancellations(core: Core, c: ClosureScope): Promise<{ bookings: number; families: number }> {
  return core.tx.read(async (m) => {
    const rows = coveredBookings(m, c)
    return { bookings: rows.length, families: new Set(rows.map((r) => r.familyId)).size }
  })
}

/**
 * The change-line outcome of a closure on a pending request: a reservation
 * request is refused (the day is closed), a cancellation is granted, an
 * absence excused — never billed, whichever it was.
 */
function statusFor(b: CoveredBooking): ChangeStatus {
  if (b.pendingKind === 'reservation' || (b.pendingKind === null && b.state === 'DR')) return 'refused'
  if (b.pendingKind === 'absence') return 'excused'
  return 'accepted'
}

/**
 * Cancels (not billed) every DR/R/DA booking the closure covers, closes
 * their pending change lines and requests, writes one audit row per booking
 * naming `actor`, and queues ONE e-mail per family. Runs in the caller's
 * transaction (saveClosure's), so the closure and its cancellations commit
 * together. The booking_load triggers free the places.
 */
export async function cancelClosedBookings(m: EntityManager, core: Core, actor: Actor, c: ClosureScope): Promise<{ cancelledBookings: number; notifiedFamilies: number }> {
  const rows = coveredBookings(m, c)
  if (!rows.length) return { cancelledBookings: 0, notifiedFamilies: 0 }
  const db = dbOf(m)
  const now = core.clock.now().toISOString()
  const reason = `Fermeture exceptionnelle : ${c.reason}`
  const requestIds = new Set<number>()
  const pendingRequests = stmt(db, `SELECT DISTINCT request_id AS id FROM booking_change WHERE booking_id = ? AND status = 'pending' AND request_id IS NOT NULL`)
  for (const b of rows) {
    for (const r of pendingRequests.all(b.id) as { id: number }[]) requestIds.add(r.id)
    const line: PlannedLine = {
      childId: b.childId,
      unitId: b.unitId,
      day: b.day,
      activityId: b.activityId,
      enrolmentId: null,
      groupId: null,
      bookingId: b.id,
      from: b.state,
      to: 'CANCELLED',
      action: 'cancel',
      then: null,
      kind: b.pendingKind ?? 'cancellation',
      status: statusFor(b),
      late: false,
      priceCents: b.priceCents,
      tariff: '',
      absenceReason: null
    }
    applyLines(db, null, [line], {
      actor,
      now,
      familyId: b.familyId,
      source: 'staff',
      mode: 'direct',
      decidedBy: actor.kind === 'staff' ? actor.id : null,
      reason,
      auditExtra: () => (c.id ? { closureId: c.id } : null)
    })
  }
  closeRequests(db, actor, now, [...requestIds])

  const byFamily = new Map<number, CoveredBooking[]>()
  for (const b of rows) {
    if (!byFamily.has(b.familyId)) byFamily.set(b.familyId, [])
    byFamily.get(b.familyId)!.push(b)
  }
  const ctx = await mailContext(m, core.runtime.portalUrl)
  let notifiedFamilies = 0
  for (const [familyId, list] of byFamily) {
    const to = familyRecipient(db, familyId)
    if (!to) continue
    await enqueueMail(m, core, to, closureMail(ctx, c, list))
    notifiedFamilies++
  }
  return { cancelledBookings: rows.length, notifiedFamilies }
}

/** "mer. 13/05" */
function shortDay(day: string): string {
  return `${WEEKDAY_ABBR[isoWeekday(day)].toLowerCase()} ${frDayShort(day)}`
}

/**
 * One e-mail per family, grouped by child and unit like the decision replies:
 * "LÉO – Mercredis – Après-midi\n2 réservations annulées (non facturées) les : mer. 06/05, mer. 13/05".
 */
export function closureMail(ctx: MailContext, c: ClosureScope, bookings: Pick<CoveredBooking, 'day' | 'childFirstName' | 'activityName' | 'unitName'>[]): RenderedMail {
  const when = c.startDate === c.endDate ? `le ${frDay(c.startDate)}` : `du ${frDay(c.startDate)} au ${frDay(c.endDate)}`
  const groups = new Map<string, string[]>()
  for (const b of bookings) {
    const k = `${b.childFirstName.toUpperCase()} – ${b.activityName} – ${b.unitName}`
    if (!groups.has(k)) groups.set(k, [])
    groups.get(k)!.push(b.day)
  }
  const paragraphs = [
    `La structure est exceptionnellement fermée ${when} (motif : ${c.reason}).`,
    'Les réservations suivantes sont annulées et ne vous seront pas facturées :'
  ]
  for (const [heading, days] of groups) {
    const n = days.length
    const sorted = [...new Set(days)].sort().map(shortDay).join(', ')
    paragraphs.push(`${heading}\n${n} ${n > 1 ? 'réservations annulées (non facturées) les' : 'réservation annulée (non facturée) le'} : ${sorted}`)
  }
  paragraphs.push('Vous pouvez consulter votre planning à jour sur le portail famille.')
  return compose(ctx, `Fermeture exceptionnelle : ${c.reason} — réservations annulées`, paragraphs)
}
