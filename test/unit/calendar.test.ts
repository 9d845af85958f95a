import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { OpeningRule } from '../../src-main/activities/entities'
import { addDays, isoWeekday } from '@shared/bookings/days'
import { ageOn, eachDay } from '../../src-main/calendar/days'
import { loadShippedHolidays, parseCsv } from '../../src-main/calendar/holiday-csv'
import { holidayOn, holidayRange, isOpenOn, openingDaysIn, type CalendarData, type ClosureRange } from '../../src-main/calendar/opening'
import { holidayDepartment, publicHolidays } from '../../src-main/calendar/public-holidays'

const FIXTURES = join(__dirname, '..', 'fixtures', 'calendar')
const ZONES = ['A', 'B', 'C'] as const
const SCOPE = { facilityId: 1, activityId: 10 }

/** Independent per-day holiday flags (vacances-scolaires-france data file). */
const vsf = new Map<string, { A: boolean; B: boolean; C: boolean }>()
for (const [date, a, b, c] of parseCsv(readFileSync(join(FIXTURES, 'vacances-scolaires-france-2024-2026.csv'), 'utf8')).slice(1)) {
  vsf.set(date, { A: a === 'True', B: b === 'True', C: c === 'True' })
}
/** Independent public holidays (date-holidays and @socialgouv/jours-feries agree on them). */
const jf = parseCsv(readFileSync(join(FIXTURES, 'jours-feries-2024-2028-metropole-alsace-moselle.csv'), 'utf8'))
  .slice(1)
  .map(([date, name, perimetre]) => ({ date, name, perimetre }))
const nationalDays = new Set(jf.filter((r) => r.perimetre === 'national').map((r) => r.date))
const alsaceDays = new Set(jf.map((r) => r.date))

function data(zone: 'A' | 'B' | 'C', department: string | null = '31', closures: ClosureRange[] = []): CalendarData {
  return {
    zone,
    department,
    holidays: loadShippedHolidays()
      .filter((h) => h.zone === zone)
      .map(holidayRange),
    closures,
    schoolWeekdays: [1, 2, 4, 5]
  }
}

describe('school holidays shipped in resources/calendar', () => {
  test('three school years × three zones × five holidays, plus the pont de l’Ascension', () => {
    const rows = loadShippedHolidays()
    expect(rows.filter((r) => r.kind !== 'pont')).toHaveLength(45)
    expect(rows.filter((r) => r.kind === 'pont')).toHaveLength(6)
    expect(rows.find((r) => r.zone === 'C' && r.schoolYear === '2025-2026' && r.name === 'Hiver')).toMatchObject({
      kind: 'petites',
      firstDayOff: '2026-02-21',
      backDay: '2026-03-09'
    })
    expect(rows.find((r) => r.zone === 'A' && r.schoolYear === '2026-2027' && r.name === 'Été')).toMatchObject({ kind: 'grandes', backDay: null })
    expect(rows.some((r) => r.name === 'Noël')).toBe(true)
  })

  for (const zone of ZONES) {
    test(`zone ${zone}: every day from 2 Sept 2024 to 30 Aug 2026 agrees with the vacances-scolaires-france data`, () => {
      const d = data(zone)
      const mismatches: string[] = []
      for (const day of eachDay('2024-09-02', '2026-08-30')) {
        const h = holidayOn(day, d)
        const ours = !!h && h.kind !== 'pont'
        if (ours !== vsf.get(day)![zone]) mismatches.push(day)
      }
      expect(mismatches).toEqual([])
    })
  }
})

describe('opening days of each activity type over 2025-2026', () => {
  /** What the reference data says, computed without our calendar code. */
  function expected(rule: OpeningRule, zone: 'A' | 'B' | 'C', from: string, to: string): string[] {
    const out: string[] = []
    for (const day of eachDay(from, to)) {
      const wd = isoWeekday(day)
      const holiday = vsf.get(day)![zone]
      if (wd >= 6 || nationalDays.has(day)) continue
      const open =
        rule === 'school-days'
          ? [1, 2, 4, 5].includes(wd) && !holiday && day !== '2026-05-15' // pont de l'Ascension: no classes
          : rule === 'wednesdays'
            ? wd === 3 && !holiday
            : rule === 'holiday-weekdays'
              ? holiday
              : true
      if (open) out.push(day)
    }
    return out
  }

  for (const zone of ZONES) {
    for (const rule of ['school-days', 'wednesdays', 'holiday-weekdays', 'weekdays'] as OpeningRule[]) {
      test(`zone ${zone}, ${rule}`, () => {
        const got = openingDaysIn(rule, '2025-09-01', '2026-08-30', data(zone), SCOPE)
        expect(got).toEqual(expected(rule, zone, '2025-09-01', '2026-08-30'))
      })
    }
  }

  test('ALAE opens 138/137/138 days in zones A/B/C (4-day week) and the winter holidays differ by zone', () => {
    // Zone B loses both Lundi de Pâques and 1 May to the calendar; A has Easter, C has 1 May inside its spring holidays.
    const count = (zone: 'A' | 'B' | 'C') => openingDaysIn('school-days', '2025-09-01', '2026-07-03', data(zone), SCOPE).length
    expect([count('A'), count('B'), count('C')]).toEqual([138, 137, 138])
    const hiver = (zone: 'A' | 'B' | 'C') => openingDaysIn('holiday-weekdays', '2026-02-01', '2026-03-15', data(zone), SCOPE)
    expect(hiver('A')[0]).toBe('2026-02-09')
    expect(hiver('B')[0]).toBe('2026-02-16')
    expect(hiver('C')[0]).toBe('2026-02-23')
    expect(hiver('C').at(-1)).toBe('2026-03-06')
    // The Wednesday centre is closed on Wednesdays of the zone's holidays only.
    expect(isOpenOn('wednesdays', '2026-02-11', data('A'), SCOPE)).toBe(false)
    expect(isOpenOn('wednesdays', '2026-02-11', data('C'), SCOPE)).toBe(true)
  })

  test('a school week with Wednesday morning classes opens ALAE on Wednesdays too', () => {
    const d = { ...data('B'), schoolWeekdays: [1, 2, 3, 4, 5] }
    expect(isOpenOn('school-days', '2025-09-03', d, SCOPE)).toBe(true)
    expect(isOpenOn('school-days', '2025-09-03', data('B'), SCOPE)).toBe(false)
  })
})

