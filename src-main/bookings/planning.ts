import type { EntityManager } from 'typeorm'
import { evaluateDeadline, describeRule, parisInstant } from '@shared/bookings/deadlines'
import { addMonths, dayRange, isoWeekday, lastDayOfMonth, monthOf } from '@shared/bookings/days'
import { cellOfState, type CellState } from '@shared/bookings/state-machine'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { loadCalendarData } from '../calendar/calendar'
import { dayInfo } from '../calendar/opening'
import { today } from './commit'
import { loadContext, type ActivityRow, type BookingContext, type UnitRow } from './context'
import { hasPlace } from './plan'
import { unitPricer } from './pricing-hook'
import { dbOf, stmt } from './sql'
import { householdChildIds } from '../families/households'

export type Slot = 'matin' | 'midi' | 'soir' | 'journee'

/** The 000 portal's three columns (morning, midday, evening), plus whole days. */
export function slotOf(u: Pick<UnitRow, 'startTime' | 'endTime'>): Slot {
  if (u.startTime < '10:00' && u.endTime > '16:00') return 'journee'
  const mins = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))
  const mid = (mins(u.startTime) + mins(u.endTime)) / 2
  return mid < 11 * 60 ? 'matin' : mid < 14 * 60 ? 'midi' : 'soir'
}

export interface PlanningCell {
  day: string
  cell: CellState
  bookingId: number | null
  /** Family may tick it in "Modifier" (book, or undo a pending cancellation). */
  canAdd: boolean
  /** Family may untick it (cancel, or withdraw a pending request). */
  canRemove: boolean
  /** Removing it now is a late cancellation (billed unless staff excuse it). */
  lateCancel: boolean
  priceCents: number
  /** Staff only, a shared child's booking (issue 16): 1 when its first household booked it, 2 its second one. */
  household?: 1 | 2
}

export interface PlanningLine {
  childId: number
  activityId: number
  activityName: string
  periodName: string
  unitId: number
  unitName: string
  startTime: string
  endTime: string
  slot: Slot
  unitPriceCents: number
  cells: PlanningCell[]
}

export interface PlanningActivity {
  activityId: number
  name: string
  validation: 'auto' | 'staff'
  familyChanges: boolean
  bookingRule: string
  cancellationRule: string
  /** Show "Modifier": some day of the range can still be booked or changed. */
  modifiable: boolean
  /** Why not (or until when), in French. */
  reason: string
  exclusions: [number, number][]
}

export interface PlanningDay {
  day: string
  weekday: number
  holiday: string | null
  publicHoliday: string | null
  closure: string | null
}

export interface PlanningChild {
  childId: number
  firstName: string
  lastName: string
  costCents: number
  lines: PlanningLine[]
}

export interface Planning {
  from: string
  to: string
  today: string
  days: PlanningDay[]
  children: PlanningChild[]
  activities: PlanningActivity[]
}

const BILLED_FOR_COST = new Set(['R', 'DR', 'A_FACT', 'PRESENT', 'ABSENT'])
export const MAX_PLANNING_DAYS = 62

/** A cell of the other household's days, as a household sees it: no state, no booking, no price (issue 16). */
const otherParentCell = (day: string): PlanningCell => ({ day, cell: 'autre-parent', bookingId: null, canAdd: false, canRemove: false, lateCancel: false, priceCents: 0 })

