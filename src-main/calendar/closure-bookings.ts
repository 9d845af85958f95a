import type Database from 'better-sqlite3'
import type { EntityManager } from 'typeorm'
import { frDay, frWeekdayShort } from '@shared/bookings/days'
import type { BookingState } from '@shared/bookings/state-machine'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { planClosureCredits, writeClosureCredits } from '../billing/closure-credit'
import { applyLines } from '../bookings/apply'
import type { ChangeStatus } from '../bookings/change-entities'
import { closeRequests } from '../bookings/decisions'
import type { PlannedLine } from '../bookings/plan'
import { familyRecipient } from '../bookings/recipients'
import { dbOf, stmt } from '../bookings/sql'
import { groupsOf, snapshotRead } from '../db/snapshot-read'
import { formatEuro } from '@shared/billing/money'
import { enqueueMail, mailContext } from '../mail/outbox'
import { compose, type MailContext, type RenderedMail } from '../mail/templates'
import { personName, upperName } from '@shared/names'

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
 * With `familyIds`, only those families' children (a chunk of the closure job).
 */
function coveredBookings(db: Database.Database, c: ClosureScope, familyIds: number[] | null = null): CoveredBooking[] {
  return stmt(
    db,
    `SELECT b.id, b.child_id AS childId, b.unit_id AS unitId, b.day, b.state, b.price_cents AS priceCents,
       a.id AS activityId, ch.family_id AS familyId, ch.first_name AS childFirstName, a.name AS activityName, u.name AS unitName,
       (SELECT kind FROM booking_change bc WHERE bc.booking_id = b.id AND bc.status = 'pending' ORDER BY bc.id DESC LIMIT 1) AS pendingKind
     ${COVERED_FROM}
       ${familyIds ? 'AND ch.family_id IN (SELECT value FROM json_each(?))' : ''}
     ORDER BY ch.family_id, ch.first_name, a.name, u.sort, b.day`
  ).all(...coveredArgs(c), ...(familyIds ? [JSON.stringify(familyIds)] : [])) as CoveredBooking[]
}

const COVERED_FROM = `FROM booking b
     JOIN unit u ON u.id = b.unit_id
     JOIN activity a ON a.id = u.activity_id
     JOIN activity_type t ON t.id = a.activity_type_id
     JOIN child ch ON ch.id = b.child_id
     WHERE b.day BETWEEN ? AND ? AND b.state IN ('DR', 'R', 'DA')
       AND (? IS NULL OR a.id = ?) AND (? IS NULL OR t.facility_id = ?)`
const coveredArgs = (c: ClosureScope) => [c.startDate, c.endDate, c.activityId, c.activityId, c.facilityId, c.facilityId]

/** The families whose bookings a closure takes away (the items of its job), as a one-column `id` query and its arguments. */
export function coveredFamiliesQuery(c: ClosureScope): [string, unknown[]] {
  return [`SELECT DISTINCT ch.family_id AS id ${COVERED_FROM}`, coveredArgs(c)]
}

/** Families per read of the preview: their bookings on the closed days, a few hundred rows. */
const PREVIEW_FAMILIES = 100

/**
 * How many bookings, and of how many families, saving this closure would
 * cancel, and how many of them were already invoiced and will be credited
 * (the confirm dialog's counts). A day closed for a whole city covers 40,000
 * bookings: they are counted family by family, PREVIEW_FAMILIES at a time
 * (a family's bookings, hence a grouped day line's, are always in one chunk,
 * as in the closure job), from one snapshot (db/snapshot-read.ts) so the
 * counts add up, with the event loop free between chunks. Only the family ids
 * are held whole.
 */
export async function previewClosureCancellations(core: Core, c: ClosureScope, familiesPerRead = PREVIEW_FAMILIES): Promise<{ bookings: number; families: number; creditedBookings: number }> {
  return snapshotRead(core.paths.dbFile, async (r) => {
    const [sql, args] = coveredFamiliesQuery(c)
    const familyIds = (r.db.prepare(`${sql} ORDER BY 1`).all(...args) as { id: number }[]).map((f) => f.id)
    let bookings = 0
    let creditedBookings = 0
    for (const group of groupsOf(familyIds, familiesPerRead)) {
      await r.pause()
      const ids = coveredBookings(r.db, c, group).map((b) => b.id)
      bookings += ids.length
      creditedBookings += planClosureCredits(r.db, ids).credits.reduce((n, x) => n + x.bookingIds.length, 0)
    }
    return { bookings, families: familyIds.length, creditedBookings }
  })
}

