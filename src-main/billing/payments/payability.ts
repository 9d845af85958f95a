/**
 * Whether an invoice can be paid online, and with which provider. One place,
 * read by « Payer » (which refuses) and by the portal (which shows the reason
 * instead of a checkbox).
 */
import type Database from 'better-sqlite3'
import type { PaymentProvider } from '../settings'

export interface PayabilityRow {
  number: string
  collection: 'direct' | 'debit'
  debit_status: 'prelevee' | 'rejected' | null
}

/** Null when the invoice may be paid online with `provider`, else the French reason. */
export function onlineRefusal(_db: Database.Database, r: PayabilityRow & { id: number }, _provider: PaymentProvider): string | null {
  if (r.collection === 'debit' && r.debit_status !== 'rejected') return `La facture ${r.number} est réglée par prélèvement automatique : rien à payer en ligne.`
  return null
}
