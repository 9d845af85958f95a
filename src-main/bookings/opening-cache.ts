import type { EntityManager } from 'typeorm'
import { openingDays } from '../calendar/calendar'
import { dbOf, stmt } from './sql'

/**
 * #4's opening days, memoised for the rush. The key holds a fingerprint of
 * every input the calendar reads (the activity's rule and type, the
 * structure's zone and address, the school-week setting, the holidays and the
 * closures): any edit changes it, so a cached answer is never stale. The
 * fingerprint is one read over small tables instead of the calendar's
 * half-dozen ORM queries per "Terminer".
 */
const cache = new Map<string, string[]>()

function fingerprint(m: EntityManager, activityId: number): string {
  const r = stmt(
    dbOf(m),
    `SELECT
       (SELECT a.opening_rule || ':' || a.activity_type_id || ':' || t.facility_id FROM activity a JOIN activity_type t ON t.id = a.activity_type_id WHERE a.id = ?) AS act,
       (SELECT holiday_zone || ':' || holiday_region || ':' || postal_code FROM structure WHERE id = 1) AS s,
       (SELECT value FROM setting WHERE key = 'calendar.school-weekdays') AS w,
       (SELECT COUNT(*) || ':' || group_concat(id || first_day_off || COALESCE(back_day, '') || kind || zone, ',') FROM school_holiday) AS h,
       (SELECT COUNT(*) || ':' || group_concat(id || start_date || end_date || COALESCE(facility_id, '') || '/' || COALESCE(activity_id, ''), ',') FROM closure) AS c`
  ).get(activityId) as Record<string, string | null>
  return `${r.act}|${r.s}|${r.w}|${r.h}|${r.c}`
}

export async function cachedOpeningDays(m: EntityManager, activityId: number, from: string, to: string): Promise<string[]> {
  const key = `${activityId}|${from}|${to}|${fingerprint(m, activityId)}`
  const hit = cache.get(key)
  if (hit) return hit
  const days = await openingDays(m, activityId, from, to)
  if (cache.size > 2_000) cache.clear()
  cache.set(key, days)
  return days
}
