/**
 * Calendar-day helpers the server needs beyond src-shared/bookings/days.ts
 * (which both UIs share: addDays, isoWeekday, week and month arithmetic,
 * French labels). Days are civil ISO 'YYYY-MM-DD' dates (already Paris days),
 * so UTC arithmetic is exact: no DST hour can shift them.
 */

const DAY_MS = 86_400_000

function toUtc(day: string): number {
  const [y, m, d] = day.split('-').map(Number)
  return Date.UTC(y, m - 1, d)
}

function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

export function* eachDay(from: string, to: string): Generator<string> {
  for (let ms = toUtc(from), end = toUtc(to); ms <= end; ms += DAY_MS) yield fromUtc(ms)
}

export function daysBetween(from: string, to: string): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS)
}

export function isIsoDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false
  return fromUtc(toUtc(s)) === s
}

/**
 * Age in whole years on a day. A child born on 29 February turns one year
 * older on 1 March in common years (French civil practice counts the day after 28 February).
 */
export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number)
  const [y, m, d] = day.split('-').map(Number)
  let age = y - by
  if (m < bm || (m === bm && d < bd)) age--
  return age
}

