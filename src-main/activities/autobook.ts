import type { EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { audit } from '../audit/audit'
import { isoWeekday } from '../calendar/days'
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

export interface AutoBookResult {
  created: number
  cancelled: number
  from: string | null
  to: string | null
}

/**
 * Makes the future auto-bookings of an enrolment match what it should book:
 * every opening day from max(its start, today) to its end, each with its
 * weekday's units. Missing rows are inserted in state 'R' (source 'auto'),
 * rows it made that are no longer wanted are cancelled; the past and rows
 * made by anyone else are left alone.
 *
 * The insert runs as one statement on the raw connection: it is
 * the same connection and the same open transaction as `m` (TypeORM's
 * better-sqlite3 driver has one), and it is what makes a whole school's year
 * fit in seconds.
 */
export async function syncAutoBookings(m: EntityManager, core: Core, actor: Actor, e: Enrolment): Promise<AutoBookResult> {
  const activity = await m.findOneByOrFail(Activity, { id: e.activityId })
  if (!activity.autoBook || e.status !== 'validated') return { created: 0, cancelled: 0, from: null, to: null }
  const period = await m.findOneByOrFail(ActivityPeriod, { id: e.periodId })
  const today = parisDay(core.clock.now())
  const from = [period.startDate, e.startDate ?? period.startDate, today].sort().at(-1)!
  const to = e.endedOn && e.endedOn < period.endDate ? e.endedOn : period.endDate
  if (from > to) return { created: 0, cancelled: 0, from, to }
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
  const slots: [number, string, number][] = []
  for (const day of days) for (const u of byWeekday.get(isoWeekday(day)) ?? []) slots.push([u.id, day, u.priceCents])
  const created = core.db
    .prepare(
      `INSERT INTO booking (child_id, unit_id, day, enrolment_id, group_id, state, source, request_id, price_cents, created_at, updated_at)
       SELECT ?, json_extract(s.value, '$[0]'), json_extract(s.value, '$[1]'), ?, ?, 'R', 'auto', NULL, json_extract(s.value, '$[2]'), ?, ?
       FROM json_each(?) s WHERE true -- "WHERE" keeps SQLite from reading ON CONFLICT as a join constraint
       ON CONFLICT (child_id, unit_id, day) DO UPDATE SET
         state = 'R', source = 'auto', enrolment_id = excluded.enrolment_id, group_id = excluded.group_id,
         price_cents = excluded.price_cents, updated_at = excluded.updated_at
       WHERE booking.state = 'CANCELLED' AND (booking.enrolment_id IS NULL OR booking.enrolment_id <> excluded.enrolment_id)`
    )
    .run(e.childId, e.id, e.groupId, now, now, JSON.stringify(slots)).changes
  if (created || cancelled) {
    await audit(m, actor, core.clock.now(), {
      action: 'enrolment-autobook',
      entity: 'enrolment',
      entityId: e.id,
      after: { created, cancelled, from, to, days: days.length }
    })
  }
  return { created, cancelled, from, to }
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
