import type { AttendanceListDto } from '@shared/contract/bookings-shapes'
import { MEAL_TYPE_LABELS } from '@shared/contract/family-file-shapes'

/** Units whose children eat at the canteen. */
const MEAL_SLOTS = new Set(['midi', 'journee'])

export interface CanteenCount {
  unitId: number
  unitName: string
  /** Meals to serve: children marked present. */
  present: number
  /** Children expected and not marked yet (a meal may still be needed). */
  toMark: number
  /** Present children per meal type (« Sans porc » 4…), in the family file's order. */
  byMeal: { label: string; count: number }[]
  /** Present children with a particular diet, allergy or PAI (the kitchen checks each by name). */
  special: { name: string; what: string }[]
}

/**
 * The kitchen's count (issue 15 §3): per meal unit, how many meals of each
 * type, from the marks as they arrive (on the tablet too, offline: it reads
 * the list the screen shows).
 */
export function canteenCounts(list: AttendanceListDto): CanteenCount[] {
  const out: CanteenCount[] = []
  for (const u of list.units.filter((x) => MEAL_SLOTS.has(x.slot))) {
    const rows = list.rows.filter((r) => r.unitId === u.id)
    const present = rows.filter((r) => r.state === 'PRESENT')
    const byMeal = Object.entries(MEAL_TYPE_LABELS)
      .map(([type, label]) => ({ label, count: present.filter((r) => (r.mealType || 'standard') === type).length }))
      .filter((m) => m.count > 0)
    const special = present
      .filter((r) => r.diet || r.allergies || r.pai)
      .map((r) => ({
        name: `${r.firstName} ${r.lastName}`,
        what: [r.pai ? 'PAI' : '', r.allergies ? `allergie${r.allergyNotes ? ` ${r.allergyNotes}` : ''}` : '', r.diet].filter(Boolean).join(', ')
      }))
    out.push({ unitId: u.id, unitName: u.name, present: present.length, toMark: rows.filter((r) => r.state === 'R' || r.state === 'DA').length, byMeal, special })
  }
  return out
}
