import type Database from 'better-sqlite3'
import type { DashboardTodayDto } from '@shared/contract/desk-shapes'
import { stmt } from '../db/statements'

/**
 * Today at the desk, per activity and unit: expected (reserved or already
 * marked), present, absent without notice, declared absences, and not
 * marked yet — those of a unit that has started are the late arrivals to
 * check. One aggregate over the day's bookings, driven unit by unit through
 * the (unit_id, day, state) index, so it costs the same with 300 or 3,000
 * families' years of bookings.
 */
export function todayAtDesk(db: Database.Database, day: string, time: string): DashboardTodayDto {
  const rows = stmt(
    db,
    `SELECT a.id AS activityId, a.name AS activityName, u.id AS unitId, u.name AS unitName, u.start_time AS startTime, u.end_time AS endTime,
            SUM(b.state IN ('R','DA','PRESENT','ABSENT')) AS expected,
            SUM(b.state = 'PRESENT') AS present,
            SUM(b.state = 'ABSENT') AS absent,
            SUM(b.state IN ('A_EXC','A_FACT')) AS excused,
            SUM(b.state IN ('R','DA')) AS unmarked
       FROM unit u
       JOIN activity a ON a.id = u.activity_id
       JOIN booking b INDEXED BY booking_unit_day ON b.unit_id = u.id AND b.day = ? AND b.state IN ('R','DA','PRESENT','ABSENT','A_EXC','A_FACT')
      GROUP BY u.id
      ORDER BY a.name, u.sort, u.start_time, u.id`
  ).all(day) as Omit<DashboardTodayDto['units'][number], 'started'>[]
  const units = rows.map((r) => ({ ...r, started: r.startTime <= time }))
  const sum = (f: (u: (typeof units)[number]) => number) => units.reduce((n, u) => n + f(u), 0)
  return {
    day,
    time,
    units,
    totals: {
      expected: sum((u) => u.expected),
      present: sum((u) => u.present),
      absent: sum((u) => u.absent),
      excused: sum((u) => u.excused),
      late: sum((u) => (u.started ? u.unmarked : 0))
    }
  }
}
