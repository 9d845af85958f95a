/**
 * Billing a child shared by two households (issue 16): each booking is billed
 * to the household that made it, with that household's QF bracket and its own
 * sibling ranks; each household's invoice and attestation fiscale hold only its
 * share. One seeded billing world (test/helpers/billing.ts) for the file.
 */
import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import type { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { attestationAmounts } from '../../src-main/billing/attestation'
import { Invoice, InvoiceLine } from '../../src-main/billing/entities'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { previewRun } from '../../src-main/billing/invoicing/runs'
import { ComputeThread } from '../../src-main/billing/invoicing/compute-thread'
import { recordPayment } from '../../src-main/billing/payments/payments'
import { getBillingSplit, saveBillingSplit } from '../../src-main/families/billing-split'
import { computeRun, loadRunContext, runFamilyIds, type DraftLine } from '../../src-main/billing/invoicing/compute'
import { getBillingSettings } from '../../src-main/billing/settings'
import { cancelInvoice, invoiceDetail } from '../../src-main/billing/invoices'
import { familyStatement } from '../../src-main/billing/statement'
import { planClosureCredits } from '../../src-main/billing/closure-credit'
import { saveActivity, saveUnit } from '../../src-main/activities/config'
import { saveTariff } from '../../src-main/billing/tariffs/tariffs'
import { SYSTEM } from '../../src-main/core/actor'
import { tariffInput } from '@shared/contract/billing-shapes'
import { book, seedSharedChildWorld, type BillingWorld } from '../helpers/billing'
import { openTestCore, type SeededStaff, type TestCore } from '../helpers/core'

let core: TestCore
let w: BillingWorld
let director: SeededStaff
/** Zoé (born 2021), first household Dupont (QF 800, her elder brother Léo ranks first), second household Bernard (QF 500). */
let zoe: number

beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-09-20T08:00:00Z') })
  ;({ w, director, zoe } = await seedSharedChildWorld(core))
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

  test('the computation thread prices below the main thread (Linux: its own nice value) in a bounded heap', async () => {
    const opts = { regieId: w.regieId, month: '2026-09', settings: await core.tx.read((m) => getBillingSettings(m)) }
    const thread = new ComputeThread(core.paths.dbFile, opts)
    const nice = () =>
      readdirSync('/proc/self/task').map((t) => Number(readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1].split(' ')[16]))
    try {
      expect((await thread.compute(runFamilyIds(core.db))).families.length).toBeGreaterThan(0)
      // The young generation V8 would otherwise grow to 3 × 16 MB stays small; a runaway stops at the cap.
      expect((thread as unknown as { worker: Worker }).worker.resourceLimits).toMatchObject({ maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 })
      if (process.platform === 'linux') {
        expect(os.getPriority()).toBe(0)
        expect(nice()).toContain(os.constants.priority.PRIORITY_BELOW_NORMAL)
      }
    } finally {
      await thread.close()
    }
    if (process.platform === 'linux') expect(nice()).not.toContain(os.constants.priority.PRIORITY_BELOW_NORMAL)
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

  test('a run being staged restages both households of a shared child when one of them changes its booking', async () => {
    const db = core.db
    db.prepare(`INSERT INTO invoice_stage_run (regie_id, month, fingerprint, created_at) VALUES (?, '2026-10', '', ?)`).run(w.regieId, new Date().toISOString())
    try {
      const id = book(core, zoe, w.units.matin, '2026-10-06', 'R')
      db.prepare('DELETE FROM invoice_stage_dirty').run()
      db.prepare(`UPDATE booking SET family_id = ? WHERE id = ?`).run(w.f3.familyId, id)
      expect((db.prepare('SELECT DISTINCT family_id FROM invoice_stage_dirty ORDER BY 1').all() as { family_id: number }[]).map((x) => x.family_id).sort()).toEqual([w.f1.familyId, w.f3.familyId].sort())
      db.prepare('DELETE FROM invoice_stage_dirty').run()
      db.prepare(`UPDATE booking SET state = 'CANCELLED' WHERE id = ?`).run(id)
      // Its shares, or a flat rate billed to the household that has the child most, may concern the other one (0028).
      expect((db.prepare('SELECT DISTINCT family_id FROM invoice_stage_dirty').all() as { family_id: number }[]).map((x) => x.family_id).sort()).toEqual([w.f1.familyId, w.f3.familyId].sort())
    } finally {
      db.prepare('DELETE FROM invoice_stage_dirty').run()
      db.prepare('DELETE FROM invoice_stage_run').run()
    }
  })
})


