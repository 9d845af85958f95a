/**
 * PayFiP (issue #13 §3), through the portal and the PayFiP simulator on a
 * loopback listener: a titre sent to the Trésor is paid with PayFiP's
 * protocol (creerPaiementSecurise with numcli, exer, refdet, objet, montant,
 * mel, saisie, urlnotif, urlredirect; the payment page; the notification
 * with the idop only, verified by our own recupererDetailPaiementSecurise).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { OnlinePayment, Payment } from '../../src-main/billing/entities'
import { PesTitre } from '../../src-main/billing/pes/entities'
import { exportRunToPes, markPesSent } from '../../src-main/billing/pes/export'
import { savePesSettings } from '../../src-main/billing/pes/settings'
import { PAYFIP_NOTIFY_PATH } from '../../src-main/billing/payments/online'
import { payfipNotifications } from '../../src-main/billing/payments/payfip-simulator'
import { recupererDetailPaiementSecurise, PayfipError } from '../../src-main/billing/payments/payfip'
import { DEFAULT_BILLING_SETTINGS, saveBillingSettings } from '../../src-main/billing/settings'
import { openTestCore, type TestCore } from '../helpers/core'
import { openCopyAs, dueOf, seedPayWorld, type PayWorld } from '../helpers/payments'

let core: TestCore
let w: PayWorld
const sp = (s: string) => s.replace(/\u00a0/g, ' ')
const form = (fields: Record<string, string>) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() })
const SERVICE = () => `${core.runtime.portalUrl}/simulateur-payfip/services/securite`

beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-03-05T09:00:00Z') })
  w = await seedPayWorld(core, { provider: 'payfip', simulated: true, payfipNumcli: '123456', payfipSaisie: 'T' })
  await savePesSettings(core, SYSTEM, {
    regieId: w.regieId,
    enabled: true,
    collectivite: 'Commune de Testville',
    siret: '21319999000002',
    poste: '031000',
    codCol: '555',
    codBud: '01',
    defaultProduct: 'PERI',
    defaultNature: '7066',
    products: []
  })
  for (const inv of w.invoices) await exportRunToPes(core, w.comptable.actor, inv.runId!)
})
afterAll(async () => {
  await w.portal.close()
  await w.staff.close()
  await core.cleanup()
})

const due = (id: number) => dueOf(core, id)

/** The browser on the simulator's page: the page, then « Payer » (or « Abandonner »). */
async function payOnSimulator(start: { action: string; fields: Record<string, string> }, opts: { card?: string; action?: 'pay' | 'cancel' } = {}) {
  const pageRes = await w.portal.inject({ method: 'GET', url: `${start.action}?${new URLSearchParams(start.fields)}` })
  expect(pageRes.statusCode, pageRes.body).toBe(200)
  const done = await w.portal.inject({ method: 'POST', url: `${start.action}/confirm`, ...form({ idop: start.fields.idop, card: opts.card ?? '4970 1000 0000 0003', exp: '12/30', cvv: '123', action: opts.action ?? 'pay' }) })
  expect(done.statusCode).toBe(200)
  return { page: sp(pageRes.body), done: done.body }
}

describe('which invoices PayFiP pays', () => {
  test('only titres sent to the Trésor, one at a time, with the portal saying so', async () => {
    const [jan, feb] = w.invoices
    const before = await w.family.call('billing-invoices', {})
    expect(before.body).toMatchObject({ onlinePayment: true, onlineProvider: 'payfip', simulatorNotice: expect.stringMatching(/^Mode test/) })
    expect(before.body.unpaid.map((i: { payableOnline: boolean }) => i.payableOnline)).toEqual([false, false])
    expect(before.body.unpaid[0].payNote).toBe('Payable en ligne avec PayFiP une fois le titre émis par le Trésor public.')
    const early = await w.family.call('billing-pay-online', { invoiceIds: [jan.id] })
    expect(early.status).toBe(409)
    expect(early.body.error.message).toMatch(/pas encore transmise au Trésor public/)

    const titre = await core.tx.read((m) => m.findOneByOrFail(PesTitre, { invoiceId: jan.id }))
    await markPesSent(core, w.comptable.actor, titre.bordereauId)
    const after = await w.family.call('billing-invoices', {})
    const janRow = after.body.unpaid.find((i: { id: number }) => i.id === jan.id)
    expect(janRow).toMatchObject({ payableOnline: true, stateLabel: 'Titre émis', payNote: 'Titre émis : payable auprès du Trésor public ou en ligne avec PayFiP.' })
    const two = await w.family.call('billing-pay-online', { invoiceIds: [jan.id, feb.id] })
    expect(two.status).toBe(400)
    expect(two.body.error.message).toMatch(/un titre à la fois/)
  })
})

