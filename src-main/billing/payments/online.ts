/**
 * Online payment on the portal: an order is created when the family clicks
 * « Payer »; the invoices are settled only by a verified notification from
 * the provider (a signed Systempay IPN, or PayFiP's answer to our own
 * server-to-server query). The browser return proves nothing.
 *
 * One payment per debt:
 * - an invoice is in at most one open order (partial unique index on
 *   online_payment_invoice): a second « Payer » on the same selection soon
 *   after reuses the first order (a double click is one payment at the
 *   provider), any other overlapping selection withdraws the first order;
 * - a verified payment pays only the invoices its order named; money beyond
 *   what they still owe (they were paid meanwhile, by a withdrawn order, at
 *   the desk…) stays on the family's account as credit, marked for the
 *   accountant, and is never spread over other invoices;
 * - replayed notifications change nothing twice.
 */
import { randomBytes } from 'node:crypto'
import type { EntityManager } from 'typeorm'
import { formatEuro } from '@shared/billing/money'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { parisDay } from '../../core/clock'
import { DomainError } from '../../core/errors'
import { audit } from '../../audit/audit'
import { dbOf, stmt } from '../../bookings/sql'
import { familyRecipient } from '../../families/contact'
import { enqueueMail, mailContext } from '../../mail/outbox'
import { Invoice, OnlinePayment, OnlinePaymentInvoice, type PaymentMode } from '../entities'
import { billingTemplates } from '../mail'
import { getBillingSettings, onlineOffer, type BillingSettings, type OnlineOffer } from '../settings'
import { invoiceRow, type InvoiceRow } from '../invoices'
import { insertPayment, openInvoices } from './payments'
import { factsOfRow, onlineRefusal } from './payability'
import { systempayRedirect } from './systempay-orders'

export const IPN_PATH = '/api/paiement/ipn'
/** PayFiP calls this with the operation id only; we then ask PayFiP what happened. */
export const PAYFIP_NOTIFY_PATH = '/api/paiement/payfip'
export const RETURN_PATH = '/factures/paiement'
/** A second « Payer » on the same selection within this delay resumes the same order instead of opening a new one. */
export const REUSE_WINDOW_MS = 10 * 60_000

export const SYSTEM_NOTIFICATION: Actor = { kind: 'system', id: null, label: 'Paiement en ligne (notification)' }

export interface PaymentRedirect {
  orderId: string
  amountCents: number
  /** How the browser goes to the payment page: a signed form POST (Systempay) or a GET with the operation id (PayFiP). */
  method: 'post' | 'get'
  action: string
  fields: Record<string, string>
  /** True when the click resumed an order already open for the same invoices. */
  reused: boolean
}

/** Return URL on the portal for an order (proves nothing; the page asks the server). */
export function returnUrl(core: Core, orderId: string): string {
  const base = core.runtime.portalUrl.replace(/\/$/, '')
  if (!base) throw new DomainError('not_configured', 'Le paiement en ligne n’est pas configuré (adresse publique du portail manquante). Réglez à l’accueil.', 503)
  return `${base}${RETURN_PATH}?commande=${orderId}`
}

/** Where a loopback simulator sends its notification: the portal listener itself, over loopback. */
export function loopbackPortal(core: Core): string {
  return (core.runtime.portalUrls[0] ?? core.runtime.portalUrl).replace(/\/$/, '')
}

export async function currentOffer(core: Core, m: EntityManager): Promise<{ s: BillingSettings; offer: OnlineOffer }> {
  const s = await getBillingSettings(m)
  return { s, offer: onlineOffer(s, core.options.runMode) }
}

const sameSet = (a: number[], b: number[]) => a.length === b.length && [...a].sort((x, y) => x - y).every((v, i) => v === [...b].sort((x, y) => x - y)[i])

/** Closes the order's invoice links: it can no longer be resumed, and the invoices are free for another order. */
export async function closeOrderLinks(m: EntityManager, orderId: number): Promise<void> {
  await m.update(OnlinePaymentInvoice, { onlinePaymentId: orderId, open: true }, { open: false })
}

/**
 * Checks the selection and reserves it: the open orders on these invoices
 * are resumed (same selection, same provider, recent) or withdrawn. Returns
 * the order to send the browser to, new or resumed. Call inside core.tx.run.
 */
