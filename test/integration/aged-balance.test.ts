/**
 * The aged balance as of a day counts only what had happened by the end of
 * that day. First a month told day by day (a payment, a direct debit
 * collected later, its rejection, a credit note), then random histories
 * written through the domain functions and compared with a recomputation
 * from the raw rows, per invoice, and with the plain balance (invoices −
 * credit notes − payments + rejections up to that day).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { addDays } from '@shared/bookings/days'
import { parisDay } from '../../src-main/core/clock'
import { DomainError } from '../../src-main/core/errors'
import { cancelInvoice } from '../../src-main/billing/invoices'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { runInvoiceBatch } from '../../src-main/billing/invoicing/batch'
import { allocateCredit, recordPayment, rejectPayment } from '../../src-main/billing/payments/payments'
import { exportDirectDebits } from '../../src-main/billing/sepa/export'
import { ageBucket, agedBalanceAsOf, type AgedFamily } from '../../src-main/billing/exports/aged-balance'
import { Invoice, Payment } from '../../src-main/billing/entities'
import { Child } from '../../src-main/families/entities'
import { openTestCore, seedFamily, type SeededStaff, type TestCore } from '../helpers/core'
import { seedBillingWorld, seedMiniRegie, type BillingWorld } from '../helpers/billing'

const asOf = (core: TestCore, day: string, familyId: number): AgedFamily | undefined => agedBalanceAsOf(core.db, day, null).find((f) => f.familyId === familyId)

/** invoices − credit notes − payments + rejections up to the end of `day`, straight from the tables. */
function plainBalance(core: TestCore, day: string, familyId: number): number {
  const one = (sql: string) => (core.db.prepare(sql).get({ d: day, f: familyId }) as { s: number | null }).s ?? 0
  return (
    one('SELECT SUM(total_cents) AS s FROM invoice WHERE family_id = @f AND issue_date <= @d') -
    one('SELECT SUM(amount_cents) AS s FROM credit_note WHERE family_id = @f AND issue_date <= @d') -
    one('SELECT SUM(amount_cents) AS s FROM payment WHERE family_id = @f AND received_on <= @d') +
    one(`SELECT SUM(amount_cents) AS s FROM payment WHERE family_id = @f AND status = 'rejected' AND max(rejected_on, received_on) <= @d`)
  )
}

