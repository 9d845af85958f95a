import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { storeFamilyPdf } from '../documents/family-docs'
import { renderReceipt } from '../documents/render'
import { Payment } from '../entities'

const SYSTEM_RECEIPT: Actor = { kind: 'system', id: null, label: 'Reçus de paiement' }

/** Puts the receipt of a payment in the family's documents ("Factures et documents" on the portal). */
export async function storeReceiptDocument(core: Core, paymentId: number, actor: Actor = SYSTEM_RECEIPT): Promise<number> {
  const p = await core.tx.read((m) => m.findOneByOrFail(Payment, { id: paymentId }))
  const f = await renderReceipt(core, paymentId)
  return storeFamilyPdf(core, actor, { familyId: p.familyId, docType: 'recu', title: `Reçu ${p.number}`, fileName: f.filename, pdf: f.data })
}
