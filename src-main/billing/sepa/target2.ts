/**
 * TARGET2 business days: a SEPA direct debit is collected on a day the
 * Eurosystem's settlement system is open. It closes on weekends, 1 January,
 * Good Friday, Easter Monday, 1 May, 25 and 26 December (ECB calendar).
 * date-holidays computes the Easter-based days from its rule language.
 */
import Holidays from 'date-holidays'
import { addDays, isoWeekday } from '@shared/bookings/days'

const target2 = new Holidays()
for (const [rule, name] of [
  ['01-01', 'Jour de l’an'],
  ['easter -2', 'Vendredi saint'],
  ['easter 1', 'Lundi de Pâques'],
  ['05-01', 'Fête du travail'],
  ['12-25', 'Noël'],
  ['12-26', 'Lendemain de Noël']
] as const) {
  target2.setHoliday(rule, name)
}

const closedByYear = new Map<number, Set<string>>()
function closedDays(year: number): Set<string> {
  let s = closedByYear.get(year)
  if (!s) {
    s = new Set(target2.getHolidays(year).map((h) => h.date.slice(0, 10)))
    closedByYear.set(year, s)
  }
  return s
}

export function isTarget2Day(day: string): boolean {
  return isoWeekday(day) < 6 && !closedDays(Number(day.slice(0, 4))).has(day)
}

/** The first TARGET2 business day on or after `day`. */
export function target2DayOnOrAfter(day: string): string {
  let d = day
  while (!isTarget2Day(d)) d = addDays(d, 1)
  return d
}
