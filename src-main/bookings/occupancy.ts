import { dayRange } from '@shared/bookings/days'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { openingDays } from '../calendar/calendar'
import { dbOf, stmt } from './sql'

export interface OccupancyCell {
  day: string
  unitId: number
  /** null: no capacity set for any group of the unit. */
  capacity: number | null
  booked: number
  pending: number
  free: number | null
}

export interface Occupancy {
  from: string
  to: string
  activities: { id: number; name: string; units: { id: number; name: string; startTime: string }[] }[]
  days: string[]
  cells: OccupancyCell[]
}

/**
 * Per day and unit over the coming weeks: places (sum of the groups'
 * capacities, dated exceptions first), booked (R, PRESENT), pending (DR, and
 * DA which still hold their place) and free. Reads the trigger-kept
 * booking_load, so it stays instant at commune scale.
 */
export async function occupancy(core: Core, q: { from: string; to: string; activityId?: number }): Promise<Occupancy> {
  const days = dayRange(q.from, q.to)
  if (days.length > 93) throw new DomainError('invalid_input', 'Affichez au plus trois mois à la fois.', 400)
  return core.tx.read(async (m) => {
    const db = dbOf(m)
    const acts = db
      .prepare(`SELECT id, name FROM activity WHERE active = 1 ${q.activityId ? 'AND id = ?' : ''} ORDER BY name`)
      .all(...(q.activityId ? [q.activityId] : [])) as { id: number; name: string }[]
    const activities: Occupancy['activities'] = []
    const cells: OccupancyCell[] = []
    for (const a of acts) {
      const units = stmt(db, 'SELECT id, name, start_time AS startTime FROM unit WHERE activity_id = ? ORDER BY sort, start_time, id').all(a.id) as { id: number; name: string; startTime: string }[]
      activities.push({ ...a, units })
      const open = new Set(await openingDays(m, a.id, q.from, q.to))
      const groups = (stmt(db, 'SELECT id FROM activity_group WHERE activity_id = ?').all(a.id) as { id: number }[]).map((g) => g.id)
      for (const u of units) {
        const caps = stmt(db, 'SELECT group_id AS groupId, day, places FROM capacity WHERE unit_id = ? AND (day IS NULL OR day BETWEEN ? AND ?)').all(u.id, q.from, q.to) as {
          groupId: number; day: string | null; places: number
        }[]
        const taken = new Map<string, number>()
        for (const l of stmt(db, 'SELECT day, SUM(taken) AS n FROM booking_load WHERE unit_id = ? AND day BETWEEN ? AND ? GROUP BY day').all(u.id, q.from, q.to) as { day: string; n: number }[]) {
          taken.set(l.day, l.n)
        }
        const pending = new Map<string, number>()
        for (const p of stmt(db, `SELECT day, COUNT(*) AS n FROM booking WHERE unit_id = ? AND day BETWEEN ? AND ? AND state IN ('DR','DA') GROUP BY day`).all(u.id, q.from, q.to) as { day: string; n: number }[]) {
          pending.set(p.day, p.n)
        }
        for (const day of days) {
          if (!open.has(day)) continue
          let capacity: number | null = null
          for (const g of groups) {
            const c = caps.find((x) => x.groupId === g && x.day === day) ?? caps.find((x) => x.groupId === g && x.day === null)
            if (c) capacity = (capacity ?? 0) + c.places
          }
          const t = taken.get(day) ?? 0
          const p = pending.get(day) ?? 0
          cells.push({ day, unitId: u.id, capacity, booked: t - p, pending: p, free: capacity === null ? null : Math.max(0, capacity - t) })
        }
      }
    }
    return { from: q.from, to: q.to, activities, days, cells }
  })
}
