/**
 * Online orders paid through PayFiP (the DGFiP's service, or its simulator
 * on loopback in a demo or the test mode). PayFiP pays one titre, for the
 * amount taken in charge by the Trésor: the order is for one invoice that
 * went to the Trésor in a PES V2 bordereau, with the titre's exercice and
 * debt reference. The web service is called outside the database
 * transaction; a failure withdraws the order.
 */
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { DomainError } from '../../core/errors'
import { audit } from '../../audit/audit'
import { dbOf, stmt } from '../../bookings/sql'
import { familyRecipient } from '../../families/contact'
import { OnlinePayment } from '../entities'
import type { InvoiceRow } from '../invoices'
import { getBillingSettings, type BillingSettings } from '../settings'
import { closeOrderLinks, failOrder, loopbackPortal, PAYFIP_NOTIFY_PATH, returnUrl, settleOrder, SYSTEM_NOTIFICATION, type PaymentRedirect } from './online'
import { creerPaiementSecurise, PAYFIP_PAYMENT_URL, PAYFIP_SERVICE_URL, payfipObjet, payfipOutcome, PayfipError, recupererDetailPaiementSecurise } from './payfip'

export const PAYFIP_SIMULATOR_PREFIX = '/simulateur-payfip'

/** The web service and the payment page: the DGFiP's (or the operator's override), or the simulator on the portal. */
export function payfipEndpoints(core: Core, s: BillingSettings, simulated: boolean): { serviceUrl: string; paymentUrl: string; notifyUrl: string } {
  if (simulated) {
    const loop = loopbackPortal(core)
    return { serviceUrl: `${loop}${PAYFIP_SIMULATOR_PREFIX}/services/securite`, paymentUrl: `${PAYFIP_SIMULATOR_PREFIX}/tpa/paiementws.web`, notifyUrl: `${loop}${PAYFIP_NOTIFY_PATH}` }
  }
  return {
    serviceUrl: s.payfipServiceUrl || PAYFIP_SERVICE_URL,
    paymentUrl: s.payfipPaymentUrl || PAYFIP_PAYMENT_URL,
    notifyUrl: `${core.runtime.portalUrl.replace(/\/$/, '')}${PAYFIP_NOTIFY_PATH}`
  }
}

interface TitreRef {
  exer: number
  num_dette: string
  amount_cents: number
}

const redirect = (order: OnlinePayment, paymentUrl: string, reused: boolean): PaymentRedirect => ({
  orderId: order.orderId,
  amountCents: order.amountCents,
  method: 'get',
  action: paymentUrl,
  fields: { idop: order.providerRef },
  reused
})

/** After the order is reserved: asks PayFiP for an operation id and sends the browser to its payment page. */
export async function startPayfip(core: Core, actor: Extract<Actor, { kind: 'family' }>, s: BillingSettings, order: OnlinePayment, row: InvoiceRow, reused: boolean): Promise<PaymentRedirect> {
  const ends = payfipEndpoints(core, s, order.simulated)
  if (reused && order.providerRef) return redirect(order, ends.paymentUrl, true)
  const withdraw = async (message: string, status = 409): Promise<never> => {
    await core.tx.run(async (m) => {
      await m.update(OnlinePayment, { id: order.id }, { cancelledAt: core.clock.now().toISOString() })
      await closeOrderLinks(m, order.id)
      await audit(m, SYSTEM_NOTIFICATION, core.clock.now(), { action: 'online-payment-failed', entity: 'online_payment', entityId: order.id, after: { reason: message } })
    })
    throw new DomainError('payfip', message, status)
  }
  const { titre, mel } = await core.tx.read(async (m) => ({
    titre: stmt(
      dbOf(m),
      `SELECT t.exer, t.num_dette, t.amount_cents FROM pes_titre t JOIN pes_bordereau b ON b.id = t.bordereau_id
        WHERE t.invoice_id = ? AND t.credit_note_id IS NULL AND b.status = 'sent'`
    ).get(row.id) as TitreRef | undefined,
    mel: (await familyRecipient(m, order.familyId)) ?? (actor.login?.includes('@') ? actor.login : '')
  }))
  if (!titre) return withdraw(`La facture ${row.number} n’est pas encore transmise au Trésor public.`)
  // No partial payment with PayFiP: the titre is paid for the amount the Trésor took in charge.
  if (titre.amount_cents !== order.amountCents) return withdraw(`Le titre de la facture ${row.number} ne correspond plus au reste à payer : réglez-le auprès du Trésor public.`)
  let idOp: string
  try {
    idOp = await creerPaiementSecurise(ends.serviceUrl, {
      numcli: s.payfipNumcli,
      exer: String(titre.exer),
      refdet: titre.num_dette,
      objet: payfipObjet(`Facture ${row.number} ${row.regie_name}`),
      montant: order.amountCents,
      mel,
      saisie: s.payfipSaisie,
      urlnotif: ends.notifyUrl,
      urlredirect: returnUrl(core, order.orderId)
    })
  } catch (e) {
    core.options.log(`PayFiP, commande ${order.orderId} : ${(e as Error).message}`)
    return withdraw(
      e instanceof PayfipError && e.code === 'input'
        ? `Cette facture ne peut pas être payée avec PayFiP (${e.message}). Réglez-la auprès du Trésor public.`
        : 'PayFiP ne répond pas pour le moment : réessayez dans quelques minutes, ou réglez auprès du Trésor public.',
      502
    )
  }
  await core.tx.run(async (m) => {
    await m.update(OnlinePayment, { id: order.id }, { providerRef: idOp })
    await audit(m, actor, core.clock.now(), { action: 'online-payment-provider', entity: 'online_payment', entityId: order.id, after: { provider: 'payfip', idOp } })
  })
  order.providerRef = idOp
  return redirect(order, ends.paymentUrl, false)
}

