import { describe, expect, test } from 'vitest'
import { clockOption, parseClockInstant } from '../../src-main/core/clock-option'
import { parisDay, runningClockFrom } from '../../src-main/core/clock'

describe('--clock: the demo (and the tests) on a chosen day', () => {
  test('an instant with its offset, or a day (8:00 in Paris)', () => {
    expect(parseClockInstant('2027-01-19T08:00:00+01:00').toISOString()).toBe('2027-01-19T07:00:00.000Z')
    expect(parseClockInstant('2027-06-30').toISOString()).toBe('2027-06-30T06:00:00.000Z')
    expect(parseClockInstant('2027-12-24').toISOString()).toBe('2027-12-24T07:00:00.000Z')
    for (const bad of ['2027-02-30', '2027-01-19T08:00', 'demain', '19/01/2027', '']) {
      expect(() => parseClockInstant(bad), bad).toThrow(/^Date invalide pour --clock/)
    }
  })

  test('refused in French outside the demo, from the argument or the environment', () => {
    expect(() => clockOption(['--clock', '2027-01-19'], {}, false)).toThrow('L’horloge fixée (--clock ou RIBAMBELLE_CLOCK) n’est permise qu’avec la démonstration (--demo)')
    expect(() => clockOption([], { RIBAMBELLE_CLOCK: '2027-01-19' }, false)).toThrow(/n’est permise qu’avec la démonstration/)
    expect(() => clockOption(['--demo', '--clock'], {}, true)).toThrow('--clock attend une date')
    expect(clockOption(['--demo'], {}, true)).toBeNull()
    expect(clockOption([], {}, false)).toBeNull()
  })

  test('the clock starts at the instant and runs from there', () => {
    let real = Date.parse('2026-12-03T10:00:00Z')
    const clock = runningClockFrom(new Date('2027-08-31T06:00:00Z'), () => real)
    expect(clock.now().toISOString()).toBe('2027-08-31T06:00:00.000Z')
    real += 90_000
    expect(clock.now().toISOString()).toBe('2027-08-31T06:01:30.000Z')
    const demo = clockOption(['--demo', '--clock', '2027-08-31'], {}, true)!
    expect(parisDay(demo.now())).toBe('2027-08-31')
  })
})
