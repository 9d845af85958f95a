/**
 * Online card payment on the portal through a payment provider speaking the
 * Systempay form protocol (the real gateway, or the built-in simulator on
 * loopback). An order is created when the family clicks "Payer"; the
 * invoices are settled only when a verified IPN says the payment is
 * accepted. The browser return proves nothing and changes nothing.
 * Replayed notifications (retries, back-office replays) change nothing twice.
 */
import { randomBytes } from 'node:crypto'
import { formatEuro } from '@shared/billing/money'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { parisDay } from '../../core/clock'
import { DomainError } from '../../core/errors'
import { audit } from '../../audit/audit'
import { nextNumber } from '../../db/counter'
import { dbOf } from '../../bookings/sql'
import { familyRecipient } from '../../families/contact'
import { enqueueMail, mailContext } from '../../mail/outbox'
import { Family } from '../../families/entities'
import { Invoice, OnlinePayment } from '../entities'
import { billingTemplates } from '../mail'
import { activeKey, getBillingSettings, type BillingSettings } from '../settings'
import { invoiceRow } from '../invoices'
import { insertPayment, openInvoices } from './payments'
import { buildPaymentForm, readIpn, SYSTEMPAY_URL, transDate } from './systempay'

export const SIMULATOR_PREFIX = '/simulateur-paiement'
export const IPN_PATH = '/api/paiement/ipn'
export const RETURN_PATH = '/factures/paiement'

const SYSTEM_IPN: Actor = { kind: 'system', id: null, label: 'Paiement en ligne (notification)' }

function urls(core: Core, s: BillingSettings, orderId: string): { action: string; urlReturn: string; urlCheck: string } {
  const base = core.runtime.portalUrl.replace(/\/$/, '')
  if (s.provider === 'simulator') {
    // The simulator lives on the portal listener itself: the browser reaches it wherever it reaches the portal,
    // and its notification goes back over loopback.
    const loop = (core.runtime.portalUrls[0] ?? base).replace(/\/$/, '')
    return {
      action: s.gatewayUrl || `${SIMULATOR_PREFIX}/vads-payment/`,
      urlReturn: `${base}${RETURN_PATH}?commande=${orderId}`,
      urlCheck: `${loop}${IPN_PATH}`
    }
  }
  if (!base) throw new DomainError('not_configured', 'Le paiement en ligne n’est pas configuré (adresse publique du portail manquante). Réglez à l’accueil.', 503)
  return { action: s.gatewayUrl || SYSTEMPAY_URL, urlReturn: `${base}${RETURN_PATH}?commande=${orderId}`, urlCheck: `${base}${IPN_PATH}` }
}

export interface PaymentForm {
  orderId: string
  amountCents: number
  action: string
  fields: Record<string, string>
}

/** "Payer": an order for the selected invoices and the signed form the browser posts to the provider. */
export async function startOnlinePayment(core: Core, actor: Extract<Actor, { kind: 'family' }>, invoiceIds: number[]): Promise<PaymentForm> {
  if (invoiceIds.length === 0) throw new DomainError('invalid_input', 'Cochez au moins une facture à payer.', 400, { invoiceIds: 'vide' })
  return core.tx.run(async (m) => {
    const s = await getBillingSettings(m)
    if (!s.onlineEnabled) throw new DomainError('online_disabled', `Le paiement en ligne n’est pas proposé par la structure. ${s.payAt}`, 409)
    const key = activeKey(s)
    if (!key) throw new DomainError('not_configured', 'Le paiement en ligne n’est pas configuré. Réglez à l’accueil.', 503)
    let amount = 0
    for (const id of [...new Set(invoiceIds)]) {
      const r = invoiceRow(m, id)
      if (r.family_id !== actor.familyId) throw new DomainError('not_found', 'Élément introuvable.', 404)
      const due = r.status === 'cancelled' ? 0 : r.total_cents - r.paid
      if (due <= 0) throw new DomainError('conflict', `La facture ${r.number} n’a plus rien à payer.`, 409)
      if (r.collection === 'debit' && r.debit_status !== 'rejected') {
        throw new DomainError('conflict', `La facture ${r.number} est réglée par prélèvement automatique : rien à payer en ligne.`, 409)
      }
      amount += due
    }
    const now = core.clock.now()
    const day = transDate(now).slice(0, 8)
    const seq = await nextNumber(m, `systempay:${day}`)
    if (seq > 899_999) throw new DomainError('busy', 'Trop de paiements aujourd’hui ; réessayez demain.', 503)
    const transId = String(seq).padStart(6, '0')
    const orderId = `RB${day}${randomBytes(5).toString('hex').toUpperCase()}`
    const fam = await m.findOneByOrFail(Family, { id: actor.familyId })
    const order = await m.save(
      OnlinePayment,
      Object.assign(new OnlinePayment(), {
        familyId: actor.familyId,
        orderId,
        transId,
        transDate: transDate(now),
        amountCents: amount,
        invoiceIds: [...new Set(invoiceIds)],
        status: 'pending',
        providerStatus: '',
        notifications: 0,
        createdAt: now.toISOString(),
        settledAt: null
      })
    )
    const u = urls(core, s, orderId)
    const fields = buildPaymentForm({
      siteId: s.siteId,
      key,
      ctxMode: s.ctxMode,
      amountCents: amount,
      transId,
      at: now,
      orderId,
      urlReturn: u.urlReturn,
      urlCheck: u.urlCheck,
      email: actor.label.includes('@') ? actor.label : undefined,
      orderInfo: `Famille ${fam.number}`
    })
    await audit(m, actor, now, { action: 'online-payment-start', entity: 'online_payment', entityId: order.id, after: { orderId, amountCents: amount, invoiceIds } })
    return { orderId, amountCents: amount, action: u.action, fields }
  })
}