/** `second`: a shared child's second household, whose bookings staff see tagged « Foyer 2 » (null: one household). */
function buildLineCells(ctx: BookingContext, childId: number, unit: UnitRow, activity: ActivityRow, days: string[], now: Date, unitCents: number, viewer: number | null, second: number | null): PlanningCell[] {
  const cells: PlanningCell[] = []
  const nowMs = now.getTime()
  for (const day of days) {
    // A household sees its own cells; the other household's days and bookings show as « chez l'autre parent ».
    const foreign = viewer === null ? null : ctx.foreignBooking(viewer, childId, unit.id, day)
    const b = foreign === 'dead' ? null : ctx.booking(childId, unit.id, day)
    if (viewer !== null && (foreign === 'live' || (!b && ctx.otherHousehold(viewer, childId, unit.id, day)))) {
      if (b || (ctx.enrolmentFor(childId, activity.id, day) && ctx.isOpen(activity.id, day))) cells.push(otherParentCell(day))
      continue
    }
    const state = b?.state ?? null
    const enrolment = ctx.enrolmentFor(childId, activity.id, day)
    const open = ctx.isOpen(activity.id, day)
    if (!b && (!enrolment || !open)) continue
    if (!enrolment || !open) {
      const household = viewer === null && b && second ? { household: b.familyId === second ? (2 as const) : (1 as const) } : {}
      cells.push({ day, cell: cellOfState(state, 'indisponible'), bookingId: b?.id ?? null, canAdd: false, canRemove: false, lateCancel: false, priceCents: b?.priceCents ?? 0, ...household })
      continue
    }
    const changes = activity.rules.familyChanges
    const bookingOpen = changes && evaluateDeadline(activity.rules.booking, day, now, enrolment.window).open
    const started = nowMs >= parisInstant(day, '00:00').getTime()
    const place = hasPlace(ctx, enrolment.groupId, unit.id, day)
    const free = state === null || state === 'CANCELLED'
    const cell = cellOfState(state, !bookingOpen ? 'indisponible' : place ? 'libre' : 'complet')
    let canAdd = false
    let canRemove = false
    let lateCancel = false
    if (free || state === 'REFUSED') canAdd = bookingOpen && place
    else if (state === 'DA') canAdd = changes && !started
    else if (state === 'DR') canRemove = bookingOpen
    else if (state === 'R' && changes && !started) {
      canRemove = true
      lateCancel = !evaluateDeadline(activity.rules.cancellation, day, now, enrolment.window).open
    }
    const household = viewer === null && b && !free && second ? { household: b.familyId === second ? (2 as const) : (1 as const) } : {}
    cells.push({ day, cell, bookingId: b?.id || null, canAdd, canRemove, lateCancel, priceCents: b && !free ? b.priceCents : unitCents, ...household })
  }
  return cells
}

/** `viewer`: the household looking (portal), which sees only its own days of a shared child; null for staff, who see both. */
export async function buildPlanning(m: EntityManager, core: Core, childIds: number[], from: string, to: string, viewer: number | null = null): Promise<Planning> {
  const now = core.clock.now()
  const days = dayRange(from, to)
  const ctx = await loadContext(m, { childIds, from, to, includeEnded: true })
  const data = await loadCalendarData(m, from, to)
  const planningDays: PlanningDay[] = days.map((d) => {
    const info = dayInfo(d, data)
    return {
      day: d,
      weekday: isoWeekday(d),
      holiday: info.holiday?.name ?? null,
      publicHoliday: info.publicHoliday,
      closure: info.closures.find((c) => c.activityId === null && c.facilityId === null)?.reason ?? null
    }
  })
  const children: PlanningChild[] = []
  const modifiable = new Map<number, boolean>()
  const unitPrice = unitPricer(dbOf(m))
  // Staff see which household booked a shared child's days; a household's own view needs no tag.
  const seconds = new Map<number, number>()
  if (viewer === null) {
    const rows = stmt(dbOf(m), 'SELECT child_id AS childId, family_id AS familyId FROM child_household WHERE child_id IN (SELECT value FROM json_each(?))').all(JSON.stringify(childIds)) as { childId: number; familyId: number }[]
    for (const r of rows) seconds.set(r.childId, r.familyId)
  }
  for (const childId of childIds) {
    const child = ctx.children.get(childId)
    if (!child) continue
    const lines: PlanningLine[] = []
    const activityIds = [...new Set(ctx.enrolments.filter((e) => e.childId === childId).map((e) => e.activityId))]
    for (const aId of activityIds) {
      const activity = ctx.activities.get(aId)!
      const periods = [...new Set(ctx.enrolments.filter((e) => e.childId === childId && e.activityId === aId).map((e) => e.periodName))]
      for (const unit of ctx.unitsOf(aId)) {
        const price = unitPrice(childId, unit.id, from)
        const cells = buildLineCells(ctx, childId, unit, activity, days, now, price.cents, viewer, seconds.get(childId) ?? null)
        if (cells.some((c) => c.canAdd || (c.canRemove && !c.lateCancel))) modifiable.set(aId, true)
        lines.push({
          childId,
          activityId: aId,
          activityName: activity.name,
          periodName: periods.join(', '),
          unitId: unit.id,
          unitName: unit.name,
          startTime: unit.startTime,
          endTime: unit.endTime,
          slot: slotOf(unit),
          unitPriceCents: price.cents,
          cells
        })
      }
    }
    let cost = 0
    for (const b of ctx.bookings.values()) if (b.childId === childId && BILLED_FOR_COST.has(b.state) && (viewer === null || b.familyId === viewer)) cost += b.priceCents
    children.push({ childId, firstName: child.firstName, lastName: child.lastName, costCents: cost, lines })
  }
  const activities: PlanningActivity[] = [...ctx.activities.values()].map((a) => {
    const can = modifiable.get(a.id) ?? false
    return {
      activityId: a.id,
      name: a.name,
      validation: a.validation,
      familyChanges: a.rules.familyChanges,
      bookingRule: describeRule(a.rules.booking),
      cancellationRule: describeRule(a.rules.cancellation),
      modifiable: can,
      reason: reasonFor(ctx, a, days, now, can),
      exclusions: [...ctx.exclusions.entries()].flatMap(([x, ys]) => [...ys].filter((y) => x < y).map((y) => [x, y] as [number, number]))
        .filter(([x]) => ctx.units.get(x)?.activityId === a.id)
    }
  })
  return { from, to, today: today(core), days: planningDays, children, activities }
}