describe('paying a titre', () => {
  let idop = ''
  test('creerPaiementSecurise with the titre’s references, the payment page, then a notification that we verify with PayFiP', async () => {
    const [jan] = w.invoices
    const titre = await core.tx.read((m) => m.findOneByOrFail(PesTitre, { invoiceId: jan.id }))
    const start = await w.family.call('billing-pay-online', { invoiceIds: [jan.id] })
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    expect(start.body).toMatchObject({ method: 'get', action: '/simulateur-payfip/tpa/paiementws.web', amountCents: 2340, reused: false })
    idop = start.body.fields.idop
    expect(idop).toMatch(/^[0-9a-f-]{36}$/)

    // Before the family pays, PayFiP says "not finished" (P5): a notification then changes nothing.
    await expect(recupererDetailPaiementSecurise(SERVICE(), idop)).rejects.toMatchObject({ code: 'P5' })
    const early = await w.portal.inject({ method: 'POST', url: PAYFIP_NOTIFY_PATH, ...form({ idop }) })
    expect(early.statusCode).toBe(200)
    expect(early.body).toContain('en cours')
    expect(await due(jan.id)).toBe(2340)

    const { page } = await payOnSimulator(start.body)
    expect(page).toContain(titre.numDette)
    expect(page).toContain('23,40 €')
    const n = payfipNotifications.at(-1)!
    expect(n).toMatchObject({ url: `${core.runtime.portalUrl}${PAYFIP_NOTIFY_PATH}`, idop, status: 200 })
    expect(await due(jan.id)).toBe(0)

    // What we sent PayFiP, as PayFiP reports it back.
    const d = await recupererDetailPaiementSecurise(SERVICE(), idop)
    expect(d).toMatchObject({ numcli: '123456', exer: String(titre.exer), refdet: titre.numDette, montant: 2340, mel: w.fam.login, saisie: 'T', resultrans: 'P' })
    expect(d.objet).toMatch(/^Facture AL 1 /)
    const status = await w.family.call('billing-online-status', { reference: start.body.orderId })
    expect(status.body.status).toBe('paid')
    const p = await core.tx.read(async (m) => m.findOneByOrFail(Payment, { onlinePaymentId: (await m.findOneByOrFail(OnlinePayment, { orderId: start.body.orderId })).id }))
    expect(p).toMatchObject({ mode: 'cb', amountCents: 2340, review: '' })
    expect(p.reference).toContain(`PayFiP ${idop}`)
  })

  test('notifications are idempotent, and an unknown or malformed operation changes nothing', async () => {
    const count = await core.tx.read((m) => m.count(Payment))
    const again = await w.portal.inject({ method: 'GET', url: `${PAYFIP_NOTIFY_PATH}?idop=${idop}` })
    expect(again.body).toContain('déjà traité')
    expect((await w.portal.inject({ method: 'POST', url: PAYFIP_NOTIFY_PATH, ...form({ idop: '00000000-0000-0000-0000-000000000000' }) })).statusCode).toBe(404)
    expect((await w.portal.inject({ method: 'POST', url: PAYFIP_NOTIFY_PATH, ...form({ idop: '<script>' }) })).statusCode).toBe(400)
    expect(await core.tx.read((m) => m.count(Payment))).toBe(count)
  })

  test('PayFiP’s answer must match the order: otherwise nothing is paid', async () => {
    const [, feb] = w.invoices
    const titre = await core.tx.read((m) => m.findOneByOrFail(PesTitre, { invoiceId: feb.id }))
    await markPesSent(core, w.comptable.actor, titre.bordereauId)
    const start = await w.family.call('billing-pay-online', { invoiceIds: [feb.id] })
    expect(start.status).toBe(200)
    // Our order says another amount than the operation PayFiP knows.
    core.db.prepare('UPDATE online_payment SET amount_cents = 1 WHERE order_id = ?').run(start.body.orderId)
    await payOnSimulator(start.body)
    expect(payfipNotifications.at(-1)!.status).toBe(400)
    expect(await due(feb.id)).toBe(1860)
    core.db.prepare('UPDATE online_payment SET amount_cents = 1860 WHERE order_id = ?').run(start.body.orderId)
  })

  test('a refused card fails the order and the titre stays due; a new « Payer » gets a new operation', async () => {
    const [, feb] = w.invoices
    core.clock.advance(11 * 60_000)
    const start = await w.family.call('billing-pay-online', { invoiceIds: [feb.id] })
    expect(start.body.reused).toBe(false)
    const { done } = await payOnSimulator(start.body, { card: '4970 1000 0000 0002' })
    expect(done).toContain('Paiement refusé')
    const o = await core.tx.read((m) => m.findOneByOrFail(OnlinePayment, { orderId: start.body.orderId }))
    expect([o.status, o.providerStatus]).toEqual(['failed', 'R'])
    expect(await due(feb.id)).toBe(1860)
    const retry = await w.family.call('billing-pay-online', { invoiceIds: [feb.id] })
    expect(retry.body.fields.idop).not.toBe(start.body.fields.idop)
    // Resumed within a few minutes: same operation, no second idOp at PayFiP.
    const resumed = await w.family.call('billing-pay-online', { invoiceIds: [feb.id] })
    expect(resumed.body).toMatchObject({ reused: true, fields: { idop: retry.body.fields.idop } })
    await payOnSimulator(retry.body)
    expect(await due(feb.id)).toBe(0)
  })
})

describe('PayFiP’s simulator in a normal install', () => {
  test('cannot be chosen and does not answer', async () => {
    const prod = await openCopyAs(core, 'production')
    const { buildPortalApp } = await import('../../src-main/server/portal-app')
    const portal = await buildPortalApp(prod)
    try {
      await expect(saveBillingSettings(prod, SYSTEM, { ...DEFAULT_BILLING_SETTINGS, onlineEnabled: true, provider: 'payfip', simulated: true, payfipNumcli: '123456' })).rejects.toThrow(/démonstration ou en mode test/)
      expect((await portal.inject({ method: 'GET', url: '/simulateur-payfip/tpa/paiementws.web?idop=x' })).statusCode).toBe(404)
      expect((await portal.inject({ method: 'POST', url: '/simulateur-payfip/services/securite', headers: { 'content-type': 'text/xml' }, payload: '<x/>' })).statusCode).toBe(404)
      // A real PayFiP configuration is accepted.
      await saveBillingSettings(prod, SYSTEM, { ...DEFAULT_BILLING_SETTINGS, onlineEnabled: true, provider: 'payfip', simulated: false, payfipNumcli: '123456', payfipSaisie: 'W' })
    } finally {
      await portal.close()
      await prod.cleanup()
    }
    expect(new PayfipError('P1', 'x').code).toBe('P1')
  })
})