export async function reserveOrder(
  m: EntityManager,
  core: Core,
  actor: Extract<Actor, { kind: 'family' }>,
  invoiceIds: number[],
  offer: OnlineOffer
): Promise<{ order: OnlinePayment; rows: InvoiceRow[]; reused: boolean }> {
  const ids = [...new Set(invoiceIds)]
  if (offer.provider === 'payfip' && ids.length > 1) {
    throw new DomainError('invalid_input', 'PayFiP règle un titre à la fois : payez vos factures une par une.', 400, { invoiceIds: 'une seule facture' })
  }
  const rows: InvoiceRow[] = []
  let amount = 0
  for (const id of ids) {
    const r = invoiceRow(m, id)
    if (r.family_id !== actor.familyId) throw new DomainError('not_found', 'Élément introuvable.', 404)
    const due = r.status === 'cancelled' ? 0 : r.total_cents - r.paid
    if (due <= 0) throw new DomainError('conflict', `La facture ${r.number} n’a plus rien à payer.`, 409)
    const refusal = onlineRefusal(factsOfRow(r), offer.provider)
    if (refusal) throw new DomainError('conflict', refusal, 409)
    rows.push(r)
    amount += due
  }
  const db = dbOf(m)
  const now = core.clock.now()
  const open = stmt(db, `SELECT DISTINCT online_payment_id AS id FROM online_payment_invoice WHERE open = 1 AND invoice_id IN (SELECT value FROM json_each(?))`).all(
    JSON.stringify(ids)
  ) as { id: number }[]
  for (const { id } of open) {
    const o = await m.findOneByOrFail(OnlinePayment, { id })
    const resumable =
      o.status === 'pending' &&
      !o.cancelledAt &&
      o.familyId === actor.familyId &&
      sameSet(o.invoiceIds, ids) &&
      o.amountCents === amount &&
      o.provider === offer.provider &&
      o.simulated === offer.simulated &&
      (o.provider === 'systempay' || o.providerRef !== '') &&
      now.getTime() - Date.parse(o.createdAt) < REUSE_WINDOW_MS &&
      (o.provider !== 'systempay' || o.transDate.slice(0, 8) === now.toISOString().replace(/-/g, '').slice(0, 8))
    if (resumable) {
      await audit(m, actor, now, { action: 'online-payment-resume', entity: 'online_payment', entityId: o.id, after: { orderId: o.orderId, invoiceIds: ids } })
      return { order: o, rows, reused: true }
    }
  }
  const orderId = `RB${parisDay(now).replace(/-/g, '')}${randomBytes(5).toString('hex').toUpperCase()}`
  const order = await m.save(
    OnlinePayment,
    Object.assign(new OnlinePayment(), {
      familyId: actor.familyId,
      orderId,
      transId: '',
      transDate: '',
      amountCents: amount,
      invoiceIds: ids,
      status: 'pending',
      providerStatus: '',
      notifications: 0,
      createdAt: now.toISOString(),
      settledAt: null,
      provider: offer.provider,
      simulated: offer.simulated,
      providerRef: '',
      cancelledAt: null,
      replacedBy: null
    })
  )
  for (const { id } of open) {
    // Withdrawn, not forgotten: if the family still pays it, the money is taken and checked (see settleOrder).
    await m.update(OnlinePayment, { id }, { cancelledAt: now.toISOString(), replacedBy: order.id })
    await closeOrderLinks(m, id)
    await audit(m, actor, now, { action: 'online-payment-withdraw', entity: 'online_payment', entityId: id, after: { replacedBy: orderId } })
  }
  for (const invoiceId of ids) await m.insert(OnlinePaymentInvoice, { onlinePaymentId: order.id, invoiceId, open: true })
  await audit(m, actor, now, { action: 'online-payment-start', entity: 'online_payment', entityId: order.id, after: { orderId, amountCents: amount, invoiceIds: ids, provider: offer.provider, simulated: offer.simulated } })
  return { order, rows, reused: false }
}

/** « Payer »: an order for the selected invoices and how the browser reaches the provider's payment page. */
export async function startOnlinePayment(core: Core, actor: Extract<Actor, { kind: 'family' }>, invoiceIds: number[]): Promise<PaymentRedirect> {
  if (invoiceIds.length === 0) throw new DomainError('invalid_input', 'Cochez au moins une facture à payer.', 400, { invoiceIds: 'vide' })
  const { startPayfip } = await import('./payfip-orders')
  const first = await core.tx.run(async (m) => {
    const { s, offer } = await currentOffer(core, m)
    if (!offer.available) throw new DomainError('online_disabled', `Le paiement en ligne n’est pas proposé par la structure. ${s.payAt}`, 409)
    const r = await reserveOrder(m, core, actor, invoiceIds, offer)
    if (offer.provider === 'systempay') return { done: await systempayRedirect(m, core, s, actor, r.order, r.reused) }
    return { payfip: { s, order: r.order, rows: r.rows, reused: r.reused } }
  })
  if (first.done) return first.done
  const p = first.payfip!
  return startPayfip(core, actor, p.s, p.order, p.rows[0], p.reused)
}

export interface SettleInput {
  amountCents: number
  mode: PaymentMode
  reference: string
  /** Provider's status text, kept on the order. */
  providerStatus: string
  modeLabel: string
}

export interface SettleResult {
  paymentIds: number[]
  surplusCents: number
}

/**
 * Settles a verified payment of an order, in the caller's transaction:
 * each chosen invoice gets at most what it still owes; the rest stays as the
 * family's credit, marked 'to-check' for the accountant. One payment per
 * régie of the chosen invoices.
 */
