import type Database from 'better-sqlite3'
import { DIETS, type Diet, type MealDayDto } from '@shared/contract/desk-shapes'
import { addDays, dayRange } from '@shared/bookings/days'
import { stmt } from '../db/statements'

interface MealRow {
  day: string
  childId: number
  state: string
  mealType: string
  pai: number
  firstName: string
  lastName: string
  activityName: string
  allergies: string
}

/**
 * Meals to serve per day and diet: every child with a meal unit reserved
 * (R, DA still holds the place, PRESENT) counts once per day, whatever the
 * number of its meal units; a child with a PAI counts as PAI and is named,
 * with its allergies, whatever its usual meal type. Requests not decided yet
 * (DR) are given apart. Driven by the few meal units through the
 * (unit_id, day, state) index.
 */
export function mealsByDay(db: Database.Database, from: string, to: string): MealDayDto[] {
  const rows = stmt(
    db,
    `SELECT b.day, b.child_id AS childId, b.state, COALESCE(cf.meal_type, 'standard') AS mealType, COALESCE(cf.pai, 0) AS pai,
            ch.first_name AS firstName, ch.last_name AS lastName, a.name AS activityName,
            CASE WHEN COALESCE(cf.allergies, 0) = 1 THEN COALESCE(NULLIF(cf.allergy_notes, ''), 'allergie') ELSE '' END AS allergies
       FROM unit u
       JOIN activity a ON a.id = u.activity_id
       JOIN booking b INDEXED BY booking_unit_day ON b.unit_id = u.id AND b.day BETWEEN ? AND ? AND b.state IN ('DR','R','DA','PRESENT')
       JOIN child ch ON ch.id = b.child_id
       LEFT JOIN child_file cf ON cf.child_id = b.child_id
      WHERE u.meal = 1
      ORDER BY b.day, b.state = 'DR', u.start_time`
  ).all(from, to) as MealRow[]
  const out = new Map<string, MealDayDto>()
  for (const day of dayRange(from, to)) {
    out.set(day, { day, counts: Object.fromEntries(DIETS.map((d) => [d, 0])) as Record<Diet, number>, total: 0, pending: 0, pai: [] })
  }
  const served = new Set<string>()
  const asked = new Set<string>()
  for (const r of rows) {
    const d = out.get(r.day)!
    const key = `${r.day}|${r.childId}`
    if (r.state === 'DR') {
      // A pending request of a child already served that day adds no meal.
      if (!served.has(key) && !asked.has(key)) d.pending++
      asked.add(key)
      continue
    }
    if (served.has(key)) continue
    served.add(key)
    const diet: Diet = r.pai === 1 ? 'pai' : (DIETS as readonly string[]).includes(r.mealType) ? (r.mealType as Diet) : 'standard'
    d.counts[diet]++
    d.total++
    if (diet === 'pai') d.pai.push({ childId: r.childId, name: `${r.lastName.toUpperCase()} ${r.firstName}`, activityName: r.activityName, allergies: r.allergies })
  }
  const fr = new Intl.Collator('fr', { sensitivity: 'base' })
  for (const d of out.values()) d.pai.sort((a, b) => fr.compare(a.name, b.name))
  return [...out.values()]
}

/** The days the kitchen asks about: the range given, else the next day with meals within a week (tomorrow if none). */
export function kitchenDays(db: Database.Database, today: string, q: { from?: string; to?: string }): { from: string; to: string } {
  if (q.from && q.to) return { from: q.from, to: q.to }
  const next = stmt(
    db,
    `SELECT MIN(b.day) AS day FROM unit u JOIN booking b INDEXED BY booking_unit_day
        ON b.unit_id = u.id AND b.day > ? AND b.day <= ? AND b.state IN ('R','DA','PRESENT')
      WHERE u.meal = 1`
  ).get(today, addDays(today, 7)) as { day: string | null }
  const day = next.day ?? addDays(today, 1)
  return { from: day, to: day }
}
