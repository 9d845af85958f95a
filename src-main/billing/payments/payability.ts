/**
 * Where and how an invoice can be paid, in one place: « Payer » refuses with
 * these reasons, and the portal shows them instead of a checkbox.
 * - On direct debit (not rejected): nothing to pay online.
 * - A titre sent to the Trésor public (PES V2): payable to the Trésor only,
 *   online through PayFiP; never through the régie's Systempay.
 * - PayFiP pays titres only: an invoice not yet sent to the Trésor waits.
 */
import type { InvoiceSummaryDto } from '@shared/contract/billing-shapes'
import type { InvoiceRow } from '../invoices'
import type { PaymentProvider } from '../settings'

export interface PayabilityFacts {
  number: string
  /** On direct debit, and the debit was not rejected. */
  onDebit: boolean
  /** A titre of a PES V2 bordereau sent to the Trésor. */
  titreSent: boolean
}

export const factsOfRow = (r: InvoiceRow): PayabilityFacts => ({
  number: r.number,
  onDebit: r.collection === 'debit' && r.debit_status !== 'rejected',
  titreSent: r.pes !== null && r.pes.endsWith('|sent')
})

export const factsOfSummary = (s: InvoiceSummaryDto): PayabilityFacts => ({
  number: s.number,
  onDebit: s.collection === 'debit' && s.state !== 'rejected',
  titreSent: Boolean(s.titre?.sent)
})

/** Null when the invoice may be paid online with `provider`, else the French reason. */
export function onlineRefusal(f: PayabilityFacts, provider: PaymentProvider): string | null {
  if (f.onDebit) return `La facture ${f.number} est réglée par prélèvement automatique : rien à payer en ligne.`
  if (f.titreSent) return provider === 'payfip' ? null : `Titre émis : la facture ${f.number} est payable auprès du Trésor public, plus à la régie.`
  if (provider === 'payfip') return `La facture ${f.number} n’est pas encore transmise au Trésor public : elle pourra être payée avec PayFiP une fois le titre émis.`
  return null
}

/** What the portal says under an invoice to pay, when « Payer » cannot take it. */
export function payNote(f: PayabilityFacts, provider: PaymentProvider, online: boolean): string | null {
  if (f.titreSent) {
    if (f.onDebit) return 'Titre émis : prélevé par le Trésor public.'
    return online && provider === 'payfip' ? 'Titre émis : payable auprès du Trésor public ou en ligne avec PayFiP.' : 'Titre émis : payable auprès du Trésor public / PayFiP.'
  }
  if (online && provider === 'payfip' && !f.onDebit) return 'Payable en ligne avec PayFiP une fois le titre émis par le Trésor public.'
  return null
}
