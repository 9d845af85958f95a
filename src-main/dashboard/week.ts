import type { DashboardWeekDto } from '@shared/contract/desk-shapes'
import { addDays, mondayOf } from '@shared/bookings/days'
import type { Core } from '../core/app-core'
import { occupancy } from '../bookings/occupancy'
import { dbOf, stmt } from '../bookings/sql'

/**
 * This week (Monday to Friday, or to Sunday when something opens at the
 * weekend): for each activity open on some day, the places taken on its
 * busiest unit against that unit's capacity (the figures of « Occupation »,
 * read from the trigger-kept booking_load), and the waiting lists.
 */
export async function weekAtDesk(core: Core, today: string): Promise<DashboardWeekDto> {
  const from = mondayOf(today)
  const occ = await occupancy(core, { from, to: addDays(from, 6) })
  const weekend = occ.cells.some((c) => c.day > addDays(from, 4))
  const days = occ.days.slice(0, weekend ? 7 : 5)
  const activities: DashboardWeekDto['activities'] = []
  for (const a of occ.activities) {
    const unitIds = new Set(a.units.map((u) => u.id))
    const cells = days.map((day) => {
      let best: { taken: number; capacity: number | null } | null = null
      for (const c of occ.cells) {
        if (c.day !== day || !unitIds.has(c.unitId)) continue
        const taken = c.booked + c.pending
        if (!best || taken > best.taken) best = { taken, capacity: c.capacity }
      }
      return best
    })
    if (cells.some((c) => c !== null)) activities.push({ activityId: a.id, name: a.name, cells })
  }
  const waiting = await core.tx.read(async (m) =>
    stmt(
      dbOf(m),
      `SELECT e.activity_id AS activityId, a.name AS activityName, g.name AS groupName, COUNT(*) AS count, MIN(COALESCE(e.waiting_since, e.created_at)) AS since
         FROM enrolment e JOIN activity a ON a.id = e.activity_id JOIN activity_group g ON g.id = e.group_id
        WHERE e.status = 'waiting'
        GROUP BY e.activity_id, e.group_id
        ORDER BY count DESC, a.name, g.name`
    ).all()
  )
  return { from, to: days[days.length - 1], days, activities, waiting: waiting as DashboardWeekDto['waiting'] }
}
