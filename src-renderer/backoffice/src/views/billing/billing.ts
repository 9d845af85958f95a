import type { FileOutDto } from '@shared/contract/billing-shapes'
import { INVOICE_STATE_LABELS, PAYMENT_MODE_LABELS } from '@shared/contract/billing-shapes'
import { formatEuro, parseEuro } from '@shared/billing/money'
import { saveBase64 } from '../../api'

export { formatEuro, parseEuro, INVOICE_STATE_LABELS, PAYMENT_MODE_LABELS }

/** Hands a file the API returned (base64) to the user: native "save as" in Electron, a download in the browser. */
export function saveFileOut(f: FileOutDto): Promise<boolean> {
  return saveBase64(f.filename, f.base64, f.mime)
}

type Severity = 'success' | 'info' | 'warn' | 'danger' | 'secondary'
const STATE: Record<string, Severity> = { open: 'warn', partial: 'info', paid: 'success', cancelled: 'secondary', 'debit-pending': 'info', prelevee: 'success', rejected: 'danger', credit: 'info' }
export const invoiceStateSeverity = (s: string): Severity => STATE[s] ?? 'secondary'

/** "2026-03" of a Date (local). */
export function monthOf(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}
export function previousMonth(): string {
  const d = new Date()
  d.setDate(1)
  d.setMonth(d.getMonth() - 1)
  return monthOf(d)
}
const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre']
export function monthLabel(m: string): string {
  const [y, mo] = m.split('-').map(Number)
  return `${MONTHS[mo - 1]} ${y}`
}
/** The last 18 months, newest first, for month pickers. */
export function recentMonths(): { value: string; label: string }[] {
  const out: { value: string; label: string }[] = []
  const d = new Date()
  d.setDate(1)
  d.setMonth(d.getMonth() + 1)
  for (let i = 0; i < 18; i++) {
    out.push({ value: monthOf(d), label: monthLabel(monthOf(d)) })
    d.setMonth(d.getMonth() - 1)
  }
  return out
}
export function currentSchoolYear(): string {
  const d = new Date()
  const y = d.getMonth() >= 8 ? d.getFullYear() : d.getFullYear() - 1
  return `${y}-${y + 1}`
}
export const MODE_OPTIONS = Object.entries(PAYMENT_MODE_LABELS).map(([value, label]) => ({ value, label }))
