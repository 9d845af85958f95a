/**
 * Billing a child shared by two households (issue 16): each booking is billed
 * to the household that made it, with that household's QF bracket and its own
 * sibling ranks; each household's invoice and attestation fiscale hold only its
 * share. One seeded billing world (test/helpers/billing.ts) for the file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { attestationAmounts } from '../../src-main/billing/attestation'
import { Invoice, InvoiceLine } from '../../src-main/billing/entities'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { previewRun } from '../../src-main/billing/invoicing/runs'
import { computeRun, loadRunContext, runFamilyIds } from '../../src-main/billing/invoicing/compute'
import { ComputeThread } from '../../src-main/billing/invoicing/compute-thread'
import { getBillingSettings } from '../../src-main/billing/settings'
import { recordPayment } from '../../src-main/billing/payments/payments'
import { linkSecondHousehold } from '../../src-main/families/households'
import { book, seedBillingWorld, type BillingWorld } from '../helpers/billing'
import { openTestCore, seedStaff, type TestCore } from '../helpers/core'

let core: TestCore
let w: BillingWorld
/** Zoé (born 2021), first household Dupont (QF 800, her elder brother Léo ranks first), second household Bernard (QF 500). */
let zoe: number

beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-09-20T08:00:00Z') })
  w = await seedBillingWorld(core)
  zoe = w.f1.childB
  const director = await seedStaff(core, 'direction')
  await linkSecondHousehold(core, director.actor, zoe, w.f3.familyId)
  // Bernard's own child is younger than Zoé: in the Bernard household Zoé is the eldest.
  core.db.prepare(`UPDATE child SET birth_date = '2022-02-02' WHERE id = ?`).run(w.f3.child)
  // Two mornings booked by the Bernard household (its weeks).
  for (const day of ['2026-09-14', '2026-09-15']) {
    const id = book(core, zoe, w.units.matin, day, 'R')
    core.db.prepare('UPDATE booking SET family_id = ? WHERE id = ?').run(w.f3.familyId, id)
  }
})
afterAll(() => core.cleanup())

/** Bernard: Zoé rank 1 at QF 500 (0,80 × 2); his own child now rank 2 (−10 % → 0,72 × 3) and the evening 4,50. */
const BERNARD = 80 * 2 + 72 * 3 + 450

