/**
 * The RGPD export's enrolments, bookings and billing sections (art. 15/20),
 * on a real core: a family with an enrolment, bookings through the portal
 * flow (requested, accepted, refused, an absence), September's invoice and a
 * payment; its neighbours' data must stay out.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { commitFamilyChanges } from '../../src-main/bookings/commit'
import { decideChanges, listQueue } from '../../src-main/bookings/decisions'
import { declareAbsence } from '../../src-main/bookings/absences'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { recordPayment } from '../../src-main/billing/payments/payments'
import { Invoice } from '../../src-main/billing/entities'
import { Child } from '../../src-main/families/entities'
import { exportFamilyData } from '../../src-main/rgpd/export'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { seedBillingWorld, type BillingWorld } from '../helpers/billing'
import { enrol, seedActivity, type SeededActivity } from '../helpers/bookings'
import { pdfText } from '../helpers/billing-tools'
import { download } from '../helpers/files'

const WEDNESDAYS = ['2027-01-06', '2027-01-13', '2027-01-20']
const sp = (s: string) => s.replace(/\u00a0/g, ' ')

let core: TestCore
let w: BillingWorld
let act: SeededActivity
let portal: FastifyInstance
let staffApp: FastifyInstance
let family: TestClient
let data: { other: Record<string, any> }
let jsonText: string

beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-09-20T08:00:00Z') })
  w = await seedBillingWorld(core)
  // F2's child gets a name of its own, so a leak would show.
  await core.tx.run((m) => m.update(Child, { id: w.f2.child }, { firstName: 'Inès' }))
  const desk = await seedStaff(core, 'accueil')

  act = await seedActivity(core, { validation: 'staff' })
  await enrol(core, act, w.f1.childA)
  await enrol(core, act, w.f2.child)
  const unit = act.units[0].id
  await commitFamilyChanges(core, w.f1.actor, WEDNESDAYS.map((day) => ({ childId: w.f1.childA, unitId: unit, day, op: 'add' as const })))
  await commitFamilyChanges(core, w.f2.actor, [{ childId: w.f2.child, unitId: unit, day: '2027-01-27', op: 'add' }])
  const q = await listQueue(core, { childId: w.f1.childA, kind: 'reservation', limit: 50, offset: 0 })
  const byDay = new Map(q.items.map((i) => [i.day, i.changeId]))
  await decideChanges(core, desk.actor, { changeIds: [byDay.get(WEDNESDAYS[0])!, byDay.get(WEDNESDAYS[1])!], decision: 'accept', reason: '' })
  await decideChanges(core, desk.actor, { changeIds: [byDay.get(WEDNESDAYS[2])!], decision: 'refuse', reason: 'Groupe complet ce jour-là' })
  await declareAbsence(core, w.f1.actor, { childId: w.f1.childA, from: WEDNESDAYS[1], to: WEDNESDAYS[1], reason: 'autre', comment: 'Voyage chez les grands-parents', certificateDocumentId: null })

  await issueRun(core, SYSTEM, { regieId: w.regieId, month: '2026-09', confirmUnfinishedMonth: true })
  await recordPayment(core, w.comptable.actor, {
    familyId: w.f1.familyId,
    regieId: w.regieId,
    mode: 'cheque',
    amountCents: 1000,
    receivedOn: '2026-09-25',
    chequeNumber: '7654321',
    bank: 'Banque Populaire',
    payer: 'Claire Dupont',
    reference: '',
    allocations: []
  })

  portal = await buildPortalApp(core)
  staffApp = await buildStaffApp(core)
  family = await client(portal, 'portal')
  await family.loginPortal(w.f1.login, w.f1.password)
  const json = await download(portal, family, '/api/portal/files/export.json')
  expect(json.status).toBe(200)
  jsonText = json.text
  data = JSON.parse(json.text)
}, 120_000)
afterAll(async () => {
  await portal.close()
  await staffApp.close()
  await core.cleanup()
})

describe('RGPD export: enrolments, bookings, billing', () => {
  test('"Inscriptions" lists the enrolment with activity, period, group and status in French', () => {
    expect(data.other['Inscriptions']).toEqual([
      expect.objectContaining({ child: 'Léo', activity: 'CL Maternel Mercredis', period: '2026/2027 (du 01/09/2026 au 03/07/2027)', group: 'Maternelle', status: 'Validée' })
    ])
  })

  test('"Réservations et absences" holds every booking of the family’s children, with French states and prices in euros', async () => {
    const s = data.other['Réservations et absences']
    const expected = core.db
      .prepare('SELECT COUNT(*) AS n FROM booking b JOIN child c ON c.id = b.child_id WHERE c.family_id = ?')
      .get(w.f1.familyId) as { n: number }
    expect(s.bookings).toHaveLength(expected.n)
    expect(expected.n).toBe(16 + 3)
    const at = (child: string, date: string, unit: string) => s.bookings.find((b: any) => b.child === child && b.date === date && b.unit === unit)
    expect(at('Léo', '2026-09-07', 'Matin')).toMatchObject({ activity: 'ALAE', state: 'Absence facturée' })
    expect(at('Léo', '2026-09-10', 'Matin')).toMatchObject({ state: 'Réservation annulée' })
    expect(at('Zoé', '2026-09-02', 'Après-midi')).toMatchObject({ activity: 'Mercredis', state: 'Présent' })
    const unit = act.units[0].name
    expect(at('Léo', WEDNESDAYS[0], unit)).toMatchObject({ activity: 'CL Maternel Mercredis', state: 'Réservation validée', price: '5,20 €'.replace(' ', '\u00a0'), origin: 'Famille (portail)' })
    expect(at('Léo', WEDNESDAYS[1], unit)).toMatchObject({ state: 'Demande d’annulation' })
    expect(at('Léo', WEDNESDAYS[2], unit)).toMatchObject({ state: 'Réservation refusée' })
    // The children of this family only: not F2's Inès, her atelier or her Wednesday.
    expect(s.bookings.every((b: any) => b.child === 'Léo' || b.child === 'Zoé')).toBe(true)
    expect(jsonText).not.toContain('Inès')
    expect(jsonText).not.toContain('Atelier théâtre')
    expect(s.bookings.some((b: any) => b.date === '2027-01-27')).toBe(false)
  })

  test('the booking_change history: kind, outcome, late flag, reasons and dates', () => {
    const changes = data.other['Réservations et absences'].changes
    expect(changes.map((c: any) => [c.date, c.kind, c.status])).toEqual([
      [WEDNESDAYS[0], 'Réservation', 'Acceptée'],
      [WEDNESDAYS[1], 'Réservation', 'Acceptée'],
      [WEDNESDAYS[2], 'Réservation', 'Refusée'],
      [WEDNESDAYS[1], 'Absence', 'En attente']
    ])
    expect(changes[2]).toMatchObject({ reason: 'Groupe complet ce jour-là', late: false, requestedAt: '2026-09-20T08:00:00.000Z', decidedAt: '2026-09-20T08:00:00.000Z' })
    expect(changes[3]).toMatchObject({ absenceReason: 'Autre', comment: 'Voyage chez les grands-parents', decidedAt: null })
  })

  test('"Facturation": the invoice with paid and remaining, the payment; no SEPA mandate of another family', async () => {
    const b = data.other['Facturation']
    const inv = await core.tx.read((m) => m.findOneByOrFail(Invoice, { familyId: w.f1.familyId }))
    expect(b.invoices).toHaveLength(1)
    expect(b.invoices[0]).toMatchObject({ number: inv.number, issueDate: '2026-09-20', period: 'du 01/09/2026 au 30/09/2026', state: 'Partiellement payée', collection: 'Paiement direct' })
    expect(sp(b.invoices[0].total)).toBe(`${(w.expected.f1 / 100).toFixed(2).replace('.', ',')} €`)
    expect(sp(b.invoices[0].paid)).toBe('10,00 €')
    expect(sp(b.invoices[0].remaining)).toBe(`${((w.expected.f1 - 1000) / 100).toFixed(2).replace('.', ',')} €`)
    expect(b.payments).toEqual([
      expect.objectContaining({ date: '2026-09-25', mode: 'Chèque', details: 'Chèque n° 7654321', payer: 'Claire Dupont', invoicesPaid: [inv.number], status: 'Encaissé' })
    ])
    expect(b.mandates).toEqual([])
    const others = await core.tx.read((m) => m.find(Invoice, { where: [{ familyId: w.f2.familyId }, { familyId: w.f3.familyId }] }))
    expect(others.length).toBe(2)
    for (const o of others) expect(jsonText).not.toContain(o.number)
  })

  test('a SEPA mandate is exported with its RUM and signature date, the IBAN masked but for its last 4 characters', async () => {
    const d = (await exportFamilyData(core, w.f3.familyId)) as unknown as { other: Record<string, any> }
    const [mandate] = d.other['Facturation'].mandates
    expect(mandate).toMatchObject({ holder: 'Paul Bernard', signedOn: '2026-08-20', status: 'Actif', iban: 'FR14 **** **** 2606' })
    expect(mandate.rum).toMatch(/^RUM-/)
    expect(JSON.stringify(d)).not.toContain('FR1420041010050500013M02606')
    expect(d.other['Facturation'].invoices[0].collection).toBe('Prélèvement')
  })

  test('the PDF shows the three sections legibly, with booking dates, states and invoice numbers', async () => {
    const pdf = await download(portal, family, '/api/portal/files/export.pdf')
    expect(pdf.status).toBe(200)
    const text = pdfText(pdf.raw)
    for (const title of ['Inscriptions', 'Réservations et absences', 'Facturation']) expect(text).toContain(title)
    expect(text).toContain('06/01/2027')
    expect(text).toContain('Réservation refusée')
    expect(text).toContain('Demandes de réservation, d’annulation et absences')
    expect(text).toContain('Acceptée')
    expect(text).toContain('Validée')
    const inv = await core.tx.read((m) => m.findOneByOrFail(Invoice, { familyId: w.f1.familyId }))
    expect(text).toContain(inv.number)
    expect(text).toContain('7654321')
    // Tables, not a JSON dump.
    expect(text).not.toContain('"bookings"')
    expect(text).not.toContain('Inès')
  })
})