/** How a cancelled booking stood with billing: not invoiced, invoiced and credited (amount of its line), or invoiced and kept. */
type BillingOutcome = { kind: 'free' } | { kind: 'credited'; cents: number } | { kind: 'kept' }

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
 * Cancels (not billed) every DR/R/DA booking the closure covers (of
 * `familyIds` only, when given: a chunk of the closure job), closes
 * their pending change lines and requests, writes one audit row per booking
 * naming `actor`, credits the days already invoiced (negative adjustments,
 * billing/closure-credit.ts) and queues ONE e-mail per family. Runs in the
 * caller's transaction, so a family's cancellations, credits and e-mail
 * commit together: never a booking cancelled without its credit. A family is
 * always whole in one call (a grouped day line bills one child's units).
 * The booking_load triggers free the places.
 */
export async function cancelClosedBookings(
  m: EntityManager,
  core: Core,
  actor: Actor,
  c: ClosureScope,
  familyIds: number[] | null = null
): Promise<ClosureOutcome> {
  const rows = coveredBookings(dbOf(m), c, familyIds)
  if (!rows.length) return { cancelledBookings: 0, notifiedFamilies: 0, creditedBookings: 0, familiesToCall: [] }
  const db = dbOf(m)
  // Planned on the states before the cancellation; the plan treats the covered bookings as cancelled.
  const plan = planClosureCredits(db, rows.map((r) => r.id))
  const outcome = new Map<number, BillingOutcome>()
  for (const id of plan.kept) outcome.set(id, { kind: 'kept' })
  for (const credit of plan.credits) {
    // A grouped day line is shown once, on its first booking; its other units add nothing.
    credit.bookingIds.forEach((id, i) => outcome.set(id, { kind: 'credited', cents: i === 0 ? credit.billedCents : 0 }))
  }
  const now = core.clock.now().toISOString()
  const reason = `Fermeture exceptionnelle : ${c.reason}`
  const requestIds = new Set<number>()
  const pendingRequests = stmt(db, `SELECT DISTINCT request_id AS id FROM booking_change WHERE booking_id = ? AND status = 'pending' AND request_id IS NOT NULL`)
  const byFamily = new Map<number, CoveredBooking[]>()
  for (const b of rows) {
    if (!byFamily.has(b.familyId)) byFamily.set(b.familyId, [])
    byFamily.get(b.familyId)!.push(b)
    for (const r of pendingRequests.all(b.id) as { id: number }[]) requestIds.add(r.id)
  }
  const lineOf = (b: CoveredBooking): PlannedLine => ({
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
  })
  // One applyLines call per family (its lines in multi-row INSERTs), not one per booking.
  for (const [familyId, list] of byFamily) {
    applyLines(db, null, list.map(lineOf), {
      actor,
      now,
      familyId,
      source: 'staff',
      mode: 'direct',
      decidedBy: actor.kind === 'staff' ? actor.id : null,
      reason,
      auditExtra: () => (c.id ? { closureId: c.id } : null)
    })
  }
  closeRequests(db, actor, now, [...requestIds])
  const credited = await writeClosureCredits(m, core, actor, plan, c)

  const ctx = await mailContext(m, core.runtime.portalUrl)
  let notifiedFamilies = 0
  const familiesToCall: FamilyToCall[] = []
  for (const [familyId, list] of byFamily) {
    const to = familyRecipient(db, familyId)
    if (!to) {
      // No address to write to: the desk gets the family's name and phones to call instead.
      familiesToCall.push(familyToCall(db, familyId, list.length))
      continue
    }
    await enqueueMail(m, core, to, closureMail(ctx, c, list.map((b) => ({ ...b, billing: outcome.get(b.id) ?? { kind: 'free' } }))))
    notifiedFamilies++
  }
  familiesToCall.sort((a, b) => a.name.localeCompare(b.name, 'fr'))
  return { cancelledBookings: rows.length, notifiedFamilies, creditedBookings: credited.length, familiesToCall }
}

/** A family whose bookings a closure cancelled but that has no e-mail address. */
export interface FamilyToCall {
  familyId: number
  number: number
  /** "DUPONT Anne" (the responsable). */
  name: string
  /** Mobile, home and work numbers, as entered, the empty ones left out. */
  phones: string[]
  cancelled: number
}

export interface ClosureOutcome {
  cancelledBookings: number
  notifiedFamilies: number
  creditedBookings: number
  familiesToCall: FamilyToCall[]
}

export function familyToCall(db: Database.Database, familyId: number, cancelled: number): FamilyToCall {
  const p = stmt(
    db,
    `SELECT f.number, p.last_name AS lastName, p.first_name AS firstName, p.phone_mobile AS mobile, p.phone_home AS home, p.phone_work AS work
     FROM family f LEFT JOIN person p ON p.family_id = f.id AND p.role = 'responsable' WHERE f.id = ?`
  ).get(familyId) as { number: number; lastName: string | null; firstName: string | null; mobile: string | null; home: string | null; work: string | null }
  return {
    familyId,
    number: p.number,
    name: personName(p.lastName, p.firstName) || `Famille n° ${p.number}`,
    phones: [p.mobile, p.home, p.work].filter((x): x is string => !!x),
    cancelled
  }
}

/**
 * One e-mail per family, grouped by child and unit like the decision replies:
 * "LÉO – Mercredis – Après-midi\n2 réservations annulées (non facturées) les : mer. 06/05, mer. 13/05".
 * Days already invoiced are listed apart: credited ones are deducted from the
 * next invoice; those inside a flat rate (or a day still consumed) stay billed.
 */
export function closureMail(
  ctx: MailContext,
  c: ClosureScope,
  bookings: (Pick<CoveredBooking, 'day' | 'childFirstName' | 'activityName' | 'unitName'> & { billing?: BillingOutcome })[]
): RenderedMail {
  const when = c.startDate === c.endDate ? `le ${frDay(c.startDate)}` : `du ${frDay(c.startDate)} au ${frDay(c.endDate)}`
  const groups = new Map<string, { free: string[]; credited: string[]; kept: string[] }>()
  let creditCents = 0
  for (const b of bookings) {
    const k = `${upperName(b.childFirstName)} – ${b.activityName} – ${b.unitName}`
    if (!groups.has(k)) groups.set(k, { free: [], credited: [], kept: [] })
    const billing = b.billing ?? { kind: 'free' }
    groups.get(k)![billing.kind].push(b.day)
    if (billing.kind === 'credited') creditCents += billing.cents
  }
  const anyBilled = bookings.some((b) => b.billing && b.billing.kind !== 'free')
  const paragraphs = [
    `La structure est exceptionnellement fermée ${when} (motif : ${c.reason}).`,
    anyBilled ? 'Les réservations suivantes sont annulées :' : 'Les réservations suivantes sont annulées et ne vous seront pas facturées :'
  ]
  const list = (days: string[]) => [...new Set(days)].sort().map(frWeekdayShort).join(', ')
  for (const [heading, g] of groups) {
    const lines = [heading]
    const add = (days: string[], one: string, many: string) => {
      if (days.length) lines.push(`${days.length} ${days.length > 1 ? many : one} : ${list(days)}`)
    }
    add(g.free, 'réservation annulée (non facturée) le', 'réservations annulées (non facturées) les')
    add(g.credited, 'réservation annulée (déjà facturée, à déduire) le', 'réservations annulées (déjà facturées, à déduire) les')
    add(g.kept, 'réservation annulée, comprise dans un forfait ou une journée déjà facturés, le', 'réservations annulées, comprises dans un forfait ou une journée déjà facturés, les')
    paragraphs.push(lines.join('\n'))
  }
  if (creditCents > 0) {
    paragraphs.push(`Ces jours vous avaient déjà été facturés : le montant correspondant (${formatEuro(creditCents)}) sera déduit de votre prochaine facture.`)
  }
  paragraphs.push('Vous pouvez consulter votre planning à jour sur le portail famille.')
  return compose(ctx, `Fermeture exceptionnelle : ${c.reason} — réservations annulées`, paragraphs)
}
