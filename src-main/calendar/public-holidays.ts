import Holidays from 'date-holidays'

/** Départements where the local law adds Vendredi saint and 26 décembre. */
export const ALSACE_MOSELLE = ['57', '67', '68'] as const

const cache = new Map<string, Map<string, string>>()
const instances = new Map<string, Holidays>()

/**
 * Jours fériés of a civil year as day → French name, from date-holidays
 * (maintained upstream). Only `public` days: Pentecost Sunday and Mother's Day
 * are `observance` there. `department` '57'/'67'/'68' adds the Alsace-Moselle days.
 */
export function publicHolidays(year: number, department: string | null = null): Map<string, string> {
  const state = department && (ALSACE_MOSELLE as readonly string[]).includes(department) ? department : ''
  const key = `${year}:${state}`
  let days = cache.get(key)
  if (!days) {
    let hd = instances.get(state)
    if (!hd) {
      hd = state ? new Holidays('FR', state, { languages: ['fr'] }) : new Holidays('FR', { languages: ['fr'] })
      instances.set(state, hd)
    }
    days = new Map()
    // `date` is the local civil date in the country's zone ("2026-04-06 00:00:00"), so no TZ conversion here.
    for (const h of hd.getHolidays(year)) if (h.type === 'public') days.set(h.date.slice(0, 10), h.name)
    cache.set(key, days)
  }
  return days
}

/**
 * Which département's public holidays apply: the structure's explicit region
 * ('FR-57', '57') if set, else the first two digits of its postal code.
 */
export function holidayDepartment(region: string, postalCode: string): string | null {
  const r = region.trim().toUpperCase().replace(/^FR-?/, '')
  if (r) return r
  const pc = postalCode.trim()
  return /^\d{5}$/.test(pc) ? pc.slice(0, 2) : null
}

export function isAlsaceMoselle(department: string | null): boolean {
  return !!department && (ALSACE_MOSELLE as readonly string[]).includes(department)
}
