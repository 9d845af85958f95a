import { TZDate } from '@date-fns/tz'
import { format, isValid, parseISO } from 'date-fns'
import { fr } from 'date-fns/locale'

function parse(value: string | null | undefined): Date | null {
  if (!value) return null
  const d = parseISO(value)
  return isValid(d) ? d : null
}

// Days, instants (always in Europe/Paris, whatever the workstation's zone) and file sizes read the same in both UIs.
export { parisDate as formatDate, parisDateTime as formatDateTime, formatFileSize as formatBytes } from '@shared/format'

/** "jeudi 5 mars 2026" for headings. */
export function formatLongDate(d: Date): string {
  return format(new TZDate(d, 'Europe/Paris'), 'EEEE d MMMM yyyy', { locale: fr })
}

/** A calendar day picked in a date picker → "YYYY-MM-DD" (local parts, no UTC shift). */
export function toIsoDay(d: Date | null | undefined): string | null {
  return d && isValid(d) ? format(d, 'yyyy-MM-dd') : null
}

/** "YYYY-MM-DD" → a local Date at midnight for a date picker. */
export function fromIsoDay(s: string | null | undefined): Date | null {
  return parse(s)
}

export function formatFamilyNumber(n: number): string {
  return `N° ${n}`
}
