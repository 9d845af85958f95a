/**
 * A shared child's fixed split over time (issue 16): the direction changes the
 * split after months were invoiced. Issued invoices never change; the new
 * split applies from its start date; an invoice of an earlier month cancelled
 * and billed again takes the split in force on its days (migration 0032).
 * And a period flat rate (forfait sur la période) under a split: each household
 * pays its share once, the shares sum to the price, the odd cent to the
 * household it is priced for. One seeded billing world for the file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { tariffInput } from '@shared/contract/billing-shapes'
import { Invoice, InvoiceLine } from '../../src-main/billing/entities'
import { cancelInvoice } from '../../src-main/billing/invoices'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { computeRun } from '../../src-main/billing/invoicing/compute'
import { getBillingSettings } from '../../src-main/billing/settings'
import { saveTariff } from '../../src-main/billing/tariffs/tariffs'
import { saveActivity, savePeriod, saveUnit } from '../../src-main/activities/config'
import { getBillingSplit, saveBillingSplit } from '../../src-main/families/billing-split'
import { SYSTEM } from '../../src-main/core/actor'
import { book, seedSharedChildWorld, type BillingWorld } from '../helpers/billing'
import { openTestCore, type SeededStaff, type TestCore } from '../helpers/core'

let core: TestCore
let w: BillingWorld
let director: SeededStaff
/** Zoé: first household Dupont (QF 800, second of its children), second household Bernard (QF 500). */
let zoe: number

const bookAs = (familyId: number, childId: number, unitId: number, day: string) => {
  const id = book(core, childId, unitId, day, 'R')
  core.db.prepare('UPDATE booking SET family_id = ? WHERE id = ?').run(familyId, id)
  return id
}
const setSplit = async (firstSharePercent: number, fromDay: string | null, mode: 'fixed' | 'booking' = 'fixed') => {
  const { version } = await core.tx.read((m) => getBillingSplit(m, zoe))
  await saveBillingSplit(core, director.actor, zoe, { mode, firstSharePercent, fromDay }, version)
}
const compute = async (month: string, familyIds?: number[]) => computeRun(core.db, { regieId: w.regieId, month, settings: await core.tx.read((m) => getBillingSettings(m)), familyIds })
type Draft = Awaited<ReturnType<typeof compute>>
const zoeLines = (d: Draft, familyId: number) =>
  (d.families.find((f) => f.familyId === familyId)?.lines ?? []).filter((l) => l.childId === zoe).map((l) => [l.label, l.day, l.amountCents])
const invoiceOf = (familyId: number, periodStart: string) =>
  core.tx.read(async (m) => {
    const inv = await m.findOneOrFail(Invoice, { where: { familyId, periodStart }, order: { id: 'DESC' } })
    const lines = await m.find(InvoiceLine, { where: { invoiceId: inv.id }, order: { id: 'ASC' } })
    return { inv, zoe: lines.filter((l) => l.childId === zoe).map((l) => [l.label, l.day, l.amountCents]) }
  })

beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-09-20T08:00:00Z') })
  ;({ w, director, zoe } = await seedSharedChildWorld(core))
  bookAs(w.f3.familyId, zoe, w.units.matin, '2026-09-14')
})
afterAll(() => core.cleanup())

