/** Online orders paid through PayFiP (DGFiP): see issue #13 §3. */
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { DomainError } from '../../core/errors'
import type { OnlinePayment } from '../entities'
import type { InvoiceRow } from '../invoices'
import type { BillingSettings } from '../settings'
import type { PaymentRedirect } from './online'

export async function startPayfip(_core: Core, _actor: Extract<Actor, { kind: 'family' }>, _s: BillingSettings, _order: OnlinePayment, _row: InvoiceRow, _reused: boolean): Promise<PaymentRedirect> {
  throw new DomainError('not_configured', 'PayFiP n’est pas encore disponible.', 503)
}

export async function verifyPayfip(_core: Core, _idOp: string): Promise<void> {}
