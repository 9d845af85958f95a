const WEEKDAYS = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi']
const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre']

/** "lundi 23 novembre 2026", "mardi 1er décembre 2026" from an ISO calendar day. */
export function longFrenchDate(isoDay: string): string {
  const [y, m, d] = isoDay.split('-').map(Number)
  const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]
  return `${weekday} ${d === 1 ? '1er' : d} ${MONTHS[m - 1]} ${y}`
}

/** Today in Europe/Paris as YYYY-MM-DD (only a fallback: the server's day is authoritative). */
export { parisToday } from '@shared/format'

/**
 * "12/04/1985" (also 12-04-1985, 12.04.1985, 1/4/1985, 12041985) → "1985-04-12"; null if it is not a real date.
 * A text field rather than <input type=date>: browsers show that one in their own language's format.
 */
export function parseFrenchDate(text: string): string | null {
  const m = /^\s*(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})\s*$/.exec(text) ?? /^\s*(\d{2})(\d{2})(\d{4})\s*$/.exec(text)
  if (!m) return null
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const dt = new Date(Date.UTC(y, mo - 1, d))
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}
