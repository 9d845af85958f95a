import { describe, expect, it } from 'vitest'
import {
  closingInstant,
  deadlineRule,
  describeRule,
  evaluateDeadline,
  parisDayOf,
  parisInstant,
  type DeadlineRule
} from '@shared/bookings/deadlines'
import { addDays, dayRange, isoWeek, isoWeekday, lastDayOfMonth, matchesWeekType } from '@shared/bookings/days'

const at = (iso: string) => new Date(iso)
const monthly20: DeadlineRule = { kind: 'monthly', day: 20, time: '24:00' }

describe('monthly rule ("jusqu’au 20 du mois pour le mois suivant")', () => {
  it('accepts the whole 20th and refuses from midnight Paris, in winter (UTC+1)', () => {
    // 20/12/2024 23:59:59 Paris = 22:59:59Z
    expect(evaluateDeadline(monthly20, '2025-01-08', at('2024-12-20T22:59:59Z')).open).toBe(true)
    const late = evaluateDeadline(monthly20, '2025-01-08', at('2024-12-20T23:00:00Z'))
    expect(late.open).toBe(false)
    expect(late.message).toBe('La date limite est passée : les modifications pour janvier 2025 étaient possibles jusqu’au 20/12/2024 inclus.')
  })

  it('uses Paris summer time (UTC+2): 22:30Z on the 20th is already the 21st', () => {
    expect(evaluateDeadline(monthly20, '2025-08-06', at('2025-07-20T21:59:00Z')).open).toBe(true)
    expect(evaluateDeadline(monthly20, '2025-08-06', at('2025-07-20T22:30:00Z')).open).toBe(false)
  })

  it('gives every day of a month the same deadline, the first and the last', () => {
    expect(closingInstant(monthly20, '2025-03-01')).toEqual(closingInstant(monthly20, '2025-03-31'))
    expect(closingInstant(monthly20, '2025-03-01')!.toISOString()).toBe('2025-02-20T23:00:00.000Z')
  })

  it('clamps the 31st to the last day of a short previous month, leap years included', () => {
    const r31: DeadlineRule = { kind: 'monthly', day: 31, time: '24:00' }
    expect(closingInstant(r31, '2025-03-10')!.toISOString()).toBe('2025-02-28T23:00:00.000Z') // 01/03 00:00 Paris
    expect(closingInstant(r31, '2024-03-10')!.toISOString()).toBe('2024-02-29T23:00:00.000Z')
    expect(closingInstant(r31, '2025-05-10')!.toISOString()).toBe('2025-04-30T22:00:00.000Z') // 01/05, summer time
    // Year boundary: January's deadline is in December of the previous year.
    expect(closingInstant(r31, '2026-01-15')!.toISOString()).toBe('2025-12-31T23:00:00.000Z')
  })

  it('supports an explicit time', () => {
    const r: DeadlineRule = { kind: 'monthly', day: 20, time: '12:00' }
    expect(closingInstant(r, '2025-11-05')!.toISOString()).toBe('2025-10-20T10:00:00.000Z')
    expect(evaluateDeadline(r, '2025-11-05', at('2025-10-20T09:00:00Z')).message).toBe('Modifications possibles jusqu’au 20/10/2025 à 12h00.')
  })
})

