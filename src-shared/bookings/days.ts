/**
 * Calendar-day arithmetic on ISO 'YYYY-MM-DD' strings. Days are civil dates
 * (no time zone); computing them through UTC keeps the machine's own zone and
 * DST out of the result, on the server and in browsers alike.
 */

function utc(day: string): Date {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d))
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10)
}

export function addDays(day: string, n: number): string {
  const d = utc(day)
  d.setUTCDate(d.getUTCDate() + n)
  return iso(d)
}

/** 1 = Monday … 7 = Sunday (ISO). */
export function isoWeekday(day: string): number {
  const w = utc(day).getUTCDay()
  return w === 0 ? 7 : w
}

/** ISO 8601 week number (what "semaines paires / impaires" refers to in French planning). */
export function isoWeek(day: string): number {
  const d = utc(day)
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7))
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1)
  return Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7)
}

/** 'YYYY-MM' of a day. */
export function monthOf(day: string): string {
  return day.slice(0, 7)
}

export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number)
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

export function firstDayOfMonth(month: string): string {
  return `${month}-01`
}

export function lastDayOfMonth(month: string): string {
  return `${month}-${String(daysInMonth(month)).padStart(2, '0')}`
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number)
  const d = new Date(Date.UTC(y, m - 1 + n, 1))
  return iso(d).slice(0, 7)
}

/** Every day from `from` to `to`, inclusive. */
export function dayRange(from: string, to: string): string[] {
  const out: string[] = []
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d)
  return out
}

/** Monday of the ISO week containing `day`. */
export function mondayOf(day: string): string {
  return addDays(day, 1 - isoWeekday(day))
}

export const WEEKDAY_SHORT = ['', 'Lu', 'Ma', 'Me', 'Je', 'Ve', 'Sa', 'Di'] as const
export const WEEKDAY_LONG = ['', 'Lundi', 'Mardi', 'Mercredi', 'Jeudi', 'Vendredi', 'Samedi', 'Dimanche'] as const
/** "Mer." as in the source's recap e-mails. */
export const WEEKDAY_ABBR = ['', 'Lun.', 'Mar.', 'Mer.', 'Jeu.', 'Ven.', 'Sam.', 'Dim.'] as const
export const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'] as const

/** "08/01/2025" */
export function frDay(day: string): string {
  return `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`
}

/** "06/05" (the grouped reply e-mails list days this way). */
export function frDayShort(day: string): string {
  return `${day.slice(8, 10)}/${day.slice(5, 7)}`
}

/** "mer. 13/05": the short day of grouped e-mail lists. */
export function frWeekdayShort(day: string): string {
  return `${WEEKDAY_ABBR[isoWeekday(day)].toLowerCase()} ${frDayShort(day)}`
}

/** "janvier 2025" */
export function frMonth(month: string): string {
  return `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`
}

/** Whether `day` matches a week type: every week, or even/odd ISO weeks. */
export function matchesWeekType(day: string, weekType: 'all' | 'even' | 'odd'): boolean {
  if (weekType === 'all') return true
  const even = isoWeek(day) % 2 === 0
  return weekType === 'even' ? even : !even
}

