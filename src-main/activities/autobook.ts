import type { EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { audit } from '../audit/audit'
import { isoWeekday } from '@shared/bookings/days'
import { openingDays } from '../calendar/calendar'
import { Activity, ActivityPeriod, Enrolment, Unit } from './entities'
import { unitExclusions } from './dto'

/** Booking states an auto-booking may still withdraw (not yet consumed, billed or decided otherwise). */
const WITHDRAWABLE = `('R','DR','DA')`

/**
 * The units booked on each weekday: the typical week when the family gave
 * one, else every unit of the activity except those an earlier unit excludes
 * (a child cannot have both "avec repas" and "sans repas").
 */
export async function unitsByWeekday(m: EntityManager, e: Enrolment): Promise<Map<number, Unit[]>> {
  const units = await m.find(Unit, { where: { activityId: e.activityId }, order: { sort: 'ASC', startTime: 'ASC', id: 'ASC' } })
  const out = new Map<number, Unit[]>()
  if (e.typicalWeek.length) {
    for (const s of e.typicalWeek) {
      const u = units.find((x) => x.id === s.unitId)
      if (u) out.set(s.weekday, [...(out.get(s.weekday) ?? []), u])
    }
    return out
  }
  const excl = await unitExclusions(m, units.map((u) => u.id))
  const chosen: Unit[] = []
  for (const u of units) if (!chosen.some((c) => excl.get(c.id)!.includes(u.id))) chosen.push(u)
  for (let wd = 1; wd <= 7; wd++) out.set(wd, chosen)
  return out
}

/** A day × unit auto-booking left out: the group had no place left that day. */
export interface FullSlot {
  day: string
  unitId: number
  unitName: string
  places: number
}

export interface AutoBookResult {
  created: number
  cancelled: number
  from: string | null
  to: string | null
  /** Distinct days that got at least one new booking. */
  bookedDays: number
  /** Slots skipped because they were full, by day then unit sort order. */
  full: FullSlot[]
}

const NOTHING = { created: 0, cancelled: 0, bookedDays: 0, full: [] as FullSlot[] }

/**
 * Drops the slots whose group × unit × day has no place left (the dated
 * capacity exception, else the group's default; no row = unlimited). It reads
 * booking_load on the connection of the open transaction, after this
 * enrolment's own withdrawals, so two enrolments validated in the same
 * transaction (or one after the other) cannot both take the last place.
 * A slot the child already holds, or that the insert would not revive, takes
 * no new place and is kept as is.
 */
function withoutFullSlots(core: Core, e: Enrolment, units: Unit[], slots: [number, string, number][], from: string, to: string) {
  const unitIds = JSON.stringify([...new Set(slots.map((s) => s[0]))])
  const caps = core.db
    .prepare(
      `SELECT unit_id AS unitId, day, places FROM capacity
       WHERE group_id = ? AND unit_id IN (SELECT value FROM json_each(?)) AND (day IS NULL OR day BETWEEN ? AND ?)`
    )
    .all(e.groupId, unitIds, from, to) as { unitId: number; day: string | null; places: number }[]
  // No capacity at all: every slot goes in, without reading the load (the common case, and the fast one).
  if (!caps.length) return { kept: slots, full: [] as FullSlot[] }
  const places = new Map(caps.map((c) => [`${c.unitId}|${c.day ?? ''}`, c.places]))
  const placesOf = (unitId: number, day: string) => places.get(`${unitId}|${day}`) ?? places.get(`${unitId}|`) ?? null

  const taken = new Map(
    (
      core.db
        .prepare(
          `SELECT unit_id AS unitId, day, taken FROM booking_load
           WHERE group_id = ? AND unit_id IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ?`
        )
        .all(e.groupId, unitIds, from, to) as { unitId: number; day: string; taken: number }[]
    ).map((l) => [`${l.unitId}|${l.day}`, l.taken])
  )
  const existing = new Map(
    (
      core.db
        .prepare(
          `SELECT unit_id AS unitId, day, state, enrolment_id AS enrolmentId FROM booking
           WHERE child_id = ? AND unit_id IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ?`
        )
        .all(e.childId, unitIds, from, to) as { unitId: number; day: string; state: string; enrolmentId: number | null }[]
    ).map((b) => [`${b.unitId}|${b.day}`, b])
  )
  const kept: [number, string, number][] = []
  const full: FullSlot[] = []
  for (const s of slots) {
    const [unitId, day] = s
    const cap = placesOf(unitId, day)
    const key = `${unitId}|${day}`
    const b = existing.get(key)
    // Same condition as the upsert below: only a new row or a revived cancelled one takes a place.
    const takesPlace = !b || (b.state === 'CANCELLED' && b.enrolmentId !== e.id)
    if (cap === null || !takesPlace) {
      kept.push(s)
      continue
    }
    const n = taken.get(key) ?? 0
    if (n >= cap) {
      full.push({ day, unitId, unitName: units.find((u) => u.id === unitId)?.name ?? '', places: cap })
      continue
    }
    taken.set(key, n + 1)
    kept.push(s)
  }
  return { kept, full }
}

/**
 * Makes the future auto-bookings of an enrolment match what it should book:
 * every opening day from max(its start, today) to its end, each with its
 * weekday's units. Missing rows are inserted in state 'R' (source 'auto'),
 * rows it made that are no longer wanted are cancelled; the past and rows
 * made by anyone else are left alone.
 *
 * A day × unit whose places are all taken is skipped and reported in `full`
 * (see withoutFullSlots); a later sync books it if a place has freed.
 *
 * The insert runs as one statement on the raw connection: it is
 * the same connection and the same open transaction as `m` (TypeORM's
 * better-sqlite3 driver has one), and it is what makes a whole school's year
 * fit in seconds.
 */
export async function syncAutoBookings(m: EntityManager, core: Core, actor: Actor, e: Enrolment): Promise<AutoBookResult> {
  const activity = await m.findOneByOrFail(Activity, { id: e.activityId })
  if (!activity.autoBook || e.status !== 'validated') return { ...NOTHING, from: null, to: null }
  const period = await m.findOneByOrFail(ActivityPeriod, { id: e.periodId })
  const today = parisDay(core.clock.now())
  const from = [period.startDate, e.startDate ?? period.startDate, today].sort().at(-1)!
  const to = e.endedOn && e.endedOn < period.endDate ? e.endedOn : period.endDate
  if (from > to) return { ...NOTHING, from, to }
  const days = await openingDays(m, e.activityId, from, to)
  const byWeekday = await unitsByWeekday(m, e)
  const now = core.clock.now().toISOString()

  const wanted = new Set<string>()
  for (const day of days) for (const u of byWeekday.get(isoWeekday(day)) ?? []) wanted.add(`${u.id}|${day}`)

  const mine = core.db
    .prepare(`SELECT id, unit_id AS unitId, day FROM booking WHERE enrolment_id = ? AND source = 'auto' AND day >= ? AND state IN ${WITHDRAWABLE}`)
    .all(e.id, from) as { id: number; unitId: number; day: string }[]
  const cancel = core.db.prepare(`UPDATE booking SET state = 'CANCELLED', updated_at = ? WHERE id = ?`)
  let cancelled = 0
  for (const b of mine) {
    if (!wanted.has(`${b.unitId}|${b.day}`)) cancelled += cancel.run(now, b.id).changes
  }

  // One statement for the whole year: the (unit, day, price) list goes in as JSON and SQLite loops over it,
  // which is about three times faster than one call per row from JavaScript.
  // A day cancelled under another (ended) enrolment comes back; one this enrolment itself cancelled does not.
  const all: [number, string, number][] = []
  for (const day of days) for (const u of byWeekday.get(isoWeekday(day)) ?? []) all.push([u.id, day, u.priceCents])
  const { kept: slots, full } = withoutFullSlots(core, e, [...new Set([...byWeekday.values()].flat())], all, from, to)
  const createdDays = core.db
    .prepare(
      `INSERT INTO booking (child_id, unit_id, day, enrolment_id, group_id, state, source, request_id, price_cents, created_at, updated_at)
       SELECT ?, json_extract(s.value, '$[0]'), json_extract(s.value, '$[1]'), ?, ?, 'R', 'auto', NULL, json_extract(s.value, '$[2]'), ?, ?
       FROM json_each(?) s WHERE true -- "WHERE" keeps SQLite from reading ON CONFLICT as a join constraint
       ON CONFLICT (child_id, unit_id, day) DO UPDATE SET
         state = 'R', source = 'auto', enrolment_id = excluded.enrolment_id, group_id = excluded.group_id,
         price_cents = excluded.price_cents, updated_at = excluded.updated_at
       WHERE booking.state = 'CANCELLED' AND (booking.enrolment_id IS NULL OR booking.enrolment_id <> excluded.enrolment_id)
       RETURNING day`
    )
    .pluck()
    .all(e.childId, e.id, e.groupId, now, now, JSON.stringify(slots)) as string[]
  const created = createdDays.length
  const bookedDays = new Set(createdDays).size
  if (created || cancelled || full.length) {
    await audit(m, actor, core.clock.now(), {
      action: 'enrolment-autobook',
      entity: 'enrolment',
      entityId: e.id,
      after: { created, cancelled, from, to, days: days.length, full: full.map((f) => `${f.day} ${f.unitName}`) }
    })
  }
  return { created, cancelled, from, to, bookedDays, full }
}

/**
 * Cancels the auto-bookings of an enrolment after `lastDay`, never before
 * today: the past stays as it happened (attendance, billing).
 */
export async function cancelFutureAutoBookings(m: EntityManager, core: Core, e: Enrolment, lastDay: string): Promise<number> {
  const today = parisDay(core.clock.now())
  const now = core.clock.now().toISOString()
  const r = core.db
    .prepare(
      `UPDATE booking SET state = 'CANCELLED', updated_at = ?
       WHERE enrolment_id = ? AND source = 'auto' AND day > ? AND day >= ? AND state IN ${WITHDRAWABLE}`
    )
    .run(now, e.id, lastDay, today)
  return r.changes
}