describe('aged balance as of a day, over one month', () => {
  let core: TestCore
  let w: BillingWorld
  beforeAll(async () => {
    core = await openTestCore({ now: new Date('2026-10-02T08:00:00Z') })
    w = await seedBillingWorld(core)
    const run = await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-09' }) // issued 02/10, due 22/10
    // Sent the same day: the pre-notification a direct debit needs.
    await runInvoiceBatch(core, w.comptable.actor, { runId: run.runId, email: true, printAll: false })
  })
  afterAll(() => core.cleanup())

  test('a payment counts from the day it is received, not before', async () => {
    core.clock.set(new Date('2026-10-05T08:00:00Z'))
    await recordPayment(core, w.comptable.actor, { familyId: w.f1.familyId, regieId: w.regieId, mode: 'especes', amountCents: 1000, receivedOn: '2026-10-05', chequeNumber: '', bank: '', payer: '', reference: '', allocations: [] })
    expect(asOf(core, '2026-10-04', w.f1.familyId)).toMatchObject({ notDue: w.expected.f1, due: w.expected.f1, credit: 0, balance: w.expected.f1 })
    expect(asOf(core, '2026-10-05', w.f1.familyId)).toMatchObject({ notDue: w.expected.f1 - 1000, balance: w.expected.f1 - 1000 })
    // Before its invoice was issued, the family owed nothing.
    expect(asOf(core, '2026-10-01', w.f1.familyId)).toBeUndefined()
  })

  test('a direct debit counts from its collection date, a rejection re-opens the invoice from its own day', async () => {
    core.clock.set(new Date('2026-10-06T08:00:00Z'))
    await exportDirectDebits(core, w.comptable.actor, { regieId: w.regieId, runId: null, collectionDate: '2026-10-22', represent: false })
    // Exported on 06/10, collected on 22/10: still owed on the 10th, and as of the 21st.
    expect(asOf(core, '2026-10-10', w.f3.familyId)).toMatchObject({ notDue: w.expected.f3, balance: w.expected.f3 })
    expect(asOf(core, '2026-10-21', w.f3.familyId)?.balance).toBe(w.expected.f3)
    expect(asOf(core, '2026-10-22', w.f3.familyId)).toBeUndefined()
    core.clock.set(new Date('2026-10-26T08:00:00Z'))
    const debit = await core.tx.read((m) => m.findOneByOrFail(Payment, { familyId: w.f3.familyId, mode: 'prelevement' }))
    await rejectPayment(core, w.comptable.actor, debit.id, 'AM04 provision insuffisante', '2026-10-25')
    expect(asOf(core, '2026-10-24', w.f3.familyId)).toBeUndefined()
    // Due on 22/10, seen on 25/10: 3 days late.
    expect(asOf(core, '2026-10-25', w.f3.familyId)).toMatchObject({ notDue: 0, d30: w.expected.f3, balance: w.expected.f3 })
  })

  test('a credit note takes the invoice out from its own day; what was paid becomes unapplied credit', async () => {
    core.clock.set(new Date('2026-11-05T08:00:00Z'))
    await recordPayment(core, w.comptable.actor, { familyId: w.f2.familyId, regieId: w.regieId, mode: 'cheque', amountCents: w.expected.f2, receivedOn: '2026-11-02', chequeNumber: '42', bank: '', payer: '', reference: '', allocations: [] })
    const inv = await core.tx.read((m) => m.findOneByOrFail(Invoice, { familyId: w.f2.familyId }))
    await cancelInvoice(core, w.comptable.actor, inv.id, 'Erreur de tarif')
    // 31/10: nine days late; 02/11 paid; 05/11 cancelled, the cheque is the family's credit.
    expect(asOf(core, '2026-10-31', w.f2.familyId)).toMatchObject({ d30: w.expected.f2, balance: w.expected.f2 })
    expect(asOf(core, '2026-11-02', w.f2.familyId)).toBeUndefined()
    expect(asOf(core, '2026-11-05', w.f2.familyId)).toMatchObject({ due: 0, credit: w.expected.f2, balance: -w.expected.f2 })
  })

  test('on every day, each family’s balance is the plain balance of that day', () => {
    for (let d = '2026-09-30'; d <= '2026-11-10'; d = addDays(d, 1)) {
      for (const f of [w.f1, w.f2, w.f3, w.f4]) expect(asOf(core, d, f.familyId)?.balance ?? 0, `${f.lastName} ${d}`).toBe(plainBalance(core, d, f.familyId))
    }
  })

  test('the buckets follow the due date: not due, 0–30, 31–60, 61–90, over 90 days', () => {
    expect(['2026-10-21', '2026-10-22', '2026-11-21', '2026-11-22', '2026-12-21', '2026-12-22', '2027-01-20', '2027-01-21'].map((d) => ageBucket('2026-10-22', d))).toEqual([
      'notDue',
      'd30',
      'd30',
      'd60',
      'd60',
      'd90',
      'd90',
      'older'
    ])
  })
})

// ---------------------------------------------------------------- random histories