describe('public holidays', () => {
  test('date-holidays gives the 11 national days, and 13 in Moselle, Bas-Rhin and Haut-Rhin (2024-2028)', () => {
    for (let y = 2024; y <= 2028; y++) {
      const national = [...nationalDays].filter((d) => d.startsWith(`${y}-`)).sort()
      const alsace = [...alsaceDays].filter((d) => d.startsWith(`${y}-`)).sort()
      expect([...publicHolidays(y, null).keys()].sort()).toEqual(national)
      expect([...publicHolidays(y, '31').keys()].sort()).toEqual(national)
      expect(national).toHaveLength(11)
      for (const dep of ['57', '67', '68']) expect([...publicHolidays(y, dep).keys()].sort()).toEqual(alsace)
      expect(alsace).toHaveLength(13)
    }
    expect(publicHolidays(2026, '57').get('2026-04-03')).toBe('Vendredi saint')
    expect(publicHolidays(2026, '67').get('2026-12-26')).toBe('Lendemain de Noël')
  })

  test('the département comes from the structure region, else from its postal code', () => {
    expect(holidayDepartment('FR-57', '31000')).toBe('57')
    expect(holidayDepartment('', '67000')).toBe('67')
    expect(holidayDepartment('', '31000')).toBe('31')
    expect(holidayDepartment('', '')).toBeNull()
  })

  test('Alsace-Moselle: ALAE closes on Vendredi saint and the crèche on 26 December, elsewhere they open', () => {
    // Zone B (académie de Nancy-Metz): 3 April 2026 is a school Friday before the spring holidays.
    expect(isOpenOn('school-days', '2026-04-03', data('B', '57'), SCOPE)).toBe(false)
    expect(isOpenOn('school-days', '2026-04-03', data('B', '54'), SCOPE)).toBe(true)
    expect(isOpenOn('weekdays', '2025-12-26', data('B', '68'), SCOPE)).toBe(false)
    expect(isOpenOn('weekdays', '2025-12-26', data('B', '54'), SCOPE)).toBe(true)
    const moselle = openingDaysIn('school-days', '2025-09-01', '2026-07-03', data('B', '57'), SCOPE)
    expect(moselle).toHaveLength(136) // 137 minus Vendredi saint
  })
})

describe('closures', () => {
  const closure = (over: Partial<ClosureRange>): ClosureRange => ({
    id: 1,
    facilityId: null,
    activityId: null,
    startDate: '2026-02-25',
    endDate: '2026-02-26',
    reason: 'Formation des animateurs',
    ...over
  })
  const hiverC = (closures: ClosureRange[]) => openingDaysIn('holiday-weekdays', '2026-02-23', '2026-03-06', data('C', '31', closures), SCOPE)

  test('a closure inside a holiday removes those days from the holiday centre', () => {
    expect(hiverC([])).toHaveLength(10)
    const got = hiverC([closure({ activityId: SCOPE.activityId })])
    expect(got).toHaveLength(8)
    expect(got).not.toContain('2026-02-25')
    expect(got).not.toContain('2026-02-26')
    expect(got).toContain('2026-02-27')
  })

  test('a closure applies to its activity, its facility or everything, not to other activities', () => {
    expect(hiverC([closure({ activityId: 99 })])).toHaveLength(10)
    expect(hiverC([closure({ facilityId: 2 })])).toHaveLength(10)
    expect(hiverC([closure({ facilityId: SCOPE.facilityId })])).toHaveLength(8)
    expect(hiverC([closure({})])).toHaveLength(8)
  })
})

describe('leap years', () => {
  test('29 February 2028 is a Tuesday and an opening day of a weekday activity', () => {
    expect(isoWeekday('2028-02-29')).toBe(2)
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01')
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01')
    const feb = openingDaysIn('weekdays', '2028-02-01', '2028-02-29', data('B'), SCOPE)
    expect(feb).toHaveLength(21)
    expect(feb.at(-1)).toBe('2028-02-29')
    expect([...eachDay('2028-02-27', '2028-03-02')]).toEqual(['2028-02-27', '2028-02-28', '2028-02-29', '2028-03-01', '2028-03-02'])
  })

  test('a child born on 29 February has a birthday on 1 March in common years', () => {
    expect(ageOn('2020-02-29', '2026-02-28')).toBe(5)
    expect(ageOn('2020-02-29', '2026-03-01')).toBe(6)
    expect(ageOn('2020-02-29', '2028-02-29')).toBe(8)
    expect(ageOn('2020-02-29', '2028-02-28')).toBe(7)
  })

  test('summer 2027 has no published rentrée: the holiday runs through 31 August', () => {
    const d = data('A')
    expect(holidayOn('2027-08-31', d)?.name).toBe('Été')
    expect(holidayOn('2027-09-01', d)).toBeNull()
    expect(holidayOn('2027-07-02', d)).toBeNull()
  })
})
