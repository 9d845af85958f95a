import type { EntityManager } from 'typeorm'
import type { BookingWindow } from '@shared/bookings/deadlines'
import type { BookingState } from '@shared/bookings/state-machine'
import { custodyResolver, type CustodyOn } from '../families/custody'
import { cachedOpeningDays } from './opening-cache'
import { rulesFor, type ActivityRules } from './rules'
import { dbOf, stmt } from './sql'

export interface ChildRow {
  id: number
  familyId: number
  firstName: string
  lastName: string
}

/** A child's enrolment as booking sees it: the days it covers and the group whose places it takes. */
export interface EnrolmentRow {
  id: number
  childId: number
  activityId: number
  periodId: number
  groupId: number
  status: 'validated' | 'ended'
  /** First and last day bookings may exist on (period bounds narrowed by the enrolment's own dates). */
  from: string
  to: string
  periodName: string
  window: BookingWindow
}

export interface ActivityRow {
  id: number
  name: string
  kind: string
  validation: 'auto' | 'staff'
  rules: ActivityRules
}

export interface UnitRow {
  id: number
  activityId: number
  name: string
  startTime: string
  endTime: string
  priceCents: number
  sort: number
}

export interface BookingRow {
  id: number
  childId: number
  unitId: number
  day: string
  state: BookingState
  groupId: number | null
  enrolmentId: number | null
  priceCents: number
  source: string
  /** The household that booked (issue 16: a shared child's bookings are each household's own). */
  familyId: number | null
}

const json = (ids: Iterable<number>) => JSON.stringify([...new Set(ids)])
export const bookingKey = (childId: number, unitId: number, day: string) => `${childId}:${unitId}:${day}`
const loadKey = (groupId: number, unitId: number, day: string) => `${groupId}:${unitId}:${day}`

/**
 * Everything needed to judge booking changes for some children over a range
 * of days, loaded in a handful of queries. Read it inside the transaction that
 * writes (the commit) so that what is judged is what is written.
 */
export class BookingContext {
  children = new Map<number, ChildRow>()
  enrolments: EnrolmentRow[] = []
  activities = new Map<number, ActivityRow>()
  units = new Map<number, UnitRow>()
  exclusions = new Map<number, Set<number>>()
  openDays = new Map<number, Set<string>>()
  bookings = new Map<string, BookingRow>()
  /** Which household has a shared child on a day (custody calendar); null: no rule or not shared. */
  custodyOn: CustodyOn = () => null
  private capacity = new Map<string, number>()
  private load = new Map<string, number>()

  constructor(
    readonly from: string,
    readonly to: string
  ) {}

  booking(childId: number, unitId: number, day: string): BookingRow | null {
    return this.bookings.get(bookingKey(childId, unitId, day)) ?? null
  }

  /**
   * The cell is the other household's, not `household`'s: the custody calendar
   * gives the day to the other one, or the other one holds a live booking there.
   */
  otherHousehold(household: number, childId: number, unitId: number, day: string): boolean {
    const owner = this.custodyOn(childId, day)
    if (owner !== null && owner !== household) return true
    return this.foreignBooking(household, childId, unitId, day) === 'live'
  }

  /** A booking row of the cell made by another household: 'live', or 'dead' (cancelled or refused: the cell is free). */
  foreignBooking(household: number, childId: number, unitId: number, day: string): 'live' | 'dead' | null {
    const b = this.booking(childId, unitId, day)
    if (!b || b.familyId === null || b.familyId === household) return null
    return b.state === 'CANCELLED' || b.state === 'REFUSED' ? 'dead' : 'live'
  }

  /** The validated enrolment of a child in an activity covering a day (only those allow new bookings). */
  enrolmentFor(childId: number, activityId: number, day: string, includeEnded = false): EnrolmentRow | null {
    for (const e of this.enrolments) {
      if (e.childId === childId && e.activityId === activityId && e.from <= day && day <= e.to && (includeEnded || e.status === 'validated')) return e
    }
    return null
  }

  isOpen(activityId: number, day: string): boolean {
    return this.openDays.get(activityId)?.has(day) ?? false
  }

  /** Places of a group × unit on a day (a dated exception wins over the default); null = no limit set. */
  places(groupId: number, unitId: number, day: string): number | null {
    return this.capacity.get(loadKey(groupId, unitId, day)) ?? this.capacity.get(loadKey(groupId, unitId, '')) ?? null
  }

  taken(groupId: number, unitId: number, day: string): number {
    return this.load.get(loadKey(groupId, unitId, day)) ?? 0
  }

  /** Keeps the in-memory count in step with a write made in the same transaction. */
  adjustTaken(groupId: number, unitId: number, day: string, delta: number): void {
    const k = loadKey(groupId, unitId, day)
    this.load.set(k, (this.load.get(k) ?? 0) + delta)
  }

  excludes(unitId: number): Set<number> {
    return this.exclusions.get(unitId) ?? new Set()
  }

  unitsOf(activityId: number): UnitRow[] {
    return [...this.units.values()].filter((u) => u.activityId === activityId).sort((a, b) => a.sort - b.sort || a.startTime.localeCompare(b.startTime) || a.id - b.id)
  }

  setCapacity(groupId: number, unitId: number, day: string | null, places: number) {
    this.capacity.set(loadKey(groupId, unitId, day ?? ''), places)
  }

  setTaken(groupId: number, unitId: number, day: string, taken: number) {
    this.load.set(loadKey(groupId, unitId, day), taken)
  }
}

export interface ContextQuery {
  childIds: number[]
  from: string
  to: string
  /** Restrict to these activities (default: every activity the children are enrolled in over the range). */
  activityIds?: number[]
  /** Also read enrolments that have ended (planning display of past bookings). */
  includeEnded?: boolean
}