type Step =
  | { kind: 'invoice'; family: number; days: number[]; wait: number }
  | { kind: 'pay'; family: number; cents: number; offset: number; mode: 'especes' | 'cheque' | 'prelevement'; wait: number }
  | { kind: 'reject'; pick: number; wait: number }
  | { kind: 'cancel'; pick: number; wait: number }
  | { kind: 'allocate'; family: number; wait: number }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('invoice' as const), family: fc.nat(1), days: fc.uniqueArray(fc.integer({ min: 1, max: 28 }), { minLength: 1, maxLength: 6 }), wait: fc.nat(12) }),
  fc.record({
    kind: fc.constant('pay' as const),
    family: fc.nat(1),
    cents: fc.integer({ min: 1, max: 2500 }),
    // Backdated a little, the same day, or a debit collected weeks later.
    offset: fc.integer({ min: -6, max: 20 }),
    mode: fc.constantFrom('especes' as const, 'cheque' as const, 'prelevement' as const),
    wait: fc.nat(12)
  }),
  fc.record({ kind: fc.constant('reject' as const), pick: fc.nat(), wait: fc.nat(5) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat(), wait: fc.nat(5) }),
  fc.record({ kind: fc.constant('allocate' as const), family: fc.nat(1), wait: fc.nat(5) })
)

interface RawInvoice {
  id: number
  family_id: number
  issue_date: string
  due_date: string
  total_cents: number
}

/** The aged balance of some families as of a day, recomputed in plain code from the raw rows. */
function recompute(core: TestCore, familyIds: number[], day: string): Map<number, Omit<AgedFamily, 'familyNumber' | 'family' | 'balance' | 'inFlight'>> {
  const ids = familyIds.join(',')
  const invoices = core.db.prepare(`SELECT id, family_id, issue_date, due_date, total_cents FROM invoice WHERE family_id IN (${ids})`).all() as RawInvoice[]
  const notes = core.db.prepare(`SELECT invoice_id, issue_date, amount_cents FROM credit_note WHERE family_id IN (${ids})`).all() as { invoice_id: number; issue_date: string; amount_cents: number }[]
  const payments = core.db.prepare(`SELECT id, family_id, received_on, amount_cents, status, rejected_on FROM payment WHERE family_id IN (${ids})`).all() as {
    id: number
    family_id: number
    received_on: string
    amount_cents: number
    status: string
    rejected_on: string | null
  }[]
  const allocations = core.db.prepare(`SELECT payment_id, invoice_id, amount_cents, effective_on FROM payment_allocation`).all() as { payment_id: number; invoice_id: number; amount_cents: number; effective_on: string }[]
  const out = new Map<number, Omit<AgedFamily, 'familyNumber' | 'family' | 'balance' | 'inFlight'>>()
  for (const f of familyIds) out.set(f, { familyId: f, notDue: 0, d30: 0, d60: 0, d90: 0, older: 0, due: 0, credit: 0 })
  for (const i of invoices) {
    if (i.issue_date > day) continue
    let open = i.total_cents
    for (const n of notes) if (n.invoice_id === i.id && n.issue_date <= day) open -= n.amount_cents
    for (const a of allocations) if (a.invoice_id === i.id && a.effective_on <= day) open -= a.amount_cents
    const late = Math.round((Date.parse(day) - Date.parse(i.due_date)) / 86_400_000)
    const f = out.get(i.family_id)!
    if (late < 0) f.notDue += open
    else if (late <= 30) f.d30 += open
    else if (late <= 60) f.d60 += open
    else if (late <= 90) f.d90 += open
    else f.older += open
    f.due += open
  }
  for (const p of payments) {
    if (p.received_on > day) continue
    let free = p.amount_cents
    if (p.status === 'rejected' && p.rejected_on && (p.rejected_on > p.received_on ? p.rejected_on : p.received_on) <= day) free -= p.amount_cents
    for (const a of allocations) if (a.payment_id === p.id && a.effective_on <= day) free -= a.amount_cents
    out.get(p.family_id)!.credit += free
  }
  return out
}

