import { describe, expect, it } from 'vitest'
import { decimalAmount, formatAmount, formatEuro, lineTotal, parseEuro, percentOf, roundHalfUp } from '@shared/billing/money'

const sp = (s: string) => s.replace(/\u00a0/g, ' ')

describe('money', () => {
  it('formats cents the French way', () => {
    expect(sp(formatEuro(2080))).toBe('20,80 €')
    expect(sp(formatEuro(0))).toBe('0,00 €')
    expect(sp(formatEuro(5))).toBe('0,05 €')
    expect(sp(formatEuro(-550))).toBe('-5,50 €')
    expect(sp(formatEuro(123450))).toBe('1 234,50 €')
    expect(sp(formatAmount(100000000))).toBe('1 000 000,00')
  })
  it('uses non-breaking spaces so an amount never wraps', () => {
    expect(formatEuro(123450)).toBe('1\u00a0234,50\u00a0€')
  })
  it('refuses fractional cents', () => {
    expect(() => formatEuro(10.5)).toThrow()
  })
  it('writes SEPA decimals with two digits', () => {
    expect(decimalAmount(31245)).toBe('312.45')
    expect(decimalAmount(7)).toBe('0.07')
    expect(decimalAmount(100)).toBe('1.00')
  })
  it('parses what people type', () => {
    expect(parseEuro('20,80')).toBe(2080)
    expect(parseEuro('20.8')).toBe(2080)
    expect(parseEuro('1 234,50 €')).toBe(123450)
    expect(parseEuro('12')).toBe(1200)
    expect(parseEuro('-3,5')).toBe(-350)
    expect(parseEuro('1,234')).toBeNull()
    expect(parseEuro('abc')).toBeNull()
    expect(parseEuro('')).toBeNull()
  })
  it('computes each line total once and rounds it half up to the cent', () => {
    expect(lineTotal(17, 415)).toBe(7055)
    expect(lineTotal(3, 1001)).toBe(3003)
    // Hourly: minutes × price per hour / 60. 7 quarter hours at 1,90 €/h = 332,5 cents → 333.
    expect(lineTotal(7 * 15, 190, 60)).toBe(333)
    expect(lineTotal(6 * 15, 230, 60)).toBe(345)
    expect(roundHalfUp(5, 2)).toBe(3)
    expect(roundHalfUp(-5, 2)).toBe(-3)
    expect(roundHalfUp(4, 3)).toBe(1)
    // 100,5 → 101, in integers: no floating point on the way.
    expect(roundHalfUp(201, 2)).toBe(101)
  })
  it('rounds percentages half away from zero', () => {
    expect(percentOf(105, 10)).toBe(11)
    expect(percentOf(104, 10)).toBe(10)
    expect(percentOf(-105, 10)).toBe(-11)
    expect(percentOf(1000, 12.5)).toBe(125)
  })
})