describe('a fixed split changed after some months were invoiced', () => {
  let septDupont: Awaited<ReturnType<typeof invoiceOf>>
  let septBernard: Awaited<ReturnType<typeof invoiceOf>>

  test('September is invoiced at 50 / 50', async () => {
    await setSplit(50, '2026-09-01')
    core.clock.set(new Date('2026-10-01T08:00:00Z'))
    await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-09' })
    septDupont = await invoiceOf(w.f1.familyId, '2026-09-01')
    septBernard = await invoiceOf(w.f3.familyId, '2026-09-01')
    // Dupont's 1,08 morning: 0,54 each; Bernard's 0,72 morning (his own child is his eldest): 0,36 each.
    expect(septDupont.zoe).toContainEqual(['Matin – part de 50 %', '2026-09-01', 54])
    expect(septBernard.zoe).toContainEqual(['Matin – part de 50 %', '2026-09-01', 54])
    expect(septDupont.zoe).toContainEqual(['Matin – part de 50 %', '2026-09-14', 36])
  })

  test('the direction sets 80 / 20 from October: September’s invoices stay as issued, October is billed at the new split', async () => {
    bookAs(w.f1.familyId, zoe, w.units.matin, '2026-10-01')
    await setSplit(80, '2026-10-01')
    expect(await invoiceOf(w.f1.familyId, '2026-09-01')).toEqual(septDupont)
    expect(await invoiceOf(w.f3.familyId, '2026-09-01')).toEqual(septBernard)
    // Nothing of September is due again.
    expect((await compute('2026-09')).families.filter((f) => f.willIssue && (f.familyId === w.f1.familyId || f.familyId === w.f3.familyId))).toEqual([])
    // October: Zoé is Dupont's only child booked (rank 1, 1,20), split 80 / 20: Bernard 24, Dupont the rest.
    const oct = await compute('2026-10')
    expect(zoeLines(oct, w.f1.familyId)).toEqual([['Matin – part de 80 %', '2026-10-01', 96]])
    expect(zoeLines(oct, w.f3.familyId)).toEqual([['Matin – part de 20 %', '2026-10-01', 24]])
  })

  test('cancelling September’s invoice of one household and billing it again takes the split in force on those days (50 / 50)', async () => {
    await cancelInvoice(core, director.actor as Extract<typeof director.actor, { kind: 'staff' }>, septDupont.inv.id, 'Erreur de saisie')
    const sept = await compute('2026-09')
    expect(sept.families.filter((f) => f.willIssue).map((f) => f.familyId)).toEqual([w.f1.familyId])
    expect(zoeLines(sept, w.f1.familyId)).toEqual(septDupont.zoe)
    // The household's chunk alone bills the same.
    expect(zoeLines(await compute('2026-09', [w.f1.familyId]), w.f1.familyId)).toEqual(septDupont.zoe)
    await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-09' })
    const again = await invoiceOf(w.f1.familyId, '2026-09-01')
    expect(again.inv.id).not.toBe(septDupont.inv.id)
    expect([again.inv.totalCents, again.zoe]).toEqual([septDupont.inv.totalCents, septDupont.zoe])
    // Bernard's September invoice was never touched.
    expect(await invoiceOf(w.f3.familyId, '2026-09-01')).toEqual(septBernard)
  })

  test('a split saved without a start date applies from the day after the child’s last invoiced day', async () => {
    core.clock.set(new Date('2026-11-02T08:00:00Z'))
    await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-10' })
    await setSplit(60, null)
    const periods = core.db.prepare('SELECT from_day AS fromDay, first_share_bp AS bp FROM child_billing_split_period WHERE child_id = ? ORDER BY from_day').all(zoe)
    expect(periods).toEqual([
      { fromDay: '2026-09-01', bp: 5000 },
      { fromDay: '2026-10-01', bp: 8000 },
      { fromDay: '2026-10-02', bp: 6000 }
    ])
    // The direction reads the same history on the child's page.
    expect((await core.tx.read((m) => getBillingSplit(m, zoe))).history).toEqual([
      { fromDay: '2026-09-01', mode: 'fixed', firstSharePercent: 50 },
      { fromDay: '2026-10-01', mode: 'fixed', firstSharePercent: 80 },
      { fromDay: '2026-10-02', mode: 'fixed', firstSharePercent: 60 }
    ])
    const audit = core.db.prepare(`SELECT after FROM audit_entry WHERE action = 'billing-split-save' AND entity_id = ? ORDER BY id DESC LIMIT 1`).get(String(zoe)) as { after: string }
    expect(JSON.parse(audit.after).appliesFrom).toBe('2026-10-02')
  })
})