describe('billing follows the booking household', () => {
  test('chunks of households, priced in the main thread or in the computation thread, bill what the whole month bills', async () => {
    // A chunk reads its households' bookings by index: those each household made, then those whose household is
    // gone (family_id NULL: ON DELETE SET NULL) through the child's household; sibling ranks included.
    core.db.prepare(`UPDATE booking SET family_id = NULL WHERE id IN (SELECT id FROM booking WHERE child_id = ? AND day LIKE '2026-09-%' ORDER BY day LIMIT 2)`).run(w.f1.childA)
    const opts = { regieId: w.regieId, month: '2026-09', settings: await core.tx.read((m) => getBillingSettings(m)) }
    const ctx = loadRunContext(core.db, opts)
    const whole = computeRun(core.db, opts, ctx)
    const ids = runFamilyIds(core.db)
    const chunks = [ids.slice(0, 2), ids.slice(2)]
    const inThread = chunks.flatMap((familyIds) => computeRun(core.db, { ...opts, familyIds }, ctx).families)
    const thread = new ComputeThread(core.paths.dbFile, opts)
    try {
      const inWorker = (await Promise.all(chunks.map((familyIds) => thread.compute(familyIds)))).flatMap((d) => d.families)
      expect(whole.families.map((f) => f.familyId)).toContain(w.f3.familyId)
      expect(inThread).toEqual(whole.families)
      expect(inWorker).toEqual(whole.families)
    } finally {
      await thread.close()
    }
  })

  test('the run bills each household its own days, at its own QF bracket and sibling rank', async () => {
    const p = await previewRun(core, w.regieId, '2026-09')
    const total = (familyId: number) => p.families.find((f) => f.familyId === familyId)?.totalCents
    // Dupont: unchanged (Zoé's Dupont days, rank 2 there: 1,08).
    expect(total(w.f1.familyId)).toBe(w.expected.f1)
    expect(total(w.f3.familyId)).toBe(BERNARD)
  })

  test('each household’s invoice holds only its own lines of the shared child', async () => {
    core.clock.set(new Date('2026-10-01T08:00:00Z'))
    await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-09' })
    const linesOf = (familyId: number) =>
      core.tx.read(async (m) => {
        const inv = await m.findOneOrFail(Invoice, { where: { familyId, status: 'issued' } })
        return { inv, lines: await m.find(InvoiceLine, { where: { invoiceId: inv.id } }) }
      })
    const dupont = await linesOf(w.f1.familyId)
    const bernard = await linesOf(w.f3.familyId)
    expect(bernard.inv.totalCents).toBe(BERNARD)
    const zoeDays = (lines: InvoiceLine[]) => lines.filter((l) => l.childId === zoe && l.unitId === w.units.matin).map((l) => [l.day, l.amountCents])
    expect(zoeDays(bernard.lines)).toEqual([
      ['2026-09-14', 80],
      ['2026-09-15', 80]
    ])
    expect(zoeDays(dupont.lines)).toEqual([
      ['2026-09-01', 108],
      ['2026-09-03', 108]
    ])
    // No booking is billed twice.
    const billed = core.db.prepare('SELECT booking_id, COUNT(*) AS n FROM billed_booking GROUP BY booking_id HAVING n > 1').all()
    expect(billed).toEqual([])
  })

  test('each household’s attestation fiscale counts only what it paid for the shared child', async () => {
    for (const f of [w.f1, w.f3]) {
      const inv = await core.tx.read((m) => m.findOneOrFail(Invoice, { where: { familyId: f.familyId, status: 'issued' } }))
      await recordPayment(core, w.comptable.actor, {
        familyId: f.familyId, regieId: w.regieId, mode: 'especes', amountCents: inv.totalCents, receivedOn: '2026-10-05',
        chequeNumber: '', bank: '', payer: '', reference: '', allocations: []
      })
    }
    const amounts = (familyId: number) => core.tx.read(async (m) => attestationAmounts(m, familyId, 2026))
    // Dupont: Zoé's mornings 2 × 1,08 and Wednesdays 15,00 + 9,00 (as before the link).
    const dupont = await amounts(w.f1.familyId)
    expect(dupont.map((c) => c.amountCents)).toEqual([216 + 1500 + 900])
    expect(dupont[0].name).toMatch(/^Zoé /)
    // Bernard: Zoé's two mornings, and his own child (born 2022).
    const bernard = await amounts(w.f3.familyId)
    expect(bernard.map((c) => c.amountCents)).toEqual([160, 216 + 450])
    expect(bernard[0].name).toMatch(/^Zoé /)
  })

  test('a run being staged restages the household whose booking changed, not the child’s other household', async () => {
    const db = core.db
    db.prepare(`INSERT INTO invoice_stage_run (regie_id, month, fingerprint, created_at) VALUES (?, '2026-10', '', ?)`).run(w.regieId, new Date().toISOString())
    try {
      const id = book(core, zoe, w.units.matin, '2026-10-06', 'R')
      db.prepare('DELETE FROM invoice_stage_dirty').run()
      db.prepare(`UPDATE booking SET family_id = ? WHERE id = ?`).run(w.f3.familyId, id)
      expect((db.prepare('SELECT DISTINCT family_id FROM invoice_stage_dirty ORDER BY 1').all() as { family_id: number }[]).map((x) => x.family_id).sort()).toEqual([w.f1.familyId, w.f3.familyId].sort())
      db.prepare('DELETE FROM invoice_stage_dirty').run()
      db.prepare(`UPDATE booking SET state = 'CANCELLED' WHERE id = ?`).run(id)
      expect(db.prepare('SELECT DISTINCT family_id FROM invoice_stage_dirty').all()).toEqual([{ family_id: w.f3.familyId }])
    } finally {
      db.prepare('DELETE FROM invoice_stage_dirty').run()
      db.prepare('DELETE FROM invoice_stage_run').run()
    }
  })
})
