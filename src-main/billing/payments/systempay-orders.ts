/**
 * Online orders paid through Systempay (the real gateway, or its simulator on
 * loopback in a demo or the test mode): the signed form the browser posts,
 * and the IPN that settles the order once its signature is verified.
 */
import type { EntityManager } from 'typeorm'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { DomainError } from '../../core/errors'
import { audit } from '../../audit/audit'
import { nextNumber } from '../../db/counter'
import { Family } from '../../families/entities'
import { OnlinePayment } from '../entities'
import { activeKey, getBillingSettings, type BillingSettings } from '../settings'
import { failOrder, IPN_PATH, loopbackPortal, returnUrl, settleOrder, SYSTEM_NOTIFICATION, type PaymentRedirect } from './online'
import { buildPaymentForm, readIpn, SYSTEMPAY_URL, transDate } from './systempay'

export const SIMULATOR_PREFIX = '/simulateur-paiement'

/** Parses a stored vads_trans_date (UTC YYYYMMDDHHMMSS) back to the instant it was signed with. */
function fromTransDate(t: string): Date {
  return new Date(`${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}Z`)
}

/** The signed form of an order; a new order gets its trans_id (6 digits, unique per shop and day) here. */
export async function systempayRedirect(m: EntityManager, core: Core, s: BillingSettings, actor: Extract<Actor, { kind: 'family' }>, order: OnlinePayment, reused: boolean): Promise<PaymentRedirect> {
  const key = activeKey(s)
  if (!key) throw new DomainError('not_configured', 'Le paiement en ligne n’est pas configuré. Réglez à l’accueil.', 503)
  if (!reused) {
    const now = core.clock.now()
    const day = transDate(now).slice(0, 8)
    const seq = await nextNumber(m, `systempay:${day}`)
    if (seq > 899_999) throw new DomainError('busy', 'Trop de paiements aujourd’hui ; réessayez demain.', 503)
    order.transId = String(seq).padStart(6, '0')
    order.transDate = transDate(now)
    await m.update(OnlinePayment, { id: order.id }, { transId: order.transId, transDate: order.transDate })
  }
  const fam = await m.findOneByOrFail(Family, { id: order.familyId })
  // The simulator lives on the portal listener itself: the browser reaches it wherever it reaches the portal,
  // and its notification comes back over loopback.
  const action = order.simulated ? `${SIMULATOR_PREFIX}/vads-payment/` : s.gatewayUrl || SYSTEMPAY_URL
  const urlCheck = order.simulated ? `${loopbackPortal(core)}${IPN_PATH}` : `${core.runtime.portalUrl.replace(/\/$/, '')}${IPN_PATH}`
  const fields = buildPaymentForm({
    siteId: s.siteId,
    key,
    ctxMode: s.ctxMode,
    amountCents: order.amountCents,
    transId: order.transId,
    at: fromTransDate(order.transDate),
    orderId: order.orderId,
    urlReturn: returnUrl(core, order.orderId),
    urlCheck,
    // The paying adult's own login (the label names them: « DUPONT Marie (marie@…) »).
    email: actor.login?.includes('@') ? actor.login : undefined,
    orderInfo: `Famille ${fam.number}`
  })
  return { orderId: order.orderId, amountCents: order.amountCents, method: 'post', action, fields, reused }
}

export interface IpnResult {
  status: number
  body: string
  /** Payments created by this notification (for receipts), empty on a replay. */
  paymentIds: number[]
  familyId: number | null
}

/**
 * Handles one Systempay IPN. Verified from the fields received; idempotent:
 * an order is settled once, whatever the number of notifications. A payment
 * for an order withdrawn by a newer « Payer » is still taken (the money was).
 */
export async function handleIpn(core: Core, fields: Record<string, string>): Promise<IpnResult> {
  const s = await core.tx.read((m) => getBillingSettings(m))
  const ipn = readIpn(fields, { siteId: s.siteId, key: activeKey(s) })
  if (!ipn) return { status: 400, body: 'KO : signature invalide', paymentIds: [], familyId: null }
  return core.tx.run(async (m) => {
    const order = await m.findOneBy(OnlinePayment, { orderId: ipn.orderId })
    if (!order || order.provider !== 'systempay') return { status: 404, body: 'KO : commande inconnue', paymentIds: [], familyId: null }
    if (order.simulated !== s.simulated || (order.simulated && core.options.runMode === 'production')) {
      // A simulator's notification is never money in a normal install (and a real one never settles a simulated order).
      await audit(m, SYSTEM_NOTIFICATION, core.clock.now(), { action: 'online-payment-mismatch', entity: 'online_payment', entityId: order.id, after: { reason: 'simulateur', ...ipn } })
      return { status: 400, body: 'KO : prestataire différent de celui de la commande', paymentIds: [], familyId: order.familyId }
    }
    const now = core.clock.now()
    await m.update(OnlinePayment, { id: order.id }, { notifications: order.notifications + 1 })
    if (ipn.amountCents !== order.amountCents || ipn.transId !== order.transId) {
      await audit(m, SYSTEM_NOTIFICATION, now, { action: 'online-payment-mismatch', entity: 'online_payment', entityId: order.id, after: { ...ipn } })
      return { status: 400, body: 'KO : montant ou transaction différents de la commande', paymentIds: [], familyId: order.familyId }
    }
    if (order.status === 'paid') return { status: 200, body: 'OK (déjà traité)', paymentIds: [], familyId: order.familyId }
    if (ipn.outcome !== 'accepted') {
      if (ipn.outcome === 'failed') await failOrder(m, core, order, ipn.status)
      return { status: 200, body: `OK (${ipn.status})`, paymentIds: [], familyId: order.familyId }
    }
    const r = await settleOrder(m, core, order, {
      amountCents: ipn.amountCents,
      mode: 'cb',
      modeLabel: 'carte bancaire en ligne',
      providerStatus: ipn.status,
      reference: `Paiement en ligne ${order.orderId} (transaction ${ipn.transId}${ipn.transUuid ? ` ${ipn.transUuid.slice(0, 12)}` : ''})`
    })
    return { status: 200, body: r.surplusCents > 0 ? 'OK (factures déjà réglées : avoir à vérifier)' : 'OK', paymentIds: r.paymentIds, familyId: order.familyId }
  })
}