describe('a period flat rate (forfait sur la période) under a fixed split', () => {
  let stage: number
  beforeAll(async () => {
    const typeId = (core.db.prepare('SELECT activity_type_id AS t FROM activity WHERE id = ?').get(w.activities.alae) as { t: number }).t
    const activity = await saveActivity(core, SYSTEM, { activityTypeId: typeId, name: 'Stage théâtre', openingRule: 'school-days', validation: 'auto', autoBook: false, typicalWeek: false, active: true, description: '' })
    await savePeriod(core, SYSTEM, { activityId: activity.id, name: 'Automne', startDate: '2026-11-02', endDate: '2026-12-18', windowStart: '2026-10-01', windowEnd: '2026-10-31' })
    stage = (await saveUnit(core, SYSTEM, { activityId: activity.id, name: 'Stage', startTime: '16:30', endTime: '18:00', priceCents: 0, sort: 1, excludes: [] })).id
    await saveTariff(core, SYSTEM, tariffInput.parse({ name: 'Stage au forfait', unitId: stage, mode: 'flat', flatPeriod: 'period', validFrom: '2026-09-01', brackets: [{ qfMin: 0, qfMax: 700, priceCents: 2001 }, { qfMin: 701, qfMax: null, priceCents: 3001 }] }))
    await setSplit(33.33, '2026-11-01')
    // Dupont has Zoé three days of the period, Bernard two (one in December): the flat is priced for Dupont (QF 800 → 30,01).
    for (const day of ['2026-11-03', '2026-11-05', '2026-11-10']) bookAs(w.f1.familyId, zoe, stage, day)
    bookAs(w.f3.familyId, zoe, stage, '2026-11-17')
    bookAs(w.f3.familyId, zoe, stage, '2026-12-01')
  })
  const flats = (d: Draft, familyId: number) => (d.families.find((f) => f.familyId === familyId)?.lines ?? []).filter((l) => l.kind === 'flat').map((l) => [l.label, l.amountCents])

  test('split like any line: one share per household, summing to the price, the odd cent to the household it is priced for', async () => {
    const nov = await compute('2026-11')
    // 3001 × 66,67 % = 2000,77 → Bernard 2000 (rounded down), Dupont 1001.
    expect(flats(nov, w.f1.familyId)).toEqual([['Forfait période – Stage théâtre – part de 33,33 %', 1001]])
    expect(flats(nov, w.f3.familyId)).toEqual([['Forfait période – Stage théâtre – part de 66,67 %', 2000]])
    // Each household's chunk alone computes the same share.
    expect(flats(await compute('2026-11', [w.f1.familyId]), w.f1.familyId)).toEqual(flats(nov, w.f1.familyId))
    expect(flats(await compute('2026-11', [w.f3.familyId]), w.f3.familyId)).toEqual(flats(nov, w.f3.familyId))
  })

  test('once invoiced, the period’s later month bills neither household again, and every booking is locked', async () => {
    core.clock.set(new Date('2026-12-01T08:00:00Z'))
    await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-11' })
    const dec = await compute('2026-12')
    expect(flats(dec, w.f1.familyId)).toEqual([])
    expect(flats(dec, w.f3.familyId)).toEqual([])
    // December: Bernard's own child has a morning; Dupont, whose invoice holds the flat's bigger share, has nothing else
    // to bill (its covered booking is locked to its November invoice all the same).
    bookAs(w.f3.familyId, w.f3.child, w.units.matin, '2026-12-01')
    core.clock.set(new Date('2027-01-04T08:00:00Z'))
    await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-12' })
    const unlocked = core.db.prepare(`SELECT day FROM booking b WHERE unit_id = ? AND NOT EXISTS (SELECT 1 FROM billed_booking bb WHERE bb.booking_id = b.id)`).all(stage)
    expect(unlocked).toEqual([])
    const paid = core.db
      .prepare(`SELECT i.family_id AS f, SUM(l.amount_cents) AS cents FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id WHERE l.kind = 'flat' AND l.label LIKE '%Stage%' GROUP BY 1 ORDER BY 1`)
      .all()
    expect(paid).toEqual([{ f: w.f1.familyId, cents: 1001 }, { f: w.f3.familyId, cents: 2000 }].sort((a, b) => a.f - b.f))
  })
})