export async function settleOrder(m: EntityManager, core: Core, order: OnlinePayment, paid: SettleInput): Promise<SettleResult> {
  const db = dbOf(m)
  const now = core.clock.now()
  const today = parisDay(now)
  const invoices = (await m.findByIds(Invoice, order.invoiceIds)).sort((a, b) => order.invoiceIds.indexOf(a.id) - order.invoiceIds.indexOf(b.id))
  const regies = [...new Set(invoices.map((i) => i.regieId))]
  let left = paid.amountCents
  const plan = regies.map((regieId) => {
    const allocations: { invoiceId: number; amountCents: number }[] = []
    for (const o of openInvoices(db, order.familyId, regieId).filter((x) => order.invoiceIds.includes(x.id))) {
      const a = Math.min(left, o.due)
      if (a > 0) allocations.push({ invoiceId: o.id, amountCents: a })
      left -= a
    }
    return { regieId, allocations, amount: allocations.reduce((s, a) => s + a.amountCents, 0), surplus: 0 }
  })
  const surplus = left
  // The surplus is credit in the régie of the first chosen invoice: it is the family's money, never another invoice's.
  if (surplus > 0) plan[0].surplus = surplus
  const paymentIds: number[] = []
  const to = await familyRecipient(m, order.familyId)
  for (const p of plan) {
    const amount = p.amount + p.surplus
    if (amount <= 0) continue
    const payment = await insertPayment(m, core, SYSTEM_NOTIFICATION, {
      familyId: order.familyId,
      regieId: p.regieId,
      mode: paid.mode,
      amountCents: amount,
      receivedOn: today,
      chequeNumber: '',
      bank: '',
      payer: '',
      reference: paid.reference,
      allocations: p.allocations,
      autoAllocate: false,
      review: p.surplus > 0 ? 'to-check' : '',
      onlinePaymentId: order.id
    })
    paymentIds.push(payment.id)
    if (to) {
      const nums = invoices.filter((i) => p.allocations.some((a) => a.invoiceId === i.id)).map((i) => i.number)
      await enqueueMail(
        m,
        core,
        to,
        billingTemplates.paymentReceived(await mailContext(m, core.runtime.portalUrl), { number: payment.number, amountCents: amount, mode: paid.modeLabel, date: today, invoices: nums, creditCents: p.surplus })
      )
    }
  }
  await closeOrderLinks(m, order.id)
  await m.update(OnlinePayment, { id: order.id }, { status: 'paid', providerStatus: paid.providerStatus, settledAt: now.toISOString() })
  await audit(m, SYSTEM_NOTIFICATION, now, {
    action: 'online-payment-settle',
    entity: 'online_payment',
    entityId: order.id,
    after: { status: paid.providerStatus, amount: formatEuro(paid.amountCents), paymentIds, withdrawn: Boolean(order.cancelledAt) }
  })
  if (surplus > 0) {
    await audit(m, SYSTEM_NOTIFICATION, now, {
      action: 'online-payment-overpaid',
      entity: 'online_payment',
      entityId: order.id,
      after: { orderId: order.orderId, surplusCents: surplus, invoiceIds: order.invoiceIds, note: 'Paiement reçu pour des factures déjà réglées : conservé en avoir, à vérifier.' }
    })
  }
  return { paymentIds, surplusCents: surplus }
}

/** A verified refusal or abandon: the order is over and its invoices are free again. */
export async function failOrder(m: EntityManager, core: Core, order: OnlinePayment, providerStatus: string): Promise<void> {
  if (order.status !== 'pending') return
  await m.update(OnlinePayment, { id: order.id }, { status: 'failed', providerStatus })
  await closeOrderLinks(m, order.id)
  await audit(m, SYSTEM_NOTIFICATION, core.clock.now(), { action: 'online-payment-failed', entity: 'online_payment', entityId: order.id, after: { status: providerStatus } })
}

export type OrderState = 'pending' | 'paid' | 'failed' | 'cancelled'

export function orderState(o: Pick<OnlinePayment, 'status' | 'cancelledAt'>): OrderState {
  return o.status === 'pending' && o.cancelledAt ? 'cancelled' : o.status
}

/** What the return page shows: the order's state as the server knows it (from verified notifications), never from the URL. */
export async function onlinePaymentStatus(core: Core, familyId: number, orderId: string) {
  let o = await core.tx.read((m) => m.findOneBy(OnlinePayment, { orderId }))
  if (!o || o.familyId !== familyId) throw new DomainError('not_found', 'Paiement introuvable.', 404)
  if (o.provider === 'payfip' && o.status === 'pending' && o.providerRef) {
    // PayFiP may not have called us yet: ask it ourselves (server to server), as its notification would make us do.
    const { verifyPayfip } = await import('./payfip-orders')
    await verifyPayfip(core, o.providerRef).catch((e) => core.options.log(`PayFiP ${o!.orderId} : ${(e as Error).message}`))
    o = await core.tx.read((m) => m.findOneByOrFail(OnlinePayment, { id: o!.id }))
  }
  return { orderId: o.orderId, status: orderState(o), amountCents: o.amountCents, invoiceCount: o.invoiceIds.length }
}
