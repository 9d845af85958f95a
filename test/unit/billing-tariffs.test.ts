import { describe, expect, it } from 'vitest'
import { consumedMinutes, pickBracket, resolvePrice, type PriceContext, type TariffDef } from '../../src-main/billing/tariffs/resolve'

const none = { kind: 'none' as const, value: 0 }
function tariff(over: Partial<TariffDef> = {}): TariffDef {
  return {
    id: 1,
    name: 'ALAE matin',
    mode: 'unit',
    stepMinutes: 15,
    flatPeriod: 'month',
    dayThresholdMinutes: 300,
    validFrom: '2026-09-01',
    validTo: null,
    absenceRatePct: 100,
    walkinSurchargeCents: 0,
    sibling2: none,
    sibling3: none,
    outsideCommune: none,
    brackets: [
      { qfMin: 0, qfMax: 700, priceCents: 80, halfDayPriceCents: null },
      { qfMin: 701, qfMax: 1200, priceCents: 120, halfDayPriceCents: null },
      { qfMin: 1201, qfMax: null, priceCents: 160, halfDayPriceCents: null }
    ],
    ...over
  }
}
const ctx = (over: Partial<PriceContext> = {}): PriceContext => ({ qf: 800, siblingRank: 1, outsideCommune: false, state: 'R', source: 'family', minutes: 60, ...over })
const cents = (t: TariffDef, c: PriceContext) => {
  const r = resolvePrice(t, c)
  return r.billable ? r.cents : null
}

describe('QF brackets', () => {
  it('picks the bracket containing the QF, bounds included', () => {
    expect(cents(tariff(), ctx({ qf: 0 }))).toBe(80)
    expect(cents(tariff(), ctx({ qf: 700 }))).toBe(80)
    expect(cents(tariff(), ctx({ qf: 701 }))).toBe(120)
    expect(cents(tariff(), ctx({ qf: 1200 }))).toBe(120)
    expect(cents(tariff(), ctx({ qf: 5000 }))).toBe(160)
  })
  it('gives the highest bracket to a family without a valid QF, and says why', () => {
    const r = resolvePrice(tariff(), ctx({ qf: null }))
    expect(r.billable && r.cents).toBe(160)
    expect(r.explanation.join('\n')).toMatch(/Aucun quotient familial valide : tranche la plus haute/)
  })
  it('gives the highest bracket to a QF in a gap', () => {
    const t = tariff({ brackets: [{ qfMin: 0, qfMax: 500, priceCents: 50, halfDayPriceCents: null }, { qfMin: 600, qfMax: null, priceCents: 90, halfDayPriceCents: null }] })
    expect(cents(t, ctx({ qf: 550 }))).toBe(90)
  })
  it('has no bracket when the tariff has no price', () => {
    expect(pickBracket([], 100)).toBeNull()
    expect(resolvePrice(tariff({ brackets: [] }), ctx()).billable).toBe(false)
  })
})

describe('billable states', () => {
  it('bills R and PRESENT at the price', () => {
    expect(cents(tariff(), ctx({ state: 'R' }))).toBe(120)
    expect(cents(tariff(), ctx({ state: 'PRESENT' }))).toBe(120)
  })
  it('bills A_FACT and unexcused absence at the absence rate', () => {
    expect(cents(tariff({ absenceRatePct: 50 }), ctx({ state: 'A_FACT' }))).toBe(60)
    expect(cents(tariff({ absenceRatePct: 50 }), ctx({ state: 'ABSENT' }))).toBe(60)
    expect(cents(tariff(), ctx({ state: 'A_FACT' }))).toBe(120)
  })
  it('never bills A_EXC, cancelled, refused or pending requests', () => {
    for (const state of ['A_EXC', 'CANCELLED', 'REFUSED', 'DR', 'DA'] as const) {
      const r = resolvePrice(tariff(), ctx({ state }))
      expect(r.billable).toBe(false)
      expect(r.explanation[0]).toMatch(/non factur/)
    }
  })
  it('adds the walk-in surcharge as a separate amount', () => {
    const r = resolvePrice(tariff({ walkinSurchargeCents: 100 }), ctx({ state: 'PRESENT', source: 'walk-in' }))
    expect(r.billable && [r.cents, r.walkinCents]).toEqual([120, 100])
    const booked = resolvePrice(tariff({ walkinSurchargeCents: 100 }), ctx({ state: 'PRESENT', source: 'family' }))
    expect(booked.billable && booked.walkinCents).toBe(0)
  })
})