describe('"N days before at HH:MM" rule', () => {
  const twoDays18: DeadlineRule = { kind: 'days-before', days: 2, time: '18:00' }

  it('crosses the spring DST change (29/03/2026) with the right offset on each side', () => {
    // Day after the change: deadline on the change day itself, already UTC+2.
    expect(closingInstant(twoDays18, '2026-03-31')!.toISOString()).toBe('2026-03-29T16:00:00.000Z')
    // Deadline the day before the change: still UTC+1.
    expect(closingInstant(twoDays18, '2026-03-30')!.toISOString()).toBe('2026-03-28T17:00:00.000Z')
  })

  it('crosses the autumn DST change (25/10/2026)', () => {
    expect(closingInstant(twoDays18, '2026-10-27')!.toISOString()).toBe('2026-10-25T17:00:00.000Z')
    expect(closingInstant(twoDays18, '2026-10-26')!.toISOString()).toBe('2026-10-24T16:00:00.000Z')
  })

  it('resolves a wall time that does not exist (02:30 on 29/03/2026) to a fixed instant', () => {
    const r: DeadlineRule = { kind: 'days-before', days: 1, time: '02:30' }
    const c = closingInstant(r, '2026-03-30')!
    expect(c.toISOString()).toBe('2026-03-29T01:30:00.000Z') // moved forward to 03:30 summer time
    expect(evaluateDeadline(r, '2026-03-30', at('2026-03-29T01:29:59Z')).open).toBe(true)
    expect(evaluateDeadline(r, '2026-03-30', at('2026-03-29T01:30:00Z')).open).toBe(false)
  })

  it('resolves a wall time that happens twice (02:30 on 25/10/2026) to one instant', () => {
    const r: DeadlineRule = { kind: 'days-before', days: 1, time: '02:30' }
    const c = closingInstant(r, '2026-10-26')!
    expect(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']).toContain(c.toISOString())
    expect(closingInstant(r, '2026-10-26')!.getTime()).toBe(c.getTime())
  })

  it('handles the minute before and after midnight', () => {
    const r: DeadlineRule = { kind: 'days-before', days: 1, time: '24:00' } // the whole previous day
    expect(evaluateDeadline(r, '2026-02-11', at('2026-02-10T22:59:59Z')).open).toBe(true)
    expect(evaluateDeadline(r, '2026-02-11', at('2026-02-10T23:00:00Z')).open).toBe(false)
  })

  it('never reaches into the day itself (0 days before at 09:00 ends at midnight)', () => {
    const r: DeadlineRule = { kind: 'days-before', days: 0, time: '09:00' }
    const v = evaluateDeadline(r, '2026-10-25', at('2026-10-24T21:00:00Z'))
    expect(v.open).toBe(true)
    expect(v.closesAt!.toISOString()).toBe('2026-10-24T22:00:00.000Z')
    const past = evaluateDeadline(r, '2026-10-25', at('2026-10-25T06:00:00Z'))
    expect(past.open).toBe(false)
    expect(past.message).toBe('Le 25/10/2026 est passé : il ne peut plus être modifié en ligne.')
  })

  it('shows the limit in French with hours', () => {
    const v = evaluateDeadline(twoDays18, '2026-03-31', at('2026-03-20T10:00:00Z'))
    expect(v.message).toBe('Modifications possibles jusqu’au 29/03/2026 à 18h00.')
    const late = evaluateDeadline(twoDays18, '2026-03-31', at('2026-03-29T16:00:00Z'))
    expect(late.message).toBe('La date limite est passée : les modifications pour le 31/03/2026 étaient possibles jusqu’au 29/03/2026 à 18h00.')
  })
})

describe('window rule (holiday centres)', () => {
  const w = { start: '2026-01-05', end: '2026-02-04' }
  const rule: DeadlineRule = { kind: 'window' }

  it('opens at midnight Paris on the first day and closes after the last day', () => {
    expect(evaluateDeadline(rule, '2026-02-16', at('2026-01-04T22:59:59Z'), w).open).toBe(false)
    expect(evaluateDeadline(rule, '2026-02-16', at('2026-01-04T22:59:59Z'), w).message).toContain('ouvriront le 05/01/2026')
    expect(evaluateDeadline(rule, '2026-02-16', at('2026-01-04T23:00:00Z'), w).open).toBe(true)
    expect(evaluateDeadline(rule, '2026-02-16', at('2026-02-04T22:59:59Z'), w).open).toBe(true)
    const after = evaluateDeadline(rule, '2026-02-16', at('2026-02-04T23:00:00Z'), w)
    expect(after.open).toBe(false)
    expect(after.message).toBe('La période de réservation (du 05/01/2026 au 04/02/2026) est terminée : les modifications ne sont plus possibles.')
  })

  it('is closed without a window', () => {
    expect(evaluateDeadline(rule, '2026-02-16', at('2026-01-10T10:00:00Z'), null).open).toBe(false)
  })
})

describe('"none" rule', () => {
  it('closes when the day begins in Paris, DST included', () => {
    const r: DeadlineRule = { kind: 'none' }
    expect(closingInstant(r, '2026-03-30')!.toISOString()).toBe('2026-03-29T22:00:00.000Z')
    expect(closingInstant(r, '2026-03-29')!.toISOString()).toBe('2026-03-28T23:00:00.000Z')
    expect(evaluateDeadline(r, '2026-03-30', at('2026-03-29T21:59:59Z')).open).toBe(true)
    expect(evaluateDeadline(r, '2026-03-30', at('2026-03-29T22:00:00Z')).open).toBe(false)
  })
})

describe('rule schema and helpers', () => {
  it('validates rules with French messages and defaults', () => {
    expect(deadlineRule.parse({ kind: 'monthly', day: 20 })).toEqual({ kind: 'monthly', day: 20, time: '24:00' })
    const bad = deadlineRule.safeParse({ kind: 'days-before', days: 2, time: '25:00' })
    expect(bad.success).toBe(false)
    expect(bad.error!.issues[0].message).toBe('Heure invalide (format HH:MM).')
    expect(deadlineRule.safeParse({ kind: 'monthly', day: 0 }).success).toBe(false)
  })

  it('describes rules in French', () => {
    expect(describeRule(monthly20)).toBe('Jusqu’au 20 du mois précédent inclus')
    expect(describeRule({ kind: 'days-before', days: 2, time: '18:00' })).toBe('Jusqu’à 2 jours avant, à 18h00')
    expect(describeRule({ kind: 'window' })).toBe('Uniquement pendant la période de réservation')
  })

  it('computes Paris days and instants around midnight', () => {
    expect(parisDayOf(at('2026-06-30T21:59:59Z'))).toBe('2026-06-30')
    expect(parisDayOf(at('2026-06-30T22:00:00Z'))).toBe('2026-07-01')
    expect(parisDayOf(at('2026-12-31T23:00:00Z'))).toBe('2027-01-01')
    expect(parisInstant('2026-12-31', '24:00').toISOString()).toBe('2026-12-31T23:00:00.000Z')
  })

  it('does civil-day arithmetic independent of DST and month lengths', () => {
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30')
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29')
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01')
    expect(dayRange('2026-10-24', '2026-10-27')).toEqual(['2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27'])
    expect(lastDayOfMonth('2024-02')).toBe('2024-02-29')
    expect(isoWeekday('2026-01-07')).toBe(3)
    expect(isoWeek('2026-01-01')).toBe(1)
    expect(isoWeek('2027-01-01')).toBe(53)
    expect(isoWeek('2026-01-07')).toBe(2)
    expect(matchesWeekType('2026-01-07', 'even')).toBe(true)
    expect(matchesWeekType('2026-01-07', 'odd')).toBe(false)
    expect(matchesWeekType('2026-01-14', 'odd')).toBe(true)
    expect(matchesWeekType('2026-01-14', 'all')).toBe(true)
  })
})
