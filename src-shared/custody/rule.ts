import { dayRange, isoWeek, isoWeekday } from '../bookings/days'

/**
 * A shared child's custody calendar (issue 16): which of its two households
 * has it on a day. `null` means no rule for that day: either household may book.
 * Pure, so the back-office preview and the server agree.
 */
export type CustodyKind = 'none' | 'alternate-weeks' | 'weekdays'
export type CustodyHolidays = 'none' | 'halves' | 'halves-alternating'

export interface CustodyCalendar {
  kind: CustodyKind
  /** alternate-weeks: the household with odd ISO weeks (the other one has even weeks). */
  oddWeeksFamilyId: number | null
  /** weekdays: the household of each ISO weekday, Monday first (null: no rule that weekday). */
  weekdays: (number | null)[]
  /** School holidays split in two halves; 'halves-alternating' swaps the halves in odd years. */
  holidays: CustodyHolidays
  /** The household with the first half of the holidays (in even years when alternating). */
  firstHalfFamilyId: number | null
  /** Days agreed otherwise (a swapped weekend, a court decision): they override the rule. */
  exceptions: { day: string; familyId: number }[]
}

/** A school-holiday range: [firstDayOff, backDay), classes resume on backDay. */
export interface HolidaySpan {
  firstDayOff: string
  backDay: string
}

export const NO_CUSTODY: CustodyCalendar = { kind: 'none', oddWeeksFamilyId: null, weekdays: [null, null, null, null, null, null, null], holidays: 'none', firstHalfFamilyId: null, exceptions: [] }

/**
 * The household that has the child on `day`. `households` are the child's two
 * households (first, second); `holiday` the school holiday the day falls in.
 */
export function custodyHousehold(cal: CustodyCalendar, households: readonly number[], day: string, holiday: HolidaySpan | null): number | null {
  if (households.length < 2) return null
  const [a, b] = households
  const other = (f: number | null) => (f === a ? b : f === b ? a : null)
  const exception = cal.exceptions.find((e) => e.day === day)
  if (exception) return exception.familyId
  if (holiday && cal.holidays !== 'none' && cal.firstHalfFamilyId !== null) {
    const length = dayRange(holiday.firstDayOff, holiday.backDay).length - 1
    // The first half is the first ⌊n/2⌋ days off: for 16 days (Saturday to the Monday back), 8 and 8.
    const firstHalf = dayRange(holiday.firstDayOff, day).length - 1 < Math.floor(length / 2)
    const oddYear = Number(holiday.firstDayOff.slice(0, 4)) % 2 === 1
    const first = cal.holidays === 'halves-alternating' && oddYear ? other(cal.firstHalfFamilyId) : cal.firstHalfFamilyId
    return firstHalf ? first : other(first)
  }
  switch (cal.kind) {
    case 'alternate-weeks':
      return cal.oddWeeksFamilyId === null ? null : isoWeek(day) % 2 === 1 ? cal.oddWeeksFamilyId : other(cal.oddWeeksFamilyId)
    case 'weekdays':
      return cal.weekdays[isoWeekday(day) - 1] ?? null
    default:
      return null
  }
}