describe('sibling reductions and out-of-commune surcharge', () => {
  const t = tariff({ sibling2: { kind: 'pct', value: 10 }, sibling3: { kind: 'amount', value: 50 }, outsideCommune: { kind: 'pct', value: 25 } })
  it('reduces the 2nd child by percent and the 3rd and later by amount', () => {
    expect(cents(t, ctx({ siblingRank: 1 }))).toBe(120)
    expect(cents(t, ctx({ siblingRank: 2 }))).toBe(108)
    expect(cents(t, ctx({ siblingRank: 3 }))).toBe(70)
    expect(cents(t, ctx({ siblingRank: 4 }))).toBe(70)
  })
  it('uses the 2nd-child reduction for the 3rd when no 3rd is set', () => {
    expect(cents(tariff({ sibling2: { kind: 'amount', value: 20 } }), ctx({ siblingRank: 3 }))).toBe(100)
  })
  it('never goes below zero', () => {
    expect(cents(tariff({ sibling2: { kind: 'amount', value: 500 } }), ctx({ siblingRank: 2 }))).toBe(0)
  })
  it('applies the surcharge after the reduction', () => {
    expect(cents(t, ctx({ siblingRank: 2, outsideCommune: true }))).toBe(135)
    const r = resolvePrice(t, ctx({ siblingRank: 2, outsideCommune: true }))
    expect(r.explanation.join('\n')).toMatch(/2e enfant.*10 %[\s\S]*hors commune.*25 %/)
  })
})

describe('hourly rounding', () => {
  const t = tariff({ mode: 'hourly', brackets: [{ qfMin: 0, qfMax: null, priceCents: 240, halfDayPriceCents: null }] })
  it('bills each started quarter hour', () => {
    expect(cents(t, ctx({ minutes: 60 }))).toBe(240)
    expect(cents(t, ctx({ minutes: 61 }))).toBe(300)
    expect(cents(t, ctx({ minutes: 75 }))).toBe(300)
    expect(cents(t, ctx({ minutes: 1 }))).toBe(60)
  })
  it('bills each started half hour', () => {
    const half = { ...t, stepMinutes: 30 }
    expect(cents(half, ctx({ minutes: 31 }))).toBe(240)
    expect(cents(half, ctx({ minutes: 90 }))).toBe(360)
    const r = resolvePrice(half, ctx({ minutes: 95 }))
    // The quantity keeps its unit, the price stays per hour.
    expect(r.billable && [r.quantity, r.unitPriceCents, r.quantityLabel]).toEqual([4, 240, '4 demi-heures'])
  })
  it('rounds the line once, half up: 7 quarter hours at 1,90 € the hour are 3,33 €, not 7 × 0,48 €', () => {
    const h = tariff({ mode: 'hourly', brackets: [{ qfMin: 0, qfMax: null, priceCents: 190, halfDayPriceCents: null }] })
    const r = resolvePrice(h, ctx({ minutes: 100 }))
    expect(r.billable && [r.quantity, r.quantityLabel, r.unitPriceCents, r.cents]).toEqual([7, "7 quarts d'heure", 190, 333])
    // 6 quarter hours at 2,30 € the hour: 1 h 30 × 2,30 € = 3,45 €.
    expect(cents(tariff({ mode: 'hourly', brackets: [{ qfMin: 0, qfMax: null, priceCents: 230, halfDayPriceCents: null }] }), ctx({ minutes: 90 }))).toBe(345)
  })
  it('bills at least one step', () => {
    expect(cents(t, ctx({ minutes: 0 }))).toBe(60)
  })
  it('takes pointed times when both exist, the unit schedule otherwise', () => {
    expect(consumedMinutes({ start: '16:00', end: '18:30' }, { arrived: null, left: null })).toEqual({ minutes: 150, source: 'schedule' })
    expect(consumedMinutes({ start: '16:00', end: '18:30' }, { arrived: '16:05', left: '17:20' })).toEqual({ minutes: 75, source: 'attendance' })
    expect(consumedMinutes({ start: '16:00', end: '18:30' }, { arrived: null, left: '17:00' })).toEqual({ minutes: 60, source: 'attendance' })
  })
})

describe('day and half-day, flat', () => {
  const t = tariff({ mode: 'day', brackets: [{ qfMin: 0, qfMax: null, priceCents: 1500, halfDayPriceCents: 900 }] })
  it('bills a day from the threshold and a half-day below it', () => {
    const day = resolvePrice(t, ctx({ minutes: 480 }))
    expect(day.billable && [day.cents, day.dayKind]).toEqual([1500, 'day'])
    const half = resolvePrice(t, ctx({ minutes: 240 }))
    expect(half.billable && [half.cents, half.dayKind]).toEqual([900, 'half-day'])
  })
  it('bills a flat amount once', () => {
    expect(cents(tariff({ mode: 'flat', brackets: [{ qfMin: 0, qfMax: null, priceCents: 4500, halfDayPriceCents: null }] }), ctx())).toBe(4500)
  })
})
