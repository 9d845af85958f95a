/**
 * A closure over days already invoiced: the bookings are cancelled and, the
 * invoice being immutable, each billed day comes back as a negative
 * adjustment that the next run of the régie deducts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { formatEuro } from '@shared/billing/money'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { previewRun } from '../../src-main/billing/invoicing/runs'
import { saveClosure } from '../../src-main/calendar/admin'
import { previewClosureCancellations } from '../../src-main/calendar/closure-bookings'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, outboxMails, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { book, seedBillingWorld, type BillingWorld } from '../helpers/billing'
import { client } from '../helpers/http'

const strike = { facilityId: null, activityId: null, startDate: '2026-09-04', endDate: '2026-09-09', reason: 'Grève du personnel' }

describe('a closure over invoiced days credits the families on their next invoice', () => {
  let core: TestCore
  let w: BillingWorld
  let direction: SeededStaff
  const ids = { aMatin04: 0, bMercMatin09: 0, bMercAprem09: 0, f3Matin04: 0, bMatin04: 0 }

  const stateOf = (id: number) => (core.db.prepare('SELECT state FROM booking WHERE id = ?').get(id) as { state: string }).state
  const billedLine = (bookingId: number) =>
    core.db
      .prepare(
        `SELECT l.amount_cents AS amount, l.kind, i.id AS invoiceId FROM billed_booking bb JOIN invoice i ON i.id = bb.invoice_id
           JOIN invoice_line l ON l.invoice_id = i.id AND (l.booking_id = bb.booking_id OR (l.booking_id IS NULL AND l.kind IN ('day', 'half-day') AND l.day = (SELECT day FROM booking WHERE id = bb.booking_id)))
          WHERE bb.booking_id = ?`
      )
      .get(bookingId) as { amount: number; kind: string; invoiceId: number } | undefined
  const closureAdjustments = () =>
    core.db
      .prepare(`SELECT id, regie_id AS regieId, family_id AS familyId, child_id AS childId, month, label, amount_cents AS amountCents, invoice_id AS invoiceId, created_by AS createdBy FROM billing_adjustment WHERE label LIKE 'Régularisation : fermeture%' ORDER BY id`)
      .all() as { id: number; regieId: number; familyId: number; childId: number | null; month: string; label: string; amountCents: number; invoiceId: number | null; createdBy: number | null }[]
  const octoberTotals = async () => new Map((await previewRun(core, w.regieId, '2026-10')).families.map((f) => [f.familyId, f.totalCents]))

  beforeEach(async () => {
    core = await openTestCore({ now: new Date('2026-09-20T08:00:00Z') })
    w = await seedBillingWorld(core)
    direction = await seedStaff(core, 'direction', { displayName: 'Claire Directrice' })
    // Zoé (f1, child B) also on the Wednesday afternoon of 09/09: with the morning, ONE day line (booking_id NULL) bills both.
    ids.bMercAprem09 = book(core, w.f1.childB, w.units.mercAprem, '2026-09-09', 'R')
    ids.aMatin04 = bookingId(w.f1.childA, w.units.matin, '2026-09-04')
    ids.bMercMatin09 = bookingId(w.f1.childB, w.units.mercMatin, '2026-09-09')
    ids.f3Matin04 = bookingId(w.f3.child, w.units.matin, '2026-09-04')
    // Invoiced on the 20th on purpose (confirmed): what is booked afterwards is not on the invoice.
    await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-09', confirmUnfinishedMonth: true })
    // Booked after the September run: not invoiced, so the closure must give nothing back for it.
    ids.bMatin04 = book(core, w.f1.childB, w.units.matin, '2026-09-04', 'R')
    // October consumption, so the next run has something to deduct from.
    for (const day of ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-08', '2026-10-09']) book(core, w.f1.childA, w.units.repas, day, 'R')
    book(core, w.f3.child, w.units.repas, '2026-10-01', 'R')
  })
  afterEach(() => core.cleanup())

  function bookingId(childId: number, unitId: number, day: string): number {
    return (core.db.prepare('SELECT id FROM booking WHERE child_id = ? AND unit_id = ? AND day = ?').get(childId, unitId, day) as { id: number }).id
  }

  it('cancels, writes one negative adjustment per billed line with its audit row, and the next run deducts exactly that', async () => {
    // What September billed for the covered bookings, read from the issued invoice lines.
    const a04 = billedLine(ids.aMatin04)!
    const day09 = billedLine(ids.bMercMatin09)!
    const f304 = billedLine(ids.f3Matin04)!
    expect(a04).toMatchObject({ amount: 120, kind: 'unit' })
    expect(day09).toMatchObject({ amount: 1500, kind: 'day' }) // 3 h 30 + 4 h ≥ 5 h → full day, both units on one line
    expect(billedLine(ids.bMercAprem09)).toMatchObject({ amount: 1500, kind: 'day', invoiceId: day09.invoiceId })
    expect(f304).toMatchObject({ amount: 80, kind: 'unit' })
    expect(billedLine(ids.bMatin04)).toBeUndefined()

    const before = await octoberTotals()
    expect(await previewClosureCancellations(core, strike)).toEqual({ bookings: 5, families: 2, creditedBookings: 4 })
    // Counted one family per read (a city's preview reads 100 at a time): the same counts.
    expect(await previewClosureCancellations(core, strike, 1)).toEqual({ bookings: 5, families: 2, creditedBookings: 4 })

    const out = await saveClosure(core, direction.actor, strike)
    expect(out).toMatchObject({ cancelledBookings: 5, notifiedFamilies: 2, creditedBookings: 4 })
    for (const id of Object.values(ids)) expect(stateOf(id)).toBe('CANCELLED')

    // One adjustment per billed line: Léo's morning, Zoé's Wednesday (one line for two units), Bernard's morning. Nothing for
    // Zoé's morning of 04/09, booked after the run. Filed under September, the month the next run (any month ≥) picks up.
    const adj = closureAdjustments()
    expect(adj.map(({ id: _id, ...a }) => a)).toEqual([
      { regieId: w.regieId, familyId: w.f1.familyId, childId: w.f1.childA, month: '2026-09', label: 'Régularisation : fermeture exceptionnelle du 04/09 (Grève du personnel)', amountCents: -120, invoiceId: null, createdBy: direction.id },
      { regieId: w.regieId, familyId: w.f1.familyId, childId: w.f1.childB, month: '2026-09', label: 'Régularisation : fermeture exceptionnelle du 09/09 (Grève du personnel)', amountCents: -1500, invoiceId: null, createdBy: direction.id },
      { regieId: w.regieId, familyId: w.f3.familyId, childId: w.f3.child, month: '2026-09', label: 'Régularisation : fermeture exceptionnelle du 04/09 (Grève du personnel)', amountCents: -80, invoiceId: null, createdBy: direction.id }
    ])

    // Audited like createAdjustment, naming the staff user, the closure and the credited invoice.
    const audits = (await auditRows(core, 'adjustment-create')).filter((r) => r.after?.closureId === out.id)
    expect(audits.map((r) => Number(r.entityId))).toEqual(adj.map((a) => a.id))
    for (const r of audits) expect(r).toMatchObject({ actorKind: 'staff', actorId: direction.id, actorLabel: 'Claire Directrice', entity: 'billing_adjustment' })
    expect(audits[1].after).toMatchObject({ amountCents: -1500, creditedInvoiceId: day09.invoiceId, bookingIds: [ids.bMercMatin09, ids.bMercAprem09].sort((x, y) => x - y) })

    // The e-mail says what is credited and what was never billed.
    const mails = (await outboxMails(core)).filter((m) => m.subject.includes('Fermeture exceptionnelle'))
    expect(mails.map((m) => m.recipient).sort()).toEqual([w.f1.login, w.f3.login].sort())
    const toF1 = mails.find((m) => m.recipient === w.f1.login)!.textBody
    expect(toF1).toContain(`Ces jours vous avaient déjà été facturés : le montant correspondant (${formatEuro(1620)}) sera déduit de votre prochaine facture.`)
    expect(toF1).toContain('LÉO – ALAE – Matin\n1 réservation annulée (déjà facturée, à déduire) le : ven. 04/09')
    expect(toF1).toContain('ZOÉ – ALAE – Matin\n1 réservation annulée (non facturée) le : ven. 04/09')
    expect(toF1).toContain('ZOÉ – Mercredis – Matin\n1 réservation annulée (déjà facturée, à déduire) le : mer. 09/09')
    expect(mails.find((m) => m.recipient === w.f3.login)!.textBody).toContain(`(${formatEuro(80)}) sera déduit de votre prochaine facture`)

    // The next run (October) deducts exactly the credited amounts.
    const after = await octoberTotals()
    expect(after.get(w.f1.familyId)).toBe(before.get(w.f1.familyId)! - 1620)
    expect(after.get(w.f3.familyId)).toBe(before.get(w.f3.familyId)! - 80)
    expect(after.get(w.f1.familyId)).toBeGreaterThan(0)
    const run = await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-10', confirmUnfinishedMonth: true })
    const invoiceOf = (familyId: number) =>
      core.db.prepare('SELECT id, total_cents AS total FROM invoice WHERE run_id = ? AND family_id = ?').get(run.runId, familyId) as { id: number; total: number }
    const f1Invoice = invoiceOf(w.f1.familyId)
    expect(f1Invoice.total).toBe(before.get(w.f1.familyId)! - 1620)
    const lines = core.db.prepare(`SELECT label, amount_cents AS amount FROM invoice_line WHERE invoice_id = ? AND kind = 'adjustment' ORDER BY sort`).all(f1Invoice.id)
    expect(lines).toEqual([
      { label: 'Régularisation : fermeture exceptionnelle du 04/09 (Grève du personnel)', amount: -120 },
      { label: 'Régularisation : fermeture exceptionnelle du 09/09 (Grève du personnel)', amount: -1500 }
    ])
    expect(invoiceOf(w.f3.familyId).total).toBe(before.get(w.f3.familyId)! - 80)
    expect(closureAdjustments().map((a) => a.invoiceId)).toEqual([f1Invoice.id, f1Invoice.id, invoiceOf(w.f3.familyId).id])

    // Re-saving the closure credits nothing twice.
    expect(await saveClosure(core, direction.actor, { ...strike, id: out.id, version: out.version })).toMatchObject({ cancelledBookings: 0, creditedBookings: 0 })
    expect(closureAdjustments()).toHaveLength(3)
  })

  it('a day line stays due (no credit) while another unit of that day is still consumed', async () => {
    // Zoé was pointed present on the Wednesday afternoon: the day was consumed, only the morning is cancelled.
    core.db.prepare(`UPDATE booking SET state = 'PRESENT' WHERE id = ?`).run(ids.bMercAprem09)
    const wednesday = { ...strike, activityId: w.activities.mercredis, startDate: '2026-09-09', endDate: '2026-09-09' }
    expect(await previewClosureCancellations(core, wednesday)).toEqual({ bookings: 1, families: 1, creditedBookings: 0 })
    const out = await saveClosure(core, direction.actor, wednesday)
    expect(out).toMatchObject({ cancelledBookings: 1, creditedBookings: 0 })
    expect(stateOf(ids.bMercMatin09)).toBe('CANCELLED')
    expect(closureAdjustments()).toEqual([])
    const mail = (await outboxMails(core)).find((m) => m.subject.includes('Fermeture exceptionnelle'))!
    expect(mail.textBody).toContain('1 réservation annulée, comprise dans un forfait ou une journée déjà facturés, le : mer. 09/09')
    expect(mail.textBody).not.toContain('sera déduit')
  })

  it('the staff API returns the credited count in the preview and the save', async () => {
    const app: FastifyInstance = await buildStaffApp(core)
    try {
      const dir = await client(app, 'staff')
      await dir.loginStaff(direction.login, direction.password)
      expect(await dir.call('closures-preview', strike)).toMatchObject({ status: 200, body: { bookings: 5, families: 2, creditedBookings: 4 } })
      expect(closureAdjustments()).toEqual([]) // a preview writes nothing
      const saved = await dir.call('closures-save', strike)
      expect(saved).toMatchObject({ status: 200, body: { cancelledBookings: 5, notifiedFamilies: 2, creditedBookings: 4 } })
      expect(closureAdjustments()).toHaveLength(3)
    } finally {
      await app.close()
    }
  })
})
