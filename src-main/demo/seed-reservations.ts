import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { addMonths, firstDayOfMonth, isoWeekday, lastDayOfMonth, monthOf } from '@shared/bookings/days'
import { StaffUser } from '../accounts/entities'
import { openingDays } from '../calendar/calendar'
import { staffApply, type StaffItem } from '../bookings/staff-actions'
import { prng } from './generate'

/**
 * The reservations families made ahead for the activities that do not book
 * themselves (the canteen, the Wednesday centre): this month's and, for most
 * families (those who booked before the 20th), next month's days, a few
 * days left out. So the demo's kitchen sheet, sign-in sheets and dashboard
 * have tomorrow's children to show. Entered as the desk would (R), through
 * the same staff path.
 */
export async function seedDemoReservations(core: Core): Promise<void> {
  const today = parisDay(core.clock.now())
  const nextMonth = addMonths(monthOf(today), 1)
  const end = lastDayOfMonth(nextMonth)
  const director = await core.tx.read((m) => m.findOneBy(StaffUser, { role: 'direction' }))
  if (!director) return
  const actor = { kind: 'staff' as const, id: director.id, label: director.displayName, role: director.role, mustChangePassword: false }
  const enrolments = core.db
    .prepare(
      `SELECT e.child_id AS childId, e.activity_id AS activityId, e.typical_week AS typicalWeek, e.start_date AS startDate, p.start_date AS periodStart, p.end_date AS periodEnd,
              (SELECT u.id FROM unit u WHERE u.activity_id = e.activity_id ORDER BY u.sort, u.start_time, u.id LIMIT 1) AS firstUnit
         FROM enrolment e JOIN activity a ON a.id = e.activity_id JOIN activity_period p ON p.id = e.period_id
        WHERE e.status = 'validated' AND a.auto_book = 0 AND p.end_date >= ? AND p.start_date <= ?
        ORDER BY e.id`
    )
    .all(today, end) as { childId: number; activityId: number; typicalWeek: string; startDate: string | null; periodStart: string; periodEnd: string; firstUnit: number }[]
  const r = prng(18)
  for (const e of enrolments) {
    const week = JSON.parse(e.typicalWeek || '[]') as { weekday: number; unitId: number }[]
    const from = [today, e.periodStart, e.startDate ?? e.periodStart].sort().at(-1)!
    const to = e.periodEnd < end ? e.periodEnd : end
    if (from > to) continue
    const bookedNextMonth = r() < 0.75
    const items: StaffItem[] = []
    for (const day of await openingDays(core, e.activityId, from, to)) {
      if ((day >= firstDayOfMonth(nextMonth) && !bookedNextMonth) || r() < 0.08) continue
      const units = week.length ? week.filter((w) => w.weekday === isoWeekday(day)).map((w) => w.unitId) : [e.firstUnit]
      for (const unitId of units) items.push({ childId: e.childId, unitId, day, action: 'book' })
    }
    if (items.length) await staffApply(core, actor, { items, reason: 'Réservations faites par la famille avant le 20', overrideCapacity: true })
  }
}