describe('aged balance on random histories', () => {
  let core: TestCore
  let staff: SeededStaff
  let regieId: number
  let unitId: number
  beforeAll(async () => {
    core = await openTestCore({ now: new Date('2026-10-01T08:00:00Z') })
    const mini = await seedMiniRegie(core)
    staff = mini.comptable
    regieId = mini.regieId
    unitId = await mini.unitWithTariff('Matin', '07:30', '08:20', { priceCents: 415 })
  })
  afterAll(() => core.cleanup())

  async function play(steps: Step[]): Promise<{ familyIds: number[]; from: string; to: string }> {
    const families = [await seedFamily(core, { account: false }), await seedFamily(core, { account: false })]
    const children = await core.tx.read(async (m) => Promise.all(families.map(async (f) => (await m.findOneByOrFail(Child, { familyId: f.familyId })).id)))
    const familyIds = families.map((f) => f.familyId)
    const from = parisDay(core.clock.now())
    const book = core.db.prepare(`INSERT OR IGNORE INTO booking (child_id, unit_id, day, state, source, price_cents, created_at, updated_at) VALUES (?, ?, ?, 'R', 'family', 0, ?, ?)`)
    for (const s of steps) {
      const today = parisDay(core.clock.now())
      const ours = `family_id IN (${familyIds.join(',')})`
      try {
        if (s.kind === 'invoice') {
          // Days of the month before today's, billed today (other families' bookings are all billed already).
          const [y, mo] = today.split('-').map(Number)
          const month = mo === 1 ? `${y - 1}-12` : `${y}-${String(mo - 1).padStart(2, '0')}`
          const now = core.clock.now().toISOString()
          for (const d of s.days) book.run(children[s.family], unitId, `${month}-${String(d).padStart(2, '0')}`, now, now)
          await issueRun(core, staff.actor, { regieId, month, issueDate: today })
        } else if (s.kind === 'pay') {
          await recordPayment(core, staff.actor, {
            familyId: familyIds[s.family],
            regieId,
            mode: s.mode,
            amountCents: s.cents,
            receivedOn: addDays(today, s.offset),
            chequeNumber: s.mode === 'cheque' ? '1234567' : '',
            bank: '',
            payer: '',
            reference: '',
            allocations: []
          })
        } else if (s.kind === 'reject') {
          const list = core.db.prepare(`SELECT id FROM payment WHERE ${ours} AND status = 'ok' AND mode IN ('cheque', 'prelevement') AND received_on <= ? ORDER BY id`).all(today) as { id: number }[]
          if (list.length) await rejectPayment(core, staff.actor, list[s.pick % list.length].id, 'Rejet', today)
        } else if (s.kind === 'cancel') {
          const list = core.db.prepare(`SELECT id FROM invoice WHERE ${ours} AND status = 'issued' ORDER BY id`).all() as { id: number }[]
          if (list.length) await cancelInvoice(core, staff.actor, list[s.pick % list.length].id, 'Correction')
        } else {
          await allocateCredit(core, staff.actor, familyIds[s.family], regieId)
        }
      } catch (e) {
        if (!(e instanceof DomainError)) throw e
      }
      core.clock.advance(s.wait * 86_400_000)
    }
    return { familyIds, from: addDays(from, -40), to: addDays(parisDay(core.clock.now()), 130) }
  }

  test('as of every day, per family and bucket, it equals a recomputation from the raw rows and the plain balance', async () => {
    let history = 0
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        // Each history starts on a fresh day with two fresh families, so histories never share rows.
        core.clock.set(new Date(Date.UTC(2026, 9, 1 + 3 * history++, 8)))
        const { familyIds, from, to } = await play(steps)
        for (let d = from; d <= to; d = addDays(d, 3)) {
          const expected = recompute(core, familyIds, d)
          for (const f of familyIds) {
            const got = asOf(core, d, f)
            const want = expected.get(f)!
            const { familyNumber: _n, family: _f, balance, inFlight: _i, ...buckets } = got ?? { familyId: f, familyNumber: 0, family: '', notDue: 0, d30: 0, d60: 0, d90: 0, older: 0, due: 0, credit: 0, balance: 0, inFlight: 0 }
            expect(buckets, `family ${f} as of ${d}`).toEqual(want)
            expect(balance, `family ${f} as of ${d}`).toBe(plainBalance(core, d, f))
          }
        }
      }),
      { numRuns: 25 }
    )
  })
})
