/**
 * One payment per debt (issue #12 §4), through the portal and the Systempay
 * simulator on a loopback listener:
 * - a second « Payer » on the same invoices resumes the same order; another
 *   overlapping selection withdraws the first one (at most one open order);
 * - two orders paid for the same invoice: the second payment stays as the
 *   family's credit, flagged to the accountant, and pays no other invoice;
 * - in a normal install the simulator is never offered, whatever the
 *   settings say, and its notifications settle nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { familyBalance } from '../../src-main/billing/invoices'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { createAdjustment } from '../../src-main/billing/invoicing/adjustments'
import { OnlinePayment, OnlinePaymentInvoice, Payment } from '../../src-main/billing/entities'
import { sentNotifications } from '../../src-main/billing/payments/simulator'
import { IPN_PATH } from '../../src-main/billing/payments/online'
import { computeSignature } from '../../src-main/billing/payments/systempay'
import { DEFAULT_BILLING_SETTINGS, saveBillingSettings, BILLING_KEY } from '../../src-main/billing/settings'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { openTestCore, auditRows, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { openCopyAs, dueOf, paySystempaySimulator, seedPayWorld, SIMULATOR_KEY, type PayWorld } from '../helpers/payments'

let core: TestCore
let w: PayWorld
let firstOrderId = ''

beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-03-05T09:00:00Z') })
  w = await seedPayWorld(core)
})
afterAll(async () => {
  await w.portal.close()
  await w.staff.close()
  await core.cleanup()
})

const due = (id: number) => dueOf(core, id)
const openLinks = () => core.tx.read((m) => m.findBy(OnlinePaymentInvoice, { open: true }))

describe('at most one open order per invoice', () => {
  test('a second « Payer » on the same invoice soon after resumes the same order', async () => {
    const [jan] = w.invoices
    const a = await w.family.call('billing-pay-online', { invoiceIds: [jan.id] })
    expect(a.status, JSON.stringify(a.body)).toBe(200)
    expect(a.body).toMatchObject({ method: 'post', reused: false, amountCents: 2340 })
    firstOrderId = a.body.orderId
    core.clock.advance(60_000)
    const b = await w.family.call('billing-pay-online', { invoiceIds: [jan.id] })
    expect(b.body).toMatchObject({ orderId: a.body.orderId, reused: true })
    // The same signed form: the gateway sees one transaction, not two.
    expect(b.body.fields.vads_trans_id).toBe(a.body.fields.vads_trans_id)
    expect(b.body.fields.signature).toBe(a.body.fields.signature)
    expect(await core.tx.read((m) => m.count(OnlinePayment))).toBe(1)
    expect((await openLinks()).map((l) => l.invoiceId)).toEqual([jan.id])
  })

  test('an overlapping selection withdraws the first order; the database refuses two open orders on an invoice', async () => {
    const [jan, feb] = w.invoices
    const first = await core.tx.read((m) => m.findOneByOrFail(OnlinePayment, { orderId: firstOrderId }))
    const both = await w.family.call('billing-pay-online', { invoiceIds: [jan.id, feb.id] })
    expect(both.body).toMatchObject({ reused: false, amountCents: 4200 })
    const withdrawn = await core.tx.read((m) => m.findOneByOrFail(OnlinePayment, { id: first.id }))
    expect(withdrawn.cancelledAt).not.toBeNull()
    const status = await w.family.call('billing-online-status', { reference: first.orderId })
    expect(status.body.status).toBe('cancelled')
    expect((await openLinks()).map((l) => l.invoiceId).sort()).toEqual([jan.id, feb.id].sort())
    const newest = await core.tx.read((m) => m.findOneByOrFail(OnlinePayment, { orderId: both.body.orderId }))
    expect(() => core.db.prepare('INSERT INTO online_payment_invoice (online_payment_id, invoice_id, open) VALUES (?, ?, 1)').run(first.id, jan.id)).toThrow(/UNIQUE/)
    expect((await auditRows(core, 'online-payment-withdraw')).map((r) => r.entityId)).toEqual([String(first.id)])
    expect(newest.status).toBe('pending')
  })
})

describe('a debt paid twice', () => {
  test('the second payment becomes credit flagged to the accountant and pays no invoice the family did not choose', async () => {
    const [jan, feb] = w.invoices
    // Order A for January; later (past the resume window) order B for January again withdraws A…
    core.clock.advance(15 * 60_000)
    const a = await w.family.call('billing-pay-online', { invoiceIds: [jan.id] })
    core.clock.advance(15 * 60_000)
    const b = await w.family.call('billing-pay-online', { invoiceIds: [jan.id] })
    expect(b.body.reused).toBe(false)
    expect(b.body.orderId).not.toBe(a.body.orderId)
    // …but the family had both payment pages open and pays both.
    await paySystempaySimulator(w.portal, a.body)
    expect(sentNotifications.at(-1)!.status).toBe(200)
    expect(await due(jan.id)).toBe(0)
    await paySystempaySimulator(w.portal, b.body)
    expect(sentNotifications.at(-1)!.status).toBe(200)

    // February, which the family never chose, is still fully due.
    expect(await due(feb.id)).toBe(1860)
    const payments = await core.tx.read((m) => m.find(Payment, { order: { id: 'ASC' } }))
    expect(payments.map((p) => [p.amountCents, p.review])).toEqual([
      [2340, ''],
      [2340, 'to-check']
    ])
    const second = payments[1]
    const allocated = core.db.prepare('SELECT COALESCE(SUM(amount_cents), 0) AS s FROM payment_allocation WHERE payment_id = ?').get(second.id) as { s: number }
    expect(allocated.s).toBe(0)
    expect((await core.tx.read(async (m) => familyBalance(m, w.fam.familyId, '2026-03-05'))).creditCents).toBe(2340)
    expect((await auditRows(core, 'online-payment-overpaid'))[0].after).toMatchObject({ surplusCents: 2340 })
    // Both orders are paid; no order is left open on January.
    expect((await openLinks()).filter((l) => l.invoiceId === jan.id)).toEqual([])

    // The accountant sees it.
    const staff = await client(w.staff, 'staff')
    await staff.loginStaff(w.comptable.login, w.comptable.password)
    const list = await staff.call('billing-payments-list', { toCheck: true })
    expect(list.body.toCheck).toBe(1)
    expect(list.body.items).toMatchObject([{ id: second.id, review: 'to-check', invoices: [] }])

    // Until checked, the next invoicing run does not use it either.
    await createAdjustment(core, w.comptable.actor, { regieId: w.regieId, familyId: w.fam.familyId, childId: null, month: '2026-03', label: 'Garderie de mars', amountCents: 1000 })
    const run = await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-03', confirmUnfinishedMonth: true })
    const march = core.db.prepare('SELECT id FROM invoice WHERE run_id = ?').get(run.runId) as { id: number }
    expect(await due(march.id)).toBe(1000)

    // Checked (kept as credit): it then pays the family's invoices like any credit.
    const reviewed = await staff.call('billing-payment-review', { paymentId: second.id, note: 'Avoir conservé, accord de la famille par téléphone.' })
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200)
    const again = await staff.call('billing-payment-review', { paymentId: second.id, note: 'bis' })
    expect(again.status).toBe(409)
    const alloc = await staff.call('billing-credit-allocate', { familyId: w.fam.familyId, regieId: w.regieId })
    expect(alloc.body.allocatedCents).toBe(2340)
  })

  test('a replayed notification pays nothing twice', async () => {
    const count = await core.tx.read((m) => m.count(Payment))
    const last = sentNotifications.at(-1)!
    const r = await w.portal.inject({ method: 'POST', url: IPN_PATH, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(last.fields).toString() })
    expect(r.statusCode).toBe(200)
    expect(r.body).toContain('déjà traité')
    expect(await core.tx.read((m) => m.count(Payment))).toBe(count)
  })
})

describe('the payment simulator in a normal install', () => {
  test('is refused in Paramètres, never offered on the portal, and its notifications settle nothing', async () => {
    // The same database opened as a normal install, with settings still on the simulator (the old default).
    const prod = await openCopyAs(core, 'production')
    const portal = await buildPortalApp(prod)
    try {
      await expect(saveBillingSettings(prod, SYSTEM, { ...DEFAULT_BILLING_SETTINGS, onlineEnabled: true, simulated: true, testKey: 'x' })).rejects.toThrow(/démonstration ou en mode test/)
      prod.db.prepare('UPDATE setting SET value = ? WHERE key = ?').run(JSON.stringify({ onlineEnabled: true, provider: 'simulator', siteId: '12345678', ctxMode: 'TEST', testKey: SIMULATOR_KEY }), BILLING_KEY)
      const fam = await client(portal, 'portal')
      await fam.loginPortal(w.fam.login, w.fam.password)
      const summary = await fam.call('billing-summary', {})
      expect(summary.body).toMatchObject({ onlinePayment: false, simulatorNotice: null })
      const [, feb] = w.invoices
      const pay = await fam.call('billing-pay-online', { invoiceIds: [feb.id] })
      expect(pay.status).toBe(409)
      expect(pay.body.error.message).toMatch(/n’est pas proposé/)
      const page = await portal.inject({ method: 'POST', url: '/simulateur-paiement/vads-payment/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'vads_site_id=12345678' })
      expect(page.statusCode).toBe(404)

      // A notification signed with the simulator's key for a simulated order is not money.
      const order = await prod.tx.read((m) => m.findOneByOrFail(OnlinePayment, { simulated: true, status: 'pending' }))
      const fields: Record<string, string> = {
        vads_site_id: '12345678',
        vads_ctx_mode: 'TEST',
        vads_currency: '978',
        vads_amount: String(order.amountCents),
        vads_order_id: order.orderId,
        vads_trans_id: order.transId,
        vads_trans_date: order.transDate,
        vads_trans_status: 'AUTHORISED',
        vads_url_check_src: 'PAY'
      }
      fields.signature = computeSignature(fields, SIMULATOR_KEY)
      const before = await prod.tx.read((m) => m.count(Payment))
      const ipn = await portal.inject({ method: 'POST', url: IPN_PATH, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() })
      expect(ipn.statusCode).toBe(400)
      expect(await prod.tx.read((m) => m.count(Payment))).toBe(before)
    } finally {
      await portal.close()
      await prod.cleanup()
    }
  })

  test('in the test mode, every payment page says the payment is simulated', async () => {
    const summary = await w.family.call('billing-invoices', {})
    expect(summary.body.simulatorNotice).toMatch(/^Mode test : paiement simulé/)
    const order = await core.tx.read((m) => m.findOneByOrFail(OnlinePayment, { status: 'paid' }))
    const status = await w.family.call('billing-online-status', { reference: order.orderId })
    expect(status.body.simulatorNotice).toMatch(/^Mode test/)
  })
})
