import { describe, expect, it } from 'vitest'
import { formatNumber, formatProblem } from '../../src-main/billing/numbering'
import { isTarget2Day, target2DayOnOrAfter } from '../../src-main/billing/sepa/target2'
import { schoolYearBounds, schoolYearOf } from '../../src-main/billing/statement'

describe('document numbering', () => {
  it('writes the numbers of the portal guides', () => {
    expect(formatNumber('{CODE}-{N}', { code: 'AL', n: 36, date: '2015-04-08' })).toBe('AL-36')
    expect(formatNumber('{AA}{MM}PS{N:5}PNB', { code: 'PS', n: 3, date: '2020-01-08' })).toBe('2001PS00003PNB')
    expect(formatNumber('{AAAA}/{CODE}/{N:4}', { code: 'CR', n: 12345, date: '2026-03-31' })).toBe('2026/CR/12345')
  })
  it('refuses a format without the sequence number or with unknown tokens', () => {
    expect(formatProblem('{CODE}-{AA}')).toMatch(/\{N\}/)
    expect(formatProblem('{CODE}-{X}-{N}')).toMatch(/inconnu/)
    expect(formatProblem('{CODE}-{N:6}')).toBeNull()
  })
})

describe('calendar helpers of billing', () => {
  it('knows TARGET2 closing days', () => {
    expect(isTarget2Day('2026-10-22')).toBe(true)
    expect(isTarget2Day('2026-10-24')).toBe(false) // Saturday
    expect(isTarget2Day('2026-04-03')).toBe(false) // Good Friday 2026
    expect(isTarget2Day('2026-04-06')).toBe(false) // Easter Monday 2026
    expect(isTarget2Day('2026-05-01')).toBe(false)
    expect(isTarget2Day('2026-12-24')).toBe(true)
    expect(isTarget2Day('2026-12-26')).toBe(false)
    expect(isTarget2Day('2026-05-14')).toBe(true) // Ascension: French holiday, TARGET2 open
    expect(isTarget2Day('2027-03-26')).toBe(false) // Good Friday 2027
    expect(isTarget2Day('2027-01-01')).toBe(false)
    expect(target2DayOnOrAfter('2026-12-25')).toBe('2026-12-28') // Christmas Friday, 26th Saturday, then Sunday
    expect(target2DayOnOrAfter('2026-12-28')).toBe('2026-12-28')
  })
  it('maps days to school years', () => {
    expect(schoolYearOf('2026-09-01')).toBe('2026-2027')
    expect(schoolYearOf('2026-08-31')).toBe('2025-2026')
    expect(schoolYearBounds('2025-2026')).toEqual({ from: '2025-09-01', to: '2026-08-31' })
  })
})