export async function loadContext(m: EntityManager, q: ContextQuery): Promise<BookingContext> {
  const db = dbOf(m)
  const ctx = new BookingContext(q.from, q.to)
  const childIds = json(q.childIds)
  for (const c of stmt(db, 'SELECT id, family_id AS familyId, first_name AS firstName, last_name AS lastName FROM child WHERE id IN (SELECT value FROM json_each(?))').all(childIds) as ChildRow[]) {
    ctx.children.set(c.id, c)
  }
  const enrolments = stmt(
    db,
    `SELECT e.id, e.child_id AS childId, e.activity_id AS activityId, e.period_id AS periodId, e.group_id AS groupId, e.status,
            e.start_date AS startDate, e.ended_on AS endedOn, p.start_date AS pStart, p.end_date AS pEnd,
            p.window_start AS wStart, p.window_end AS wEnd, p.name AS periodName
     FROM enrolment e JOIN activity_period p ON p.id = e.period_id
     WHERE e.child_id IN (SELECT value FROM json_each(?)) AND +e.status IN ('validated', 'ended') -- "+": seek by child, not by status (thousands of validated rows)
       AND p.start_date <= ? AND p.end_date >= ?
     ORDER BY e.activity_id, p.start_date`
  ).all(childIds, q.to, q.from) as {
    id: number; childId: number; activityId: number; periodId: number; groupId: number; status: 'validated' | 'ended'
    startDate: string | null; endedOn: string | null; pStart: string; pEnd: string; wStart: string; wEnd: string; periodName: string
  }[]
  for (const e of enrolments) {
    if (e.status === 'ended' && !q.includeEnded) continue
    if (q.activityIds && !q.activityIds.includes(e.activityId)) continue
    const from = e.startDate && e.startDate > e.pStart ? e.startDate : e.pStart
    const to = e.endedOn && e.endedOn < e.pEnd ? e.endedOn : e.pEnd
    if (from > to) continue
    ctx.enrolments.push({
      id: e.id, childId: e.childId, activityId: e.activityId, periodId: e.periodId, groupId: e.groupId, status: e.status,
      from, to, periodName: e.periodName, window: { start: e.wStart, end: e.wEnd }
    })
  }
  const activityIds = [...new Set(ctx.enrolments.map((e) => e.activityId))]
  const groupIds = json(ctx.enrolments.map((e) => e.groupId))
  if (activityIds.length) {
    const rules = rulesFor(m, activityIds)
    const acts = stmt(
      db,
      `SELECT a.id, a.name, a.validation, t.kind FROM activity a JOIN activity_type t ON t.id = a.activity_type_id
       WHERE a.id IN (SELECT value FROM json_each(?))`
    ).all(json(activityIds)) as { id: number; name: string; validation: 'auto' | 'staff'; kind: string }[]
    for (const a of acts) ctx.activities.set(a.id, { ...a, rules: rules.get(a.id)! })
    const units = stmt(
      db,
      `SELECT id, activity_id AS activityId, name, start_time AS startTime, end_time AS endTime, price_cents AS priceCents, sort
       FROM unit WHERE activity_id IN (SELECT value FROM json_each(?))`
    ).all(json(activityIds)) as UnitRow[]
    for (const u of units) ctx.units.set(u.id, u)
    const unitIds = json(units.map((u) => u.id))
    for (const x of stmt(db, 'SELECT unit_id AS a, excluded_unit_id AS b FROM unit_exclusion WHERE unit_id IN (SELECT value FROM json_each(?))').all(unitIds) as { a: number; b: number }[]) {
      if (!ctx.exclusions.has(x.a)) ctx.exclusions.set(x.a, new Set())
      ctx.exclusions.get(x.a)!.add(x.b)
      // Stored both ways by #4; adding the reverse here keeps a one-way row from being half a rule.
      if (!ctx.exclusions.has(x.b)) ctx.exclusions.set(x.b, new Set())
      ctx.exclusions.get(x.b)!.add(x.a)
    }
    for (const c of stmt(
      db,
      `SELECT group_id AS groupId, unit_id AS unitId, day, places FROM capacity
       WHERE group_id IN (SELECT value FROM json_each(?)) AND unit_id IN (SELECT value FROM json_each(?)) AND (day IS NULL OR day BETWEEN ? AND ?)`
    ).all(groupIds, unitIds, q.from, q.to) as { groupId: number; unitId: number; day: string | null; places: number }[]) {
      ctx.setCapacity(c.groupId, c.unitId, c.day, c.places)
    }
    for (const l of stmt(
      db,
      `SELECT group_id AS groupId, unit_id AS unitId, day, taken FROM booking_load
       WHERE group_id IN (SELECT value FROM json_each(?)) AND unit_id IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ?`
    ).all(groupIds, unitIds, q.from, q.to) as { groupId: number; unitId: number; day: string; taken: number }[]) {
      ctx.setTaken(l.groupId, l.unitId, l.day, l.taken)
    }
    for (const a of activityIds) ctx.openDays.set(a, new Set(await cachedOpeningDays(m, a, q.from, q.to)))
  }
  for (const b of stmt(
    db,
    `SELECT id, child_id AS childId, unit_id AS unitId, day, state, group_id AS groupId, enrolment_id AS enrolmentId,
            price_cents AS priceCents, source, family_id AS familyId
     FROM booking WHERE child_id IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ?`
  ).all(childIds, q.from, q.to) as BookingRow[]) {
    ctx.bookings.set(bookingKey(b.childId, b.unitId, b.day), b)
  }
  ctx.custodyOn = await custodyResolver(m, q.childIds, q.from, q.to)
  return ctx
}
