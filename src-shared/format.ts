import { TZDate } from '@date-fns/tz'
import { format } from 'date-fns'
import { PARIS } from './bookings/deadlines'
import { NBSP } from './billing/money'

/**
 * Dates, times and sizes as both UIs show them. Instants are always shown in
 * Europe/Paris, whatever the zone of the workstation or the phone (a desk PC
 * set to UTC showed every time an hour off); calendar days ("2026-03-05") are
 * shown as they are, never shifted.
 */

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/

function instant(value: string | null | undefined): Date | null {
  if (!value) return null
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? null : d
}

/** "2026-03-05" → "05/03/2026"; an instant → its day in Paris; '' for nothing. */
export function parisDate(value: string | null | undefined): string {
  if (!value) return ''
  if (DAY_ONLY.test(value)) return `${value.slice(8, 10)}/${value.slice(5, 7)}/${value.slice(0, 4)}`
  const d = instant(value)
  return d ? format(new TZDate(d, PARIS), 'dd/MM/yyyy') : ''
}

/** An instant → "05/03/2026 à 14:07" in Paris; '' for nothing. */
export function parisDateTime(value: string | null | undefined): string {
  const d = instant(value)
  return d ? format(new TZDate(d, PARIS), "dd/MM/yyyy 'à' HH:mm") : ''
}

/** An instant → "14:07" in Paris. */
export function parisTime(value: string | null | undefined): string {
  const d = instant(value)
  return d ? format(new TZDate(d, PARIS), 'HH:mm') : ''
}

const decimal = (n: number) => n.toLocaleString('fr-FR', { maximumFractionDigits: 1 }).replace(/\s/g, NBSP)

/**
 * A file size in French units (octet, kilo-octet, méga-octet, base 1024):
 * 45 → "45 o", 1 536 → "1,5 Ko", 3 355 443 → "3,2 Mo". One decimal below 10,
 * none above, so sizes line up in a list; a non-breaking space before the unit.
 */
export function formatFileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return ''
  const units = ['o', 'Ko', 'Mo', 'Go']
  let n = bytes
  let u = 0
  const rounded = () => (u === 0 ? n : n < 10 ? Math.round(n * 10) / 10 : Math.round(n))
  // 1 048 000 octets round to "1 024 Ko": move up while the rounded figure reaches the next unit.
  while (rounded() >= 1024 && u < units.length - 1) {
    n /= 1024
    u++
  }
  const shown = u === 0 ? String(n) : decimal(rounded())
  return `${shown}${NBSP}${units[u]}`
}

/** Today in Paris, "YYYY-MM-DD" (the server's day is authoritative; this is for defaults in forms). */
export function parisToday(now: Date = new Date()): string {
  return format(new TZDate(now, PARIS), 'yyyy-MM-dd')
}
