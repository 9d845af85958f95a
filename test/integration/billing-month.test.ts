/**
 * A whole month for a demo structure: reservations and attendance → run
 * preview → issue → PDFs → payments (cash, online through the simulator,
 * direct debit) → statements consistent to the cent; a credit note and a
 * corrected invoice; the pain.008 file through xmllint; reminders; the
 * attestation fiscale. Steps share one database and run in order.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dbOf } from '../../src-main/bookings/sql'
import { cancelInvoice, familyBalance, invoiceDetail } from '../../src-main/billing/invoices'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { previewFamily, previewRun } from '../../src-main/billing/invoicing/runs'
import { renderInvoice, renderReceipt, renderStatement } from '../../src-main/billing/documents/render'
import { recordPayment, rejectPayment, createDeposit } from '../../src-main/billing/payments/payments'
import { sentNotifications } from '../../src-main/billing/payments/simulator'
import { IPN_PATH } from '../../src-main/billing/payments/online'
import { exportDirectDebits, sepaExportXml } from '../../src-main/billing/sepa/export'
import { rejectDebit } from '../../src-main/billing/sepa/rejects'
import { checkPain008Xml } from '../../src-main/billing/sepa/pain008'
import { familyStatement } from '../../src-main/billing/statement'
import { unpaidList, sendReminders } from '../../src-main/billing/reminders'
import { createAttestation } from '../../src-main/billing/attestation'
import { Invoice, InvoiceLine, Payment, SepaCollection, SepaExport } from '../../src-main/billing/entities'
import { FamilyDocument } from '../../src-main/documents/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import * as XLSX from 'xlsx'
import { buildExport } from '../../src-main/billing/exports/reports'
import { openTestCore, outboxMails, auditRows, seedStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { seedBillingWorld, type BillingWorld } from '../helpers/billing'
import { pdfPages, pdfText, qpdfCheck, xmllint } from '../helpers/billing-tools'

let core: TestCore
let w: BillingWorld
let portal: FastifyInstance
let staffApp: FastifyInstance
const sp = (s: string) => s.replace(/\u00a0/g, ' ')

beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-09-20T08:00:00Z') })
  w = await seedBillingWorld(core)
  // The portal listens on loopback for real, so the simulator's IPN travels over HTTP like the bank's would.
  portal = await buildPortalApp(core)
  await portal.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(portal.server.address() as AddressInfo).port}`
  core.runtime.portalUrls = [url]
  core.runtime.portalUrl = url
  staffApp = await buildStaffApp(core)
})
afterAll(async () => {
  await portal.close()
  await staffApp.close()
  await core.cleanup()
})

const detailOf = async (familyId: number) => {
  const inv = await invoiceOf(familyId)
  return core.tx.read((m) => invoiceDetail(m, inv.id, today()))
}
const today = () => core.clock.now().toISOString().slice(0, 10)
const invoiceOf = (familyId: number) => core.tx.read((m) => m.findOneOrFail(Invoice, { where: { familyId, status: 'issued' }, order: { id: 'DESC' } }))

describe('preview', () => {
  test('lists every family with its total and the anomalies', async () => {
    const p = await previewRun(core, w.regieId, '2026-09')
    const byFamily = new Map(p.families.map((f) => [f.familyId, f]))
    expect(byFamily.get(w.f1.familyId)?.totalCents).toBe(w.expected.f1)
    expect(byFamily.get(w.f2.familyId)?.totalCents).toBe(w.expected.f2)
    expect(byFamily.get(w.f3.familyId)?.totalCents).toBe(w.expected.f3)
    expect(byFamily.get(w.f3.familyId)?.collection).toBe('debit')
    expect(byFamily.get(w.f4.familyId)).toMatchObject({ totalCents: -500, willIssue: false })
    const kinds = p.anomalies.map((a) => `${a.kind}:${a.familyId}`)
    expect(kinds).toContain(`no-qf:${w.f2.familyId}`)
    expect(kinds).toContain(`no-tariff:${w.f2.familyId}`)
    expect(kinds).toContain(`negative-total:${w.f4.familyId}`)
    expect(kinds).not.toContain(`no-qf:${w.f1.familyId}`)
    expect(p.anomalies.find((a) => a.kind === 'no-tariff')?.message).toMatch(/Ateliers du soir – Atelier théâtre/)
    expect(p.totals).toMatchObject({ invoices: 3, totalCents: w.expected.f1 + w.expected.f2 + w.expected.f3, skipped: 1 })
  })

  test('explains each price', async () => {
    const lines = await previewFamily(core, w.regieId, '2026-09', w.f1.familyId)
    const soir = lines.find((l) => l.label === 'Soir' && l.day === '2026-09-01')!
    expect(soir).toMatchObject({ quantity: 5, quantityLabel: "5 quarts d'heure", unitPriceCents: 240, amountCents: 300 })
    expect(sp(soir.explanation.join(' | '))).toMatch(/1 h 10 \(pointage\) → 5 quarts d'heure entamés, soit 1 h 15 à 2,40 € de l’heure/)
    const zoe = lines.find((l) => l.childName.startsWith('Zoé') && l.label === 'Matin')!
    expect(sp(zoe.explanation.join(' | '))).toMatch(/2e enfant de la famille : réduction de 10 %/)
    const day = lines.filter((l) => l.kind === 'day' || l.kind === 'half-day').map((l) => [l.day, l.kind, l.amountCents])
    expect(day).toEqual([
      ['2026-09-02', 'day', 1500],
      ['2026-09-09', 'half-day', 900]
    ])
    expect(lines.some((l) => l.bookingState === 'A_EXC' || l.bookingState === 'CANCELLED' || l.bookingState === 'DR')).toBe(false)
    expect(lines.find((l) => l.bookingState === 'A_FACT')?.amountCents).toBe(120)
  })

  test('the reservation recap prices with the real tariffs (pricing hook of #5)', async () => {
    const { unitPricer } = await import('../../src-main/bookings/pricing-hook')
    const { dbOf } = await import('../../src-main/bookings/sql')
    await core.tx.read(async (m) => {
      const unitPrice = unitPricer(dbOf(m))
      expect(unitPrice(w.f1.childB, w.units.matin, '2026-09-01')).toEqual({ cents: 108, label: 'Tarif à l’unité' })
      expect(unitPrice(w.f2.child, w.units.matin, '2026-09-01')).toEqual({ cents: 200, label: 'Tarif à l’unité' })
      expect(unitPrice(w.f1.childA, w.units.soir, '2026-09-01').cents).toBe(600)
      // No tariff: the unit's placeholder price.
      expect(unitPrice(w.f2.child, w.units.atelier, '2026-09-01')).toEqual({ cents: 0, label: 'Tarif à l’unité' })
    })
  })

  test('the preview writes nothing', async () => {
    expect(await core.tx.read((m) => m.count(Invoice))).toBe(0)
  })
})

describe('issue', () => {
  test('backs up, then numbers the invoices without gaps in one run', async () => {
    core.clock.set(new Date('2026-10-02T08:00:00Z'))
    const r = await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-09' })
    expect(r).toMatchObject({ invoiceCount: 3, firstNumber: 'AL-1', lastNumber: 'AL-3', totalCents: w.expected.f1 + w.expected.f2 + w.expected.f3 })
    expect(existsSync(join(core.paths.backupDir, r.backupName))).toBe(true)
    const invoices = await core.tx.read((m) => m.find(Invoice, { order: { seq: 'ASC' } }))
    expect(invoices.map((i) => [i.number, i.familyId, i.totalCents, i.dueDate])).toEqual([
      ['AL-1', w.f1.familyId, w.expected.f1, '2026-10-22'],
      ['AL-2', w.f2.familyId, w.expected.f2, '2026-10-22'],
      ['AL-3', w.f3.familyId, w.expected.f3, '2026-10-22']
    ])
    expect((await auditRows(core, 'invoice-issue')).length).toBe(3)
    expect((await auditRows(core, 'invoicing-run-issue'))[0].after).toMatchObject({ invoiceCount: 3, skipped: 1 })
  })

  test('a second run of the same month finds nothing left to bill', async () => {
    await expect(issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-09' })).rejects.toThrow(/Rien à facturer/)
    const p = await previewRun(core, w.regieId, '2026-09')
    expect(p.totals.invoices).toBe(0)
  })

  test('issued invoices and lines cannot be altered or deleted', async () => {
    const inv = await invoiceOf(w.f1.familyId)
    expect(() => core.db.prepare('UPDATE invoice SET total_cents = 1 WHERE id = ?').run(inv.id)).toThrow(/immutable/)
    expect(() => core.db.prepare('DELETE FROM invoice WHERE id = ?').run(inv.id)).toThrow(/never deleted/)
    expect(() => core.db.prepare('UPDATE invoice_line SET amount_cents = 0 WHERE invoice_id = ?').run(inv.id)).toThrow(/immutable/)
  })

  test('the invoice PDF shows the family, the lines and the total', async () => {
    const inv = await invoiceOf(w.f1.familyId)
    const text = pdfText((await renderInvoice(core, inv.id)).data)
    expect(text).toContain('FACTURE N° AL-1')
    expect(text).toContain('DUPONT Claire')
    expect(text).toContain(`N° famille : ${w.f1.number}`)
    expect(text).toMatch(/Enfant : Léo Dupont/)
    expect(text).toMatch(/Enfant : Zoé Test/)
    expect(text).toMatch(/ALAE – Matin\s+01, 03, 04\/09\s+3\s+1,20 €\s+3,60 €/)
    expect(text).toMatch(/absence facturée/)
    expect(text).toMatch(/Mercredis – journée/)
    expect(text).toMatch(/Total de la facture\s+46,96 €/)
    expect(text).toMatch(/Reste à payer\s+46,96 €/)
    expect(text).toMatch(/À régler avant le\s+22\/10\/2026/)
    expect(text).toContain('Paiement en ligne par carte bancaire sur le portail famille')
    const debit = pdfText((await renderInvoice(core, (await invoiceOf(w.f3.familyId)).id)).data)
    expect(debit).toMatch(/prélevée sur votre compte à l’échéance du 22\/10\/2026/)
  })
})

describe('batch PDFs', () => {
  test('e-mails each invoice to families who accept e-mails (PDF attached, through the outbox), the others in one file to print', async () => {
    const { runInvoiceBatch } = await import('../../src-main/billing/invoicing/batch')
    const run = (await core.tx.read((m) => m.findOneByOrFail(Invoice, { number: 'AL-1' }))).runId!
    // The Bernard family refuses e-mails: its invoice goes to the print file.
    core.db.prepare(`UPDATE person SET consent_email = 0 WHERE family_id = ?`).run(w.f3.familyId)
    const before = (await outboxMails(core)).length
    const r = await runInvoiceBatch(core, w.comptable.actor, { runId: run, email: true, printAll: false })
    expect(r).toMatchObject({ rendered: 3, emailed: 2, printed: 1 })
    // Rendered off the main thread (#19): the print file now; the e-mailed invoices when the sender sends them.
    const { workerRenders } = await import('../../src-main/billing/pdf/pool')
    expect(workerRenders()).toBe(1)
    const mails = (await outboxMails(core)).slice(before)
    expect(mails.map((x) => x.recipient).sort()).toEqual([w.f1.login, w.f2.login].sort())
    const m1 = mails.find((x) => x.recipient === w.f1.login)!
    expect(m1.subject).toContain('Votre facture AL-1')
    // The outbox names the invoice rather than carrying its PDF.
    const al1 = await core.tx.read((m) => m.findOneByOrFail(Invoice, { number: 'AL-1' }))
    expect(m1.attachments).toEqual([{ filename: 'facture-AL-1.pdf', contentType: 'application/pdf', document: 'invoice', invoiceId: al1.id }])
    const { attachmentsOf } = await import('../../src-main/mail/attachments')
    expect(pdfText((await attachmentsOf(core, [m1])(m1))[0].content)).toContain('FACTURE N° AL-1')
    expect(workerRenders()).toBe(2)
    const print = pdfText(r.printPdf!)
    expect(print).toContain('FACTURE N° AL-3')
    expect(print).not.toContain('FACTURE N° AL-1')
    // E-mailed or printed today: the pre-notification of a direct debit runs from here.
    expect(core.db.prepare('SELECT number, notified_on FROM invoice ORDER BY seq').all()).toEqual([
      { number: 'AL-1', notified_on: '2026-10-02' },
      { number: 'AL-2', notified_on: '2026-10-02' },
      { number: 'AL-3', notified_on: '2026-10-02' }
    ])
    // The print file is rendered in parts on every worker thread, then merged (#19): every invoice printed, three
    // parts (a short file is cut in two parts per thread) make one file, in order, numbered across its pages.
    const all = await runInvoiceBatch(core, w.comptable.actor, { runId: run, email: false, printAll: true })
    expect(all).toMatchObject({ rendered: 3, emailed: 0, printed: 3 })
    expect(workerRenders()).toBe(2 + 3)
    qpdfCheck(all.printPdf!)
    const pages = pdfText(all.printPdf!).split('\f').filter((p) => p.trim())
    expect(pages.length).toBe(pdfPages(all.printPdf!).count)
    expect(pages.map((p) => /FACTURE N° (AL-\d)/.exec(p)?.[1]).filter(Boolean)).toEqual(['AL-1', 'AL-2', 'AL-3'])
    for (const [i, p] of pages.entries()) expect(p).toMatch(new RegExp(`Factures à imprimer\\s+Page ${i + 1} / ${pages.length}\\s*$`))
    core.db.prepare(`UPDATE person SET consent_email = 1 WHERE family_id = ?`).run(w.f3.familyId)
  })
})

describe('roles', () => {
  test('the desk takes payments but sees no IBAN; the animateur sees no money', async () => {
    const accueil = await seedStaff(core, 'accueil')
    const desk = await client(staffApp, 'staff')
    await desk.loginStaff(accueil.login, accueil.password)
    expect((await desk.call('billing-payments-list', {})).status).toBe(200)
    expect((await desk.call('billing-mandates-list', {})).status).toBe(403)
    expect((await desk.call('billing-run-preview', { regieId: w.regieId, month: '2026-09' })).status).toBe(403)
    const animateur = await seedStaff(core, 'animateur')
    const anim = await client(staffApp, 'staff')
    await anim.loginStaff(animateur.login, animateur.password)
    for (const name of ['billing-payments-list', 'billing-invoices-list', 'billing-family-account', 'billing-mandates-list']) {
      expect((await anim.call(name, { familyId: w.f1.familyId })).status, name).toBe(403)
    }
  })

  test('a family reads only its own invoice PDFs and statement', async () => {
    const fam = await client(portal, 'portal')
    await fam.loginPortal(w.f1.login, w.f1.password)
    const mine = await invoiceOf(w.f1.familyId)
    const other = await invoiceOf(w.f3.familyId)
    const get = (url: string) => portal.inject({ method: 'GET', url, headers: { cookie: [...fam.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ') } })
    const ok = await get(`/api/portal/billing/invoice/${mine.id}`)
    expect(ok.statusCode).toBe(200)
    expect(ok.headers['content-type']).toBe('application/pdf')
    expect((await get(`/api/portal/billing/invoice/${other.id}`)).statusCode).toBe(404)
    expect((await get('/api/portal/billing/statement/2026-2027')).statusCode).toBe(200)
    expect((await portal.inject({ method: 'GET', url: `/api/portal/billing/invoice/${mine.id}` })).statusCode).toBe(401)
  })
})

describe('payments', () => {
  test('cash: oldest invoice first, the rest kept as credit, receipt PDF', async () => {
    const r = await recordPayment(core, w.comptable.actor, {
      familyId: w.f1.familyId,
      regieId: w.regieId,
      mode: 'especes',
      amountCents: 5000,
      receivedOn: '2026-10-05',
      chequeNumber: '',
      bank: '',
      payer: '',
      reference: '',
      allocations: []
    })
    expect(r).toMatchObject({ number: 'AL-R1', creditLeftCents: 5000 - w.expected.f1 })
    const d = await detailOf(w.f1.familyId)
    expect(d.state).toBe('paid')
    const text = pdfText((await renderReceipt(core, r.paymentId)).data)
    expect(text).toContain('REÇU N° AL-R1')
    expect(text).toMatch(/Reçu de DUPONT Claire la somme de 50,00 €/)
    expect(text).toMatch(/Conservé en avoir\s+3,04 €/)
  })

  test('online: Payer → simulator → signed IPN settles; the browser return alone settles nothing; replay is idempotent', async () => {
    const fam = await client(portal, 'portal')
    await fam.loginPortal(w.f2.login, w.f2.password)
    const list = await fam.call('billing-invoices', {})
    expect(list.status).toBe(200)
    expect(list.body.unpaid.map((i: { number: string }) => i.number)).toEqual(['AL-2'])
    const inv = list.body.unpaid[0]
    const start = await fam.call('billing-pay-online', { invoiceIds: [inv.id] })
    expect(start.status, JSON.stringify(start.body)).toBe(200)
    expect(start.body.amountCents).toBe(w.expected.f2)
    expect(start.body.action).toBe('/simulateur-paiement/vads-payment/')

    // The browser posts the signed form to the simulator…
    const page = await portal.inject({ method: 'POST', url: start.body.action, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(start.body.fields).toString() })
    expect(page.statusCode).toBe(200)
    expect(sp(page.body)).toContain('26,50 €')
    const token = /name="token" value="([0-9a-f]+)"/.exec(page.body)![1]
    // A tampered form is refused by the "bank".
    const bad = await portal.inject({ method: 'POST', url: start.body.action, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ...start.body.fields, vads_amount: '1' }).toString() })
    expect(bad.statusCode).toBe(400)
    // Nothing is paid before the IPN, even if the browser comes back claiming success.
    const status0 = await fam.call('billing-online-status', { reference: start.body.orderId })
    expect(status0.body.status).toBe('pending')

    const done = await portal.inject({ method: 'POST', url: '/simulateur-paiement/vads-payment/confirm', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ token, card: '4970 1000 0000 0003', exp: '12/30', cvv: '123', action: 'pay' }).toString() })
    expect(done.statusCode).toBe(200)
    expect(done.body).toContain('Paiement accepté')
    const ipn = sentNotifications.at(-1)!
    expect(ipn.status).toBe(200)
    expect(ipn.url).toBe(`${core.runtime.portalUrl}${IPN_PATH}`)

    const status1 = await fam.call('billing-online-status', { reference: start.body.orderId })
    expect(status1.body.status).toBe('paid')
    const after = await fam.call('billing-invoices', {})
    expect(after.body.unpaid).toEqual([])
    expect(after.body.history.find((i: { number: string }) => i.number === 'AL-2').state).toBe('paid')

    // The bank retries the notification: nothing is paid twice.
    const countBefore = await core.tx.read((m) => m.count(Payment))
    const replay = await portal.inject({ method: 'POST', url: IPN_PATH, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ...ipn.fields, vads_url_check_src: 'RETRY' }).toString() })
    // vads_url_check_src is signed: a changed field breaks the signature, so replay the exact body.
    expect(replay.statusCode).toBe(400)
    const exact = await portal.inject({ method: 'POST', url: IPN_PATH, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(ipn.fields).toString() })
    expect(exact.statusCode).toBe(200)
    expect(exact.body).toContain('déjà traité')
    expect(await core.tx.read((m) => m.count(Payment))).toBe(countBefore)

    // The receipt is in the family's documents; staff see the payment.
    const docs = await core.tx.read((m) => m.findBy(FamilyDocument, { familyId: w.f2.familyId, docType: 'recu' }))
    expect(docs).toHaveLength(1)
    const staff = await client(staffApp, 'staff')
    await staff.loginStaff(w.comptable.login, w.comptable.password)
    const pays = await staff.call('billing-payments-list', { familyId: w.f2.familyId })
    expect(pays.body.items).toMatchObject([{ mode: 'cb', amountCents: w.expected.f2, invoices: ['AL-2'] }])
    expect(pays.body.items[0].reference).toContain(start.body.orderId)
  })

  test('a forged IPN is refused and changes nothing', async () => {
    const before = await core.tx.read((m) => m.count(Payment))
    const r = await portal.inject({
      method: 'POST',
      url: IPN_PATH,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ vads_order_id: 'RB20261005AAAAAAAAAA', vads_amount: '100', vads_site_id: '12345678', vads_currency: '978', vads_trans_status: 'AUTHORISED', signature: 'forged' }).toString()
    })
    expect(r.statusCode).toBe(400)
    expect(await core.tx.read((m) => m.count(Payment))).toBe(before)
  })

  test('direct debit: one transaction per mandate through xmllint; « en cours » until the collection date; a rejection re-opens', async () => {
    core.clock.set(new Date('2026-10-06T08:00:00Z'))
    const r = await exportDirectDebits(core, w.comptable.actor, { regieId: w.regieId, runId: null, collectionDate: '2026-10-22', represent: false })
    expect(r).toMatchObject({ nbTxs: 1, ctrlSumCents: w.expected.f3, leftOut: [], format: 'pain.008.001.08' })
    const exp = { xml: sepaExportXml(core, await core.tx.read((m) => m.findOneByOrFail(SepaExport, { id: r.exportId }))) }
    const lint = xmllint(exp.xml)
    expect(lint.output).toBe('')
    expect(lint.ok).toBe(true)
    expect(checkPain008Xml(exp.xml)).toEqual([])
    expect(exp.xml).toContain('<SeqTp>FRST</SeqTp>')
    expect(exp.xml).toContain(`<EndToEndId>AL-0001-${w.f3.number}</EndToEndId>`)
    expect(exp.xml).toContain('<InstdAmt Ccy="EUR">6.90</InstdAmt>')
    expect(exp.xml).toMatch(/<Ustrd>Facture AL-3 /)
    const inv = await invoiceOf(w.f3.familyId)
    expect(inv.debitStatus).toBe('prelevee')
    // Sent to the bank, not collected yet: « Prélèvement en cours », still owed, no longer « to pay ».
    expect((await core.tx.read((m) => invoiceDetail(m, inv.id, today()))).state).toBe('debit-pending')
    expect(await core.tx.read(async (m) => familyBalance(m, w.f3.familyId, today()))).toMatchObject({ balanceCents: w.expected.f3, unpaidCents: 0, debitInFlightCents: w.expected.f3, nextDebitOn: '2026-10-22' })
    const debit = await core.tx.read((m) => m.findOneByOrFail(Payment, { familyId: w.f3.familyId, mode: 'prelevement' }))
    expect(debit.receivedOn).toBe('2026-10-22')
    await expect(renderReceipt(core, debit.id)).rejects.toThrow(/aura lieu le 22\/10\/2026/)
    // Presented once only.
    await expect(exportDirectDebits(core, w.comptable.actor, { regieId: w.regieId, runId: null, collectionDate: '2026-10-23', represent: false })).rejects.toThrow(/Aucune facture à prélever/)
    // The next collection of this mandate is recurrent.
    const mandate = core.db.prepare('SELECT sequence_type FROM sepa_mandate WHERE family_id = ?').get(w.f3.familyId) as { sequence_type: string }
    expect(mandate.sequence_type).toBe('RCUR')
    // From the collection date on, it counts as paid.
    core.clock.set(new Date('2026-10-22T08:00:00Z'))
    expect((await core.tx.read((m) => invoiceDetail(m, inv.id, today()))).state).toBe('prelevee')
    expect(await core.tx.read(async (m) => familyBalance(m, w.f3.familyId, today()))).toMatchObject({ balanceCents: 0, debitInFlightCents: 0 })

    core.clock.set(new Date('2026-10-26T08:00:00Z'))
    const collection = await core.tx.read((m) => m.findOneByOrFail(SepaCollection, { paymentId: debit.id }))
    await rejectDebit(core, w.comptable.actor, { collectionId: collection.id, reasonCode: 'AM04', detail: '', rejectedOn: '2026-10-25' })
    const d = await core.tx.read((m) => invoiceDetail(m, inv.id, today()))
    expect(d).toMatchObject({ state: 'rejected', dueCents: w.expected.f3 })
    // Its only collection failed: the next one is a first one again.
    expect((core.db.prepare('SELECT sequence_type FROM sepa_mandate WHERE family_id = ?').get(w.f3.familyId) as { sequence_type: string }).sequence_type).toBe('FRST')
    // The family now sees it to pay on the portal (direct-debit invoices are otherwise only in the history).
    const fam = await client(portal, 'portal')
    await fam.loginPortal(w.f3.login, w.f3.password)
    expect((await fam.call('billing-invoices', {})).body.unpaid.map((i: { number: string }) => i.number)).toEqual(['AL-3'])
  })

  test('reminders: the rejected invoice is unpaid and overdue; level 1 goes by e-mail through the outbox', async () => {
    core.clock.set(new Date('2026-11-02T08:00:00Z'))
    const list = await core.tx.read((m) => unpaidList(m, '2026-11-02'))
    expect(list.map((u) => [u.number, u.daysLate])).toEqual([['AL-3', 11]])
    const r = await sendReminders(core, w.comptable.actor, { invoiceIds: [list[0].id], level: 1, channel: 'auto' })
    expect(r).toMatchObject({ emailed: 1, letters: 0 })
    const mail = (await outboxMails(core)).at(-1)!
    expect(mail.subject).toContain('Rappel : facture AL-3 impayée')
    expect(sp(mail.textBody)).toContain('Montant restant dû : 6,90 €')
    const letters = await sendReminders(core, w.comptable.actor, { invoiceIds: [list[0].id], level: 2, channel: 'letter' })
    expect(letters.letters).toBe(1)
    expect(pdfText(letters.lettersPdf!)).toContain('Objet : deuxième relance – facture AL-3 impayée')
    expect((await core.tx.read((m) => unpaidList(m, '2026-11-02')))[0].lastReminderLevel).toBe(2)
  })

  test('a cheque settles it, and goes on a deposit slip', async () => {
    const r = await recordPayment(core, w.comptable.actor, {
      familyId: w.f3.familyId,
      regieId: w.regieId,
      mode: 'cheque',
      amountCents: w.expected.f3,
      receivedOn: '2026-11-02',
      chequeNumber: '0012345',
      bank: 'Crédit Agricole',
      payer: 'Paul Bernard',
      reference: '',
      allocations: [{ invoiceId: (await invoiceOf(w.f3.familyId)).id, amountCents: w.expected.f3 }]
    })
    expect((await detailOf(w.f3.familyId)).state).toBe('paid')
    const dep = await createDeposit(core, w.comptable.actor, { regieId: w.regieId, mode: 'cheque', paymentIds: [r.paymentId], depositedOn: '2026-11-03', bankAccount: 'Trésor public' })
    expect(dep.number).toBe('AL-REM0001')
    await expect(createDeposit(core, w.comptable.actor, { regieId: w.regieId, mode: 'cheque', paymentIds: [r.paymentId], depositedOn: '2026-11-03', bankAccount: '' })).rejects.toThrow(/déjà dans une remise/)
    const { renderDeposit } = await import('../../src-main/billing/documents/render')
    const text = pdfText((await renderDeposit(core, dep.depositId)).data)
    expect(text).toContain('BORDEREAU DE REMISE')
    expect(text).toMatch(/N°\s+AL-REM0001/)
    expect(text).toMatch(/0012345/)
    expect(text).toMatch(/Total de la remise : 6,90 €/)
  })
})

describe('online payment switched off', () => {
  test('the portal says where to pay and refuses "Payer"', async () => {
    const { saveBillingSettings, getBillingSettings } = await import('../../src-main/billing/settings')
    const before = await core.tx.read((m) => getBillingSettings(m))
    await saveBillingSettings(core, w.comptable.actor, { ...before, onlineEnabled: false, payAt: 'Paiement à la Maison de l’Enfant, du lundi au vendredi.' })
    const fam = await client(portal, 'portal')
    await fam.loginPortal(w.f3.login, w.f3.password)
    const list = await fam.call('billing-invoices', {})
    expect(list.body).toMatchObject({ onlinePayment: false, payAt: 'Paiement à la Maison de l’Enfant, du lundi au vendredi.' })
    const inv = await invoiceOf(w.f3.familyId)
    const r = await fam.call('billing-pay-online', { invoiceIds: [inv.id] })
    expect(r.status).toBe(409)
    expect(r.body.error.message).toContain('Paiement à la Maison de l’Enfant')
    await saveBillingSettings(core, w.comptable.actor, { ...before, testKey: '' })
    expect((await core.tx.read((m) => getBillingSettings(m))).testKey).toBe(before.testKey)
  })
})

describe('credit note and corrected invoice', () => {
  test('cancelling creates an avoir, keeps the invoice, releases its bookings; the paid amount becomes credit and pays the new invoice', async () => {
    core.clock.set(new Date('2026-11-05T08:00:00Z'))
    const old = await invoiceOf(w.f2.familyId)
    const cn = await cancelInvoice(core, w.comptable.actor, old.id, 'Erreur de tarif hors commune')
    expect(cn.number).toBe('AL-AV1')
    const again = await core.tx.read((m) => m.findOneByOrFail(Invoice, { id: old.id }))
    expect(again.status).toBe('cancelled')
    expect(await core.tx.read((m) => m.countBy(InvoiceLine, { invoiceId: old.id }))).toBeGreaterThan(0)
    await expect(core.tx.read((m) => Promise.resolve(familyBalance(m, w.f2.familyId, today())))).resolves.toMatchObject({ balanceCents: -w.expected.f2, creditCents: w.expected.f2 })
    const p = await previewRun(core, w.regieId, '2026-09')
    expect(p.families.find((f) => f.familyId === w.f2.familyId)).toMatchObject({ totalCents: w.expected.f2, creditCents: w.expected.f2 })
    const r = await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-09' })
    expect(r).toMatchObject({ invoiceCount: 1, firstNumber: 'AL-4' })
    const fresh = await invoiceOf(w.f2.familyId)
    expect(fresh.number).toBe('AL-4')
    expect((await core.tx.read((m) => invoiceDetail(m, fresh.id, today()))).state).toBe('paid')
    const text = pdfText((await renderInvoice(core, old.id)).data)
    expect(text).toContain('FACTURE ANNULÉE – avoir N° AL-AV1')
  })
})

describe('statements', () => {
  test('balances are consistent to the cent for every family', async () => {
    for (const f of [w.f1, w.f2, w.f3, w.f4]) {
      await core.tx.read(async (m) => {
        const st = familyStatement(m, f.familyId, '2026-2027', today())
        const b = familyBalance(m, f.familyId, today())
        const sum = st.rows.reduce((s, r) => s + r.debitCents - r.creditCents, 0)
        expect(st.closingCents, `family ${f.lastName}`).toBe(st.openingCents + sum)
        expect(st.closingCents, `family ${f.lastName}`).toBe(b.balanceCents)
        expect(b.balanceCents, `family ${f.lastName}`).toBe(b.unpaidCents - b.creditCents)
      })
    }
    const f1 = await core.tx.read(async (m) => familyStatement(m, w.f1.familyId, '2026-2027', today()))
    expect(f1.rows.map((r) => [r.operation, r.description, r.debitCents, r.creditCents])).toEqual([
      ['AL-1', 'Facture : 01/09/2026 - 30/09/2026', w.expected.f1, 0],
      ['AL-R1', 'Règlement : Espèces', 0, 5000]
    ])
    expect(f1.closingCents).toBe(w.expected.f1 - 5000)
    const f3 = await core.tx.read(async (m) => familyStatement(m, w.f3.familyId, '2026-2027', today()))
    expect(f3.rows.map((r) => r.description)).toEqual([
      'Facture : 01/09/2026 - 30/09/2026',
      'Règlement : Prélèvement',
      'Rejet de prélèvement AL-R3 : AM04 – Provision insuffisante',
      'Règlement : Chèque n° 0012345'
    ])
    expect(f3.closingCents).toBe(0)
    const text = pdfText((await renderStatement(core, w.f3.familyId, '2026-2027')).data)
    expect(text).toContain('RELEVÉ DE COMPTE')
    expect(text).toMatch(/Rejet de prélèvement/)
    // The balance carried over comes first, right under the header, then the operations.
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean)
    const header = lines.findIndex((l) => l.startsWith('N° Opération'))
    expect(lines[header + 1]).toMatch(/^Ancien solde\s+01\/09\/2026\s+0,00 €\s+0,00 €$/)
    expect(lines[header + 2]).toMatch(/^AL-3\s+02\/10\/2026\s+Facture/)
  })
})

describe('attestation fiscale', () => {
  test('for the child under 6, from the payments received in the year, filed in the family documents', async () => {
    core.clock.set(new Date('2027-01-15T08:00:00Z'))
    const r = await createAttestation(core, w.f1.actor, w.f1.familyId, 2026)
    // Zoé (born 2021): her mornings (2 × 1,08) and Wednesdays (15,00 + 9,00); Léo is 8.
    expect(r.totalCents).toBe(216 + 1500 + 900)
    const doc = await core.tx.read((m) => m.findOneByOrFail(FamilyDocument, { id: r.documentId }))
    expect(doc).toMatchObject({ familyId: w.f1.familyId, docType: 'attestation-fiscale', title: 'Attestation fiscale 2026' })
    await expect(createAttestation(core, w.f3.actor, w.f3.familyId, 2026)).rejects.toThrow(/pas d’attestation/)
  })
})

describe('accountants’ exports, read back with SheetJS', () => {
  const read = async (kind: 'invoice-journal' | 'payment-journal' | 'aged-balance' | 'revenue' | 'caf-stats', from: string, to: string) => {
    const f = await buildExport(core, { kind, from, to, regieId: null })
    return XLSX.read(f.data, { type: 'buffer', cellDates: true })
  }
  /** Rows under the header of a sheet, as objects keyed by header, the totals row apart. */
  const table = (ws: XLSX.WorkSheet, headerRow: number) => {
    const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(ws, { range: headerRow - 1, raw: true })
    return { rows: rows.slice(0, -1), totals: rows.at(-1)! }
  }
  const db = () => core.db

  test('invoice journal: one row per invoice, totals equal the database', async () => {
    const wb = await read('invoice-journal', '2026-09-01', '2026-12-31')
    const { rows, totals } = table(wb.Sheets.Factures, 3)
    const inDb = db().prepare('SELECT number, total_cents FROM invoice ORDER BY seq').all() as { number: string; total_cents: number }[]
    expect(rows.map((r) => r['Numéro'])).toEqual(inDb.map((r) => r.number))
    const sum = inDb.reduce((s, r) => s + r.total_cents, 0)
    expect(Math.round((totals['Montant'] as number) * 100)).toBe(sum)
    expect(rows[0]['Date']).toBeInstanceOf(Date)
    const notes = table(wb.Sheets.Avoirs, 1)
    expect(Math.round((notes.totals['Montant'] as number) * 100)).toBe((db().prepare('SELECT SUM(amount_cents) AS s FROM credit_note').get() as { s: number }).s)
  })

  test('payment journal: by mode and by deposit, totals equal the database', async () => {
    const wb = await read('payment-journal', '2026-09-01', '2026-12-31')
    const { totals } = table(wb.Sheets['Règlements'], 3)
    const sum = (db().prepare('SELECT SUM(amount_cents) AS s FROM payment').get() as { s: number }).s
    expect(Math.round((totals['Montant'] as number) * 100)).toBe(sum)
    const byMode = table(wb.Sheets['Par mode'], 1)
    expect(Math.round((byMode.totals['Montant'] as number) * 100)).toBe(sum)
    expect(byMode.rows.map((r) => r['Mode']).sort()).toEqual(['Carte bancaire', 'Chèque', 'Espèces', 'Prélèvement'])
    const byDeposit = table(wb.Sheets['Par remise'], 1)
    expect(byDeposit.rows).toMatchObject([{ Remise: 'AL-REM0001', Nombre: 1 }])
  })

  test('aged balance: what is due by age equals the open invoices', async () => {
    core.clock.set(new Date('2026-12-15T08:00:00Z'))
    const wb = await read('aged-balance', '2026-09-01', '2026-12-15')
    const { totals } = table(wb.Sheets['Balance âgée'], 3)
    const due = await core.tx.read(async (m) => [w.f1, w.f2, w.f3, w.f4].reduce((s, f) => s + familyBalance(m, f.familyId, today()).unpaidCents, 0))
    expect(Math.round(((totals['Total dû'] as number) ?? 0) * 100)).toBe(due)
  })

  test('revenue by activity and month: equals the lines of the standing invoices', async () => {
    const wb = await read('revenue', '2026-09-01', '2026-10-31')
    const { rows, totals } = table(wb.Sheets.Recettes, 3)
    const inDb = (db().prepare(`SELECT SUM(l.amount_cents) AS s FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id WHERE i.status = 'issued'`).get() as { s: number }).s
    expect(Math.round((totals['Total'] as number) * 100)).toBe(inDb)
    const alae = rows.find((r) => r['Activité'] === 'ALAE')!
    expect(Math.round((alae['09/2026'] as number) * 100)).toBe(120 * 4 + 300 + 600 + 108 * 2 + 200 * 2 + 200 + 100 + 80 * 3 + 450)
  })

  test('CAF statistics: hours booked and attended per age bracket', async () => {
    const wb = await read('caf-stats', '2026-09-01', '2026-09-30')
    const { rows } = table(wb.Sheets['Statistiques CAF'], 3)
    const merc = rows.find((r) => r['Activité'] === 'Mercredis' && r['Tranche d’âge'] === 'Moins de 6 ans')!
    // Zoé: 02/09 matin + après-midi (3 h 30 + 4 h, both attended) and 09/09 matin booked only.
    expect(merc['Heures réservées']).toBe(11)
    expect(merc['Heures réalisées']).toBe(7.5)
    const soir = rows.find((r) => r['Activité'] === 'ALAE' && r['Tranche d’âge'] === '6 ans et plus')!
    expect(soir['Enfants']).toBe(3)
  })

  test('the staff API hands the file over as bytes (Electron save dialog or browser download)', async () => {
    const staff = await client(staffApp, 'staff')
    await staff.loginStaff(w.comptable.login, w.comptable.password)
    const r = await staff.call('billing-export', { kind: 'invoice-journal', from: '2026-09-01', to: '2026-12-31' })
    expect(r.status).toBe(200)
    expect(r.body.mime).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    const wb = XLSX.read(Buffer.from(r.body.base64, 'base64'), { type: 'buffer' })
    expect(wb.SheetNames).toEqual(['Factures', 'Avoirs'])
    const accueil = await seedStaff(core, 'accueil')
    const desk = await client(staffApp, 'staff')
    await desk.loginStaff(accueil.login, accueil.password)
    expect((await desk.call('billing-export', { kind: 'invoice-journal', from: '2026-09-01', to: '2026-12-31' })).status).toBe(403)
  })
})

describe('the database agrees with itself', () => {
  test('allocations never exceed an invoice or a payment', async () => {
    const db = await core.tx.read(async (m) => dbOf(m))
    const over = db.prepare(`SELECT i.number FROM invoice i WHERE COALESCE((SELECT SUM(amount_cents) FROM payment_allocation a WHERE a.invoice_id = i.id), 0) > i.total_cents`).all()
    expect(over).toEqual([])
    const overPaid = db.prepare(`SELECT p.number FROM payment p WHERE COALESCE((SELECT SUM(amount_cents) FROM payment_allocation a WHERE a.payment_id = p.id), 0) > p.amount_cents`).all()
    expect(overPaid).toEqual([])
    expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok')
  })
})

export type { TestClient }
