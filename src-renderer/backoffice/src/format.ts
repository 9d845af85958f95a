import { format, isValid, parseISO } from 'date-fns'
import { fr } from 'date-fns/locale'

function parse(value: string | null | undefined): Date | null {
  if (!value) return null
  const d = parseISO(value)
  return isValid(d) ? d : null
}

/** "2026-03-05" or an ISO timestamp → "05/03/2026"; empty for null. */
export function formatDate(value: string | null | undefined): string {
  const d = parse(value)
  return d ? format(d, 'dd/MM/yyyy', { locale: fr }) : ''
}

/** ISO timestamp → "05/03/2026 à 14:07" in the workstation's time zone (Europe/Paris at the desk). */
export function formatDateTime(value: string | null | undefined): string {
  const d = parse(value)
  return d ? format(d, "dd/MM/yyyy 'à' HH:mm", { locale: fr }) : ''
}

/** "jeudi 5 mars 2026" for headings. */
export function formatLongDate(d: Date): string {
  return format(d, 'EEEE d MMMM yyyy', { locale: fr })
}

/** A calendar day picked in a date picker → "YYYY-MM-DD" (local parts, no UTC shift). */
export function toIsoDay(d: Date | null | undefined): string | null {
  return d && isValid(d) ? format(d, 'yyyy-MM-dd') : null
}

/** "YYYY-MM-DD" → a local Date at midnight for a date picker. */
export function fromIsoDay(s: string | null | undefined): Date | null {
  return parse(s)
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} o`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} Ko`
  return `${(n / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`
}

export function formatFamilyNumber(n: number): string {
  return `N° ${n}`
}
