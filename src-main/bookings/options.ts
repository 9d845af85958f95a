import type { Core } from '../core/app-core'
import { today } from './commit'
import { dbOf } from './sql'

export interface FamilyBookingOptions {
  today: string
  children: {
    childId: number
    firstName: string
    activities: { activityId: number; name: string; from: string; to: string; units: { unitId: number; name: string; startTime: string; endTime: string }[] }[]
  }[]
}

/**
 * What the period-reservation and absence forms offer: each child, the
 * activities it is enrolled in from today on (with the dates), and their units.
 */
export async function familyOptions(core: Core, familyId: number): Promise<FamilyBookingOptions> {
  const t = today(core)
  return core.tx.read(async (m) => {
    const db = dbOf(m)
    // A shared child is in both households' forms (issue 16).
    const children = db
      .prepare('SELECT c.id AS childId, c.first_name AS firstName FROM household_child hc JOIN child c ON c.id = hc.child_id WHERE hc.family_id = ? ORDER BY c.birth_date, c.id')
      .all(familyId) as { childId: number; firstName: string }[]
    const rows = db
      .prepare(
        `SELECT e.child_id AS childId, a.id AS activityId, a.name, MIN(COALESCE(e.start_date, p.start_date)) AS "from", MAX(COALESCE(e.ended_on, p.end_date)) AS "to"
         FROM enrolment e JOIN activity_period p ON p.id = e.period_id JOIN activity a ON a.id = e.activity_id
         JOIN household_child hc ON hc.child_id = e.child_id
         WHERE hc.family_id = ? AND e.status = 'validated' AND p.end_date >= ?
         GROUP BY e.child_id, a.id ORDER BY a.name`
      )
      .all(familyId, t) as { childId: number; activityId: number; name: string; from: string; to: string }[]
    const units = db
      .prepare(
        `SELECT id AS unitId, activity_id AS activityId, name, start_time AS startTime, end_time AS endTime FROM unit
         WHERE activity_id IN (SELECT value FROM json_each(?)) ORDER BY sort, start_time, id`
      )
      .all(JSON.stringify([...new Set(rows.map((r) => r.activityId))])) as { unitId: number; activityId: number; name: string; startTime: string; endTime: string }[]
    return {
      today: t,
      children: children.map((c) => ({
        ...c,
        activities: rows
          .filter((r) => r.childId === c.childId)
          .map((r) => ({
            activityId: r.activityId,
            name: r.name,
            from: r.from,
            to: r.to,
            units: units.filter((u) => u.activityId === r.activityId).map(({ activityId: _a, ...u }) => u)
          }))
      }))
    }
  })
}

/** Children by name or N° famille, for the staff planning per child. */
export async function searchChildren(core: Core, query: string): Promise<{ childId: number; firstName: string; lastName: string; familyId: number; familyNumber: number }[]> {
  const text = query.trim()
  return core.tx.read(async (m) => {
    const like = `%${text.replace(/[%_\\]/g, (c) => `\\${c}`)}%`
    return dbOf(m)
      .prepare(
        `SELECT c.id AS childId, c.first_name AS firstName, c.last_name AS lastName, f.id AS familyId, f.number AS familyNumber
         FROM child c JOIN family f ON f.id = c.family_id
         WHERE f.status = 'active' AND (? = '' OR c.first_name LIKE ? ESCAPE '\\' OR c.last_name LIKE ? ESCAPE '\\'
               OR (c.first_name || ' ' || c.last_name) LIKE ? ESCAPE '\\' OR (c.last_name || ' ' || c.first_name) LIKE ? ESCAPE '\\' OR CAST(f.number AS TEXT) = ?)
         ORDER BY c.last_name COLLATE NOCASE, c.first_name COLLATE NOCASE LIMIT 30`
      )
      .all(text, like, like, like, like, text) as { childId: number; firstName: string; lastName: string; familyId: number; familyNumber: number }[]
  })
}