/**
 * October: a fixed split set by the direction (first household Dupont 33,33 %,
 * Bernard 66,67 %). Each line is priced as for the household that booked (its
 * QF, its sibling rank), then split: the other household pays its share
 * rounded down, the booker the rest (the odd cent).
 */
describe('a fixed split between the two households', () => {
  const bookings: Record<string, number> = {}
  const bookAs = (familyId: number, childId: number, unitId: number, day: string) => {
    const id = book(core, childId, unitId, day, 'R')
    core.db.prepare('UPDATE booking SET family_id = ? WHERE id = ?').run(familyId, id)
    return id
  }
  const compute = async (familyIds?: number[]) => {
    const settings = await core.tx.read((m) => getBillingSettings(m))
    return computeRun(core.db, { regieId: w.regieId, month: '2026-10', settings, familyIds })
  }
  const linesOf = (d: Awaited<ReturnType<typeof compute>>, familyId: number) => d.families.find((f) => f.familyId === familyId)?.lines ?? []
  const totalOf = (d: Awaited<ReturnType<typeof compute>>, familyId: number) => d.families.find((f) => f.familyId === familyId)?.totalCents ?? 0
  /** Without the split: Dupont Léo 1,20 (rank 1) + Zoé 2 × 1,08 (rank 2); Bernard Zoé 2 × 0,80 (rank 1, QF 500) + his own child 0,72 (rank 2). */
  const WHOLE = { dupont: 120 + 108 * 2, bernard: 80 * 2 + 72 }

  test('without a split, each household pays its own days (the invariant’s reference)', async () => {
    bookAs(w.f1.familyId, w.f1.childA, w.units.matin, '2026-10-01')
    bookings.d1 = bookAs(w.f1.familyId, zoe, w.units.matin, '2026-10-01')
    bookings.d2 = bookAs(w.f1.familyId, zoe, w.units.matin, '2026-10-02')
    bookings.b1 = bookAs(w.f3.familyId, zoe, w.units.matin, '2026-10-07')
    bookings.b2 = bookAs(w.f3.familyId, zoe, w.units.matin, '2026-10-08')
    bookAs(w.f3.familyId, w.f3.child, w.units.matin, '2026-10-07')
    const d = await compute()
    expect([totalOf(d, w.f1.familyId), totalOf(d, w.f3.familyId)]).toEqual([WHOLE.dupont, WHOLE.bernard])
  })

  test('the direction sets the split on the child’s page: versioned (a stale save names who saved) and audited', async () => {
    const view = await core.tx.read((m) => getBillingSplit(m, zoe))
    expect(view.split.mode).toBe('booking')
    expect(view.households.map((h) => h.familyId)).toEqual([w.f1.familyId, w.f3.familyId])
    await saveBillingSplit(core, director.actor, zoe, { mode: 'fixed', firstSharePercent: 33.33, fromDay: '2026-10-01' }, view.version)
    const stale = saveBillingSplit(core, director.actor, zoe, { mode: 'fixed', firstSharePercent: 50, fromDay: null }, view.version)
    await expect(stale).rejects.toMatchObject({ status: 409 })
    await expect(stale).rejects.toThrow(director.actor.label)
    const audit = core.db.prepare(`SELECT actor_label AS who FROM audit_entry WHERE action = 'billing-split-save' AND entity_id = ?`).all(String(zoe))
    expect(audit).toEqual([{ who: director.actor.label }])
    // A child with one household has nobody to share with.
    await expect(saveBillingSplit(core, director.actor, w.f2.child, { mode: 'fixed', firstSharePercent: 50, fromDay: null }, 0)).rejects.toMatchObject({ status: 409 })
  })

  test('each household’s invoice holds only its share; the two shares sum to the full price, to the cent', async () => {
    const d = await compute()
    const zoeLines = (familyId: number) => linesOf(d, familyId).filter((l) => l.childId === zoe)
    const dupont = zoeLines(w.f1.familyId)
    const bernard = zoeLines(w.f3.familyId)
    const shareOf = (lines: DraftLine[], bookingId: number) => lines.find((l) => l.shareBookingIds?.includes(bookingId))!
    // Priced for the booker: Dupont's days 1,08 (QF 800, Zoé second of Dupont's children), Bernard's 0,80 (QF 500, eldest there).
    for (const [b, full] of [[bookings.d1, 108], [bookings.d2, 108], [bookings.b1, 80], [bookings.b2, 80]]) {
      expect(shareOf(dupont, b).amountCents + shareOf(bernard, b).amountCents).toBe(full)
    }
    // The other household's share rounded down, the odd cent to the booker: 108 × 66,67 % = 72,0036 → 72 / 36; 80 × 33,33 % = 26,664 → 26 / 54.
    expect([shareOf(dupont, bookings.d1).amountCents, shareOf(bernard, bookings.d1).amountCents]).toEqual([36, 72])
    expect([shareOf(dupont, bookings.b1).amountCents, shareOf(bernard, bookings.b1).amountCents]).toEqual([26, 54])
    expect(shareOf(dupont, bookings.d1).label).toBe('Matin – part de 33,33 %')
    expect(shareOf(bernard, bookings.d1).label).toBe('Matin – part de 66,67 %')
    // The other household's line tells its share, never the booker's QF bracket.
    expect(shareOf(bernard, bookings.d1).bracket).toBe('')
    expect(shareOf(bernard, bookings.d1).explanation).not.toMatch(/QF|quotient|tranche/i)
    // The booking stays locked to one invoice (the booker's); each share is locked to its household's.
    expect(shareOf(dupont, bookings.d1).bookingIds).toEqual([bookings.d1])
    expect(shareOf(bernard, bookings.d1).bookingIds).toEqual([])
    // Invariant: nothing billed twice or lost.
    expect(totalOf(d, w.f1.familyId) + totalOf(d, w.f3.familyId)).toBe(WHOLE.dupont + WHOLE.bernard)
    expect([totalOf(d, w.f1.familyId), totalOf(d, w.f3.familyId)]).toEqual([120 + 36 * 2 + 26 * 2, 72 + 72 * 2 + 54 * 2])
  })

  test('each household’s chunk of the run computes the same shares as the whole run', async () => {
    const whole = await compute()
    const dupontAlone = await compute([w.f1.familyId])
    const bernardAlone = await compute([w.f3.familyId])
    expect(dupontAlone.families.map((f) => f.familyId)).toEqual([w.f1.familyId])
    expect(bernardAlone.families.map((f) => f.familyId)).toEqual([w.f3.familyId])
    expect(linesOf(dupontAlone, w.f1.familyId)).toEqual(linesOf(whole, w.f1.familyId))
    expect(linesOf(bernardAlone, w.f3.familyId)).toEqual(linesOf(whole, w.f3.familyId))
  })

  test('a run being staged restages both households when the split or the child’s booking changes', async () => {
    const db = core.db
    const dirty = () => (db.prepare('SELECT DISTINCT family_id FROM invoice_stage_dirty').all() as { family_id: number }[]).map((x) => x.family_id).sort()
    db.prepare(`INSERT INTO invoice_stage_run (regie_id, month, fingerprint, created_at) VALUES (?, '2026-10', '', ?)`).run(w.regieId, new Date().toISOString())
    try {
      db.prepare('DELETE FROM invoice_stage_dirty').run()
      const { version } = await core.tx.read((m) => getBillingSplit(m, zoe))
      await saveBillingSplit(core, director.actor, zoe, { mode: 'fixed', firstSharePercent: 33.33, fromDay: '2026-10-01' }, version)
      expect(dirty()).toEqual([w.f1.familyId, w.f3.familyId].sort())
      db.prepare('DELETE FROM invoice_stage_dirty').run()
      db.prepare(`UPDATE booking SET state = 'A_FACT' WHERE id = ?`).run(bookings.d2)
      db.prepare(`UPDATE booking SET state = 'R' WHERE id = ?`).run(bookings.d2)
      expect(dirty()).toEqual([w.f1.familyId, w.f3.familyId].sort())
    } finally {
      db.prepare('DELETE FROM invoice_stage_dirty').run()
      db.prepare('DELETE FROM invoice_stage_run').run()
    }
  })

  describe('flat rates (forfaits) of a shared child', () => {
    let etude: number
    let etudeBookings: number[] = []
    beforeAll(async () => {
      const activity = await saveActivity(core, SYSTEM, { activityTypeId: (core.db.prepare('SELECT activity_type_id AS t FROM activity WHERE id = ?').get(w.activities.alae) as { t: number }).t, name: 'Étude', openingRule: 'school-days', validation: 'auto', autoBook: false, typicalWeek: false, active: true, description: '' })
      etude = (await saveUnit(core, SYSTEM, { activityId: activity.id, name: 'Étude', startTime: '16:30', endTime: '17:30', priceCents: 0, sort: 1, excludes: [] })).id
      await saveTariff(core, SYSTEM, tariffInput.parse({ name: 'Étude au forfait', unitId: etude, mode: 'flat', flatPeriod: 'month', validFrom: '2026-09-01', brackets: [{ qfMin: 0, qfMax: 700, priceCents: 2000 }, { qfMin: 701, qfMax: null, priceCents: 3001 }] }))
    })
    const flats = (d: Awaited<ReturnType<typeof compute>>, familyId: number) => linesOf(d, familyId).filter((l) => l.kind === 'flat')

    test('without a split: billed once, to the household with the most booked days, covering the other’s bookings', async () => {
      const { version } = await core.tx.read((m) => getBillingSplit(m, zoe))
      await saveBillingSplit(core, director.actor, zoe, { mode: 'booking', firstSharePercent: 50, fromDay: null }, version)
      etudeBookings = [bookAs(w.f1.familyId, zoe, etude, '2026-10-01'), bookAs(w.f3.familyId, zoe, etude, '2026-10-07'), bookAs(w.f3.familyId, zoe, etude, '2026-10-08')]
      const d = await compute()
      expect(flats(d, w.f1.familyId)).toEqual([])
      const [bernard] = flats(d, w.f3.familyId)
      // Priced at Bernard's QF (500 → 20,00), and it covers Dupont's day too: no booking is left unbilled.
      expect(bernard.amountCents).toBe(2000)
      expect([...bernard.bookingIds].sort()).toEqual([...etudeBookings].sort())
      // The same in Dupont's chunk alone: nothing, and in Bernard's alone: the flat.
      expect(flats(await compute([w.f1.familyId]), w.f1.familyId)).toEqual([])
      expect(flats(await compute([w.f3.familyId]), w.f3.familyId)).toEqual([bernard])
    })

    test('a tie goes to the first household, priced at its QF', async () => {
      etudeBookings.push(bookAs(w.f1.familyId, zoe, etude, '2026-10-02'))
      const d = await compute()
      expect(flats(d, w.f3.familyId)).toEqual([])
      const [dupont] = flats(d, w.f1.familyId)
      expect(dupont.amountCents).toBe(3001)
      expect([...dupont.bookingIds].sort()).toEqual([...etudeBookings].sort())
    })

    test('with a split, the flat is split like any line, the odd cent to the household it is priced for', async () => {
      const { version } = await core.tx.read((m) => getBillingSplit(m, zoe))
      await saveBillingSplit(core, director.actor, zoe, { mode: 'fixed', firstSharePercent: 50, fromDay: '2026-10-01' }, version)
      const d = await compute()
      const [dupont] = flats(d, w.f1.familyId)
      const [bernard] = flats(d, w.f3.familyId)
      expect([dupont.amountCents, bernard.amountCents]).toEqual([1501, 1500])
      expect(bernard.label).toBe('Forfait mensuel – Étude – part de 50 %')
      expect([...dupont.bookingIds].sort()).toEqual([...etudeBookings].sort())
      expect(bernard.bookingIds).toEqual([])
      expect([...bernard.shareBookingIds!].sort()).toEqual([...etudeBookings].sort())
    })
  })

  test('the real run: each invoice holds its shares, every booking locked once, each share once; attestations per household', async () => {
    core.clock.set(new Date('2026-11-02T08:00:00Z'))
    const preview = await compute()
    await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-10' })
    const issued = (familyId: number) => core.tx.read((m) => m.findOneOrFail(Invoice, { where: { familyId, status: 'issued', periodStart: '2026-10-01' } }))
    const dupont = await issued(w.f1.familyId)
    const bernard = await issued(w.f3.familyId)
    expect([dupont.totalCents, bernard.totalCents]).toEqual([totalOf(preview, w.f1.familyId), totalOf(preview, w.f3.familyId)])
    const zoeOct = core.db.prepare(`SELECT id FROM booking WHERE child_id = ? AND day >= '2026-10-01' AND state = 'R'`).all(zoe) as { id: number }[]
    const locks = core.db.prepare(`SELECT booking_id AS b, COUNT(*) AS n FROM billed_booking WHERE booking_id IN (SELECT value FROM json_each(?)) GROUP BY 1`).all(JSON.stringify(zoeOct.map((x) => x.id))) as { n: number }[]
    expect(locks.length).toBe(zoeOct.length)
    const shares = core.db.prepare(`SELECT family_id AS f, COUNT(*) AS n FROM billed_share WHERE booking_id IN (SELECT value FROM json_each(?)) GROUP BY 1 ORDER BY 1`).all(JSON.stringify(zoeOct.map((x) => x.id)))
    expect(shares).toEqual([{ f: w.f1.familyId, n: zoeOct.length }, { f: w.f3.familyId, n: zoeOct.length }].sort((a, b) => a.f - b.f))
    // The portal's invoice detail and the statement: Bernard's own amounts only, his lines say « part de 50 % » and no bracket of Dupont's.
    const detail = await core.tx.read((m) => invoiceDetail(m, bernard.id, '2026-11-02'))
    const zoeLines = detail.lines.filter((l) => l.childName.startsWith('Zoé'))
    expect(zoeLines.length).toBeGreaterThan(0)
    expect(zoeLines.every((l) => l.label.endsWith(' – part de 50 %'))).toBe(true)
    expect(zoeLines.filter((l) => l.day === '2026-10-01').map((l) => [l.amountCents, l.bracket])).toEqual([[54, '']])
    const statement = await core.tx.read(async (m) => familyStatement(m, w.f3.familyId, '2026-2027', '2026-11-02'))
    expect(statement.rows.filter((r) => r.kind === 'invoice' && r.refId === bernard.id).map((r) => r.debitCents)).toEqual([bernard.totalCents])
    // Nothing left to bill for October.
    expect((await compute()).families.filter((f) => f.familyId === w.f1.familyId || f.familyId === w.f3.familyId)).toEqual([])
    // Attestation fiscale 2026: Bernard's counts his shares of Zoé's October days, never Dupont's.
    for (const inv of [dupont, bernard]) {
      await recordPayment(core, w.comptable.actor, {
        familyId: inv.familyId, regieId: w.regieId, mode: 'especes', amountCents: inv.totalCents, receivedOn: '2026-11-05', chequeNumber: '', bank: '', payer: '', reference: '', allocations: []
      })
    }
    const zoeAmount = async (familyId: number) => (await core.tx.read(async (m) => attestationAmounts(m, familyId, 2026))).find((c) => c.name.startsWith('Zoé'))!.amountCents
    const zoeShare = (familyId: number) => linesOf(preview, familyId).filter((l) => l.childId === zoe).reduce((s, l) => s + l.amountCents, 0)
    expect(await zoeAmount(w.f3.familyId)).toBe(160 + zoeShare(w.f3.familyId))
    expect(await zoeAmount(w.f1.familyId)).toBe(216 + 1500 + 900 + zoeShare(w.f1.familyId))
  })

  test('a closure over a day billed by shares gives each household its own share back', async () => {
    // October was issued at 50 / 50 (the flat-rate tests set it): Dupont's 1,08 morning was billed 0,54 to each.
    const plan = planClosureCredits(core.db, [bookings.d1])
    expect(plan.credits.map((c) => [c.familyId, c.billedCents]).sort()).toEqual([[w.f1.familyId, 54], [w.f3.familyId, 54]].sort())
  })

  test('cancelling one household’s invoice makes only its shares due again', async () => {
    const bernard = await core.tx.read((m) => m.findOneOrFail(Invoice, { where: { familyId: w.f3.familyId, status: 'issued', periodStart: '2026-10-01' } }))
    await cancelInvoice(core, director.actor as Extract<typeof director.actor, { kind: 'staff' }>, bernard.id, 'Erreur de saisie')
    const d = await compute()
    expect(d.families.filter((f) => f.willIssue).map((f) => f.familyId)).toEqual([w.f3.familyId])
    expect(totalOf(d, w.f3.familyId)).toBe(bernard.totalCents)
  })
})