export interface NotifyResult {
  status: number
  body: string
  paymentIds: number[]
}

/**
 * PayFiP's notification, or our own check of a pending operation: asks
 * PayFiP what happened to `idOp`, checks the answer against the order, then
 * settles or fails it. Idempotent.
 */
export async function verifyPayfip(core: Core, idOp: string): Promise<NotifyResult> {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(idOp)) return { status: 400, body: 'KO : idop invalide', paymentIds: [] }
  const known = await core.tx.read(async (m) => ({ order: await m.findOneBy(OnlinePayment, { provider: 'payfip', providerRef: idOp }), s: await getBillingSettings(m) }))
  const order = known.order
  if (!order) return { status: 404, body: 'KO : opération inconnue', paymentIds: [] }
  if (order.status === 'paid') return { status: 200, body: 'OK (déjà traité)', paymentIds: [] }
  if (order.simulated && core.options.runMode === 'production') return { status: 400, body: 'KO : simulateur hors démonstration', paymentIds: [] }
  const ends = payfipEndpoints(core, known.s, order.simulated)
  let d
  try {
    d = await recupererDetailPaiementSecurise(ends.serviceUrl, idOp)
  } catch (e) {
    if (e instanceof PayfipError && e.code === 'P5') return { status: 200, body: 'OK (paiement en cours)', paymentIds: [] }
    if (e instanceof PayfipError && e.code === 'P1') {
      // Unknown to PayFiP: the operation expired without payment.
      await core.tx.run((m) => failOrder(m, core, order, 'P1'))
      return { status: 200, body: 'OK (opération expirée)', paymentIds: [] }
    }
    throw e
  }
  return core.tx.run(async (m) => {
    const o = await m.findOneByOrFail(OnlinePayment, { id: order.id })
    await m.update(OnlinePayment, { id: o.id }, { notifications: o.notifications + 1 })
    if (o.status === 'paid') return { status: 200, body: 'OK (déjà traité)', paymentIds: [] }
    const titre = stmt(dbOf(m), `SELECT exer, num_dette FROM pes_titre WHERE invoice_id = ? AND credit_note_id IS NULL`).get(o.invoiceIds[0]) as { exer: number; num_dette: string } | undefined
    const mismatch =
      d.idOp !== idOp || d.numcli !== known.s.payfipNumcli || d.montant !== o.amountCents || !titre || d.refdet !== titre.num_dette || d.exer !== String(titre.exer)
    if (mismatch) {
      await audit(m, SYSTEM_NOTIFICATION, core.clock.now(), { action: 'online-payment-mismatch', entity: 'online_payment', entityId: o.id, after: { ...d } })
      return { status: 400, body: 'KO : le détail PayFiP ne correspond pas à la commande', paymentIds: [] }
    }
    const r = payfipOutcome(d.resultrans)
    if (r.outcome === 'paid') {
      const s = await settleOrder(m, core, o, {
        amountCents: d.montant,
        mode: d.resultrans === 'V' ? 'prelevement' : 'cb',
        modeLabel: r.label,
        providerStatus: d.resultrans,
        reference: `PayFiP ${idOp} (titre ${d.refdet}/${d.exer}${d.numauto ? `, autorisation ${d.numauto}` : ''})`
      })
      return { status: 200, body: s.surplusCents > 0 ? 'OK (titre déjà réglé : avoir à vérifier)' : 'OK', paymentIds: s.paymentIds }
    }
    if (r.outcome === 'refused' || r.outcome === 'abandoned') await failOrder(m, core, o, d.resultrans)
    return { status: 200, body: `OK (${r.label})`, paymentIds: [] }
  })
}