/** The sentence next to (or instead of) "Modifier". */
function reasonFor(ctx: BookingContext, a: ActivityRow, days: string[], now: Date, modifiable: boolean): string {
  if (!a.rules.familyChanges) return `Les réservations de « ${a.name} » sont faites à l’inscription ; pour toute modification, écrivez à la structure par la messagerie.`
  const e = ctx.enrolments.find((x) => x.activityId === a.id && x.status === 'validated')
  const day = days.find((d) => ctx.isOpen(a.id, d) && now.getTime() < parisInstant(d, '00:00').getTime())
  if (!day) return modifiable ? '' : 'Les jours affichés sont passés : ils ne peuvent plus être modifiés en ligne.'
  const v = evaluateDeadline(a.rules.booking, day, now, e?.window ?? null)
  if (modifiable) return v.open ? v.message : ''
  return `${v.message} Pour une absence (maladie…), utilisez « Déclarer une absence ».`
}

export function checkRange(from: string, to: string): void {
  if (from > to) throw new DomainError('invalid_input', 'La date de fin précède la date de début.', 400)
  if (dayRange(from, to).length > MAX_PLANNING_DAYS) throw new DomainError('invalid_input', 'Affichez au plus deux mois à la fois.', 400)
}

/** The portal planning of a family's children (or one child). */
export async function familyPlanning(core: Core, familyId: number, from: string, to: string, childId?: number): Promise<Planning> {
  checkRange(from, to)
  return core.tx.read(async (m) => {
    const ids = householdChildIds(m, familyId)
    if (childId !== undefined && !ids.includes(childId)) throw notFound('Enfant')
    return buildPlanning(m, core, childId !== undefined ? [childId] : ids, from, to, familyId)
  })
}

/** How far ahead « the first month with something to book » looks (a school year and its summer). */
export const FIRST_BOOKABLE_MONTHS = 13

/**
 * The first day from today on that the family can tick in « Modifier » (a free
 * cell whose booking deadline has not passed), looking a month at a time; null
 * when nothing is bookable within FIRST_BOOKABLE_MONTHS. The planning opens
 * there instead of on a month where every deadline has passed.
 */
export async function firstBookableDay(core: Core, familyId: number): Promise<string | null> {
  const start = today(core)
  return core.tx.read(async (m) => {
    const ids = householdChildIds(m, familyId)
    if (!ids.length) return null
    for (let i = 0, month = monthOf(start); i < FIRST_BOOKABLE_MONTHS; i++, month = addMonths(month, 1)) {
      const from = i === 0 ? start : `${month}-01`
      const p = await buildPlanning(m, core, ids, from, lastDayOfMonth(month), familyId)
      const days = p.children.flatMap((c) => c.lines.flatMap((l) => l.cells.filter((x) => x.canAdd).map((x) => x.day)))
      if (days.length) return days.sort()[0]
    }
    return null
  })
}

/** Staff view of one child's planning (same cells; the back-office offers the staff transitions). */
export async function childPlanning(core: Core, childId: number, from: string, to: string): Promise<Planning> {
  checkRange(from, to)
  return core.tx.read(async (m) => {
    if (!stmt(dbOf(m), 'SELECT 1 FROM child WHERE id = ?').get(childId)) throw notFound('Enfant')
    return buildPlanning(m, core, [childId], from, to)
  })
}