export interface IpnResult {
  status: number
  body: string
  /** Payments created by this notification (for receipts), empty on a replay. */
  paymentIds: number[]
  familyId: number | null
}

/** Handles one IPN. Idempotent: an order is settled once, whatever the number of notifications. */
export async function handleIpn(core: Core, fields: Record<string, string>): Promise<IpnResult> {
  const s = await core.tx.read((m) => getBillingSettings(m))
  const ipn = readIpn(fields, { siteId: s.siteId, key: activeKey(s) })
  if (!ipn) return { status: 400, body: 'KO : signature invalide', paymentIds: [], familyId: null }
  return core.tx.run(async (m) => {
    const order = await m.findOneBy(OnlinePayment, { orderId: ipn.orderId })
    if (!order) return { status: 404, body: 'KO : commande inconnue', paymentIds: [], familyId: null }
    const now = core.clock.now()
    await m.update(OnlinePayment, { id: order.id }, { notifications: order.notifications + 1 })
    if (ipn.amountCents !== order.amountCents || ipn.transId !== order.transId) {
      await audit(m, SYSTEM_IPN, now, { action: 'online-payment-mismatch', entity: 'online_payment', entityId: order.id, after: { ...ipn } })
      return { status: 400, body: 'KO : montant ou transaction différents de la commande', paymentIds: [], familyId: order.familyId }
    }
    if (order.status === 'paid') return { status: 200, body: 'OK (déjà traité)', paymentIds: [], familyId: order.familyId }
    if (ipn.outcome !== 'accepted') {
      if (ipn.outcome === 'failed') {
        await m.update(OnlinePayment, { id: order.id }, { status: 'failed', providerStatus: ipn.status })
        await audit(m, SYSTEM_IPN, now, { action: 'online-payment-failed', entity: 'online_payment', entityId: order.id, after: { status: ipn.status } })
      }
      return { status: 200, body: `OK (${ipn.status})`, paymentIds: [], familyId: order.familyId }
    }
    // Settle: one payment per régie of the selected invoices, each allocated to what is still due there.
    const db = dbOf(m)
    const invoices = await m.findByIds(Invoice, order.invoiceIds)
    const regies = [...new Set(invoices.map((i) => i.regieId))]
    let left = order.amountCents
    const paymentIds: number[] = []
    const today = parisDay(now)
    for (const [k, regieId] of regies.entries()) {
      const open = openInvoices(db, order.familyId, regieId).filter((o) => order.invoiceIds.includes(o.id))
      const dueHere = open.reduce((x, o) => x + o.due, 0)
      const amount = k === regies.length - 1 ? left : Math.min(left, dueHere)
      if (amount <= 0) continue
      let rest = amount
      const allocations = open.map((o) => {
        const a = Math.min(rest, o.due)
        rest -= a
        return { invoiceId: o.id, amountCents: a }
      }).filter((a) => a.amountCents > 0)
      const p = await insertPayment(m, core, SYSTEM_IPN, {
        familyId: order.familyId,
        regieId,
        mode: 'cb',
        amountCents: amount,
        receivedOn: today,
        chequeNumber: '',
        bank: '',
        payer: '',
        reference: `Paiement en ligne ${order.orderId} (transaction ${ipn.transId}${ipn.transUuid ? ` ${ipn.transUuid.slice(0, 12)}` : ''})`,
        allocations,
        onlinePaymentId: order.id
      })
      paymentIds.push(p.id)
      left -= amount
      const to = await familyRecipient(m, order.familyId)
      if (to) {
        const nums = invoices.filter((i) => allocations.some((a) => a.invoiceId === i.id)).map((i) => i.number)
        await enqueueMail(m, core, to, billingTemplates.paymentReceived(await mailContext(m, core.runtime.portalUrl), { number: p.number, amountCents: amount, mode: 'carte bancaire en ligne', date: today, invoices: nums }))
      }
    }
    await m.update(OnlinePayment, { id: order.id }, { status: 'paid', providerStatus: ipn.status, settledAt: now.toISOString() })
    await audit(m, SYSTEM_IPN, now, { action: 'online-payment-settle', entity: 'online_payment', entityId: order.id, after: { status: ipn.status, source: ipn.source, amount: formatEuro(order.amountCents), paymentIds } })
    return { status: 200, body: 'OK', paymentIds, familyId: order.familyId }
  })
}

/** What the return page shows: the order's state as the server knows it (from IPNs), never from the URL. */
export async function onlinePaymentStatus(core: Core, familyId: number, orderId: string) {
  const o = await core.tx.read((m) => m.findOneBy(OnlinePayment, { orderId }))
  if (!o || o.familyId !== familyId) throw new DomainError('not_found', 'Paiement introuvable.', 404)
  return { orderId: o.orderId, status: o.status, amountCents: o.amountCents, invoiceCount: o.invoiceIds.length }
}
