import type { OpeningRule } from '../activities/entities'
import type { HolidayKind } from './entities'
import { isoWeekday } from '@shared/bookings/days'
import { eachDay } from './days'
import { publicHolidays } from './public-holidays'

/** A school-holiday range of the structure's zone: [firstDayOff, backDay) — classes resume on backDay. */
export interface HolidayRange {
  name: string
  kind: HolidayKind
  schoolYear: string
  firstDayOff: string
  /** Exclusive end. */
  backDay: string
}

export interface ClosureRange {
  id: number
  facilityId: number | null
  activityId: number | null
  startDate: string
  endDate: string
  reason: string
}

/** Everything needed to say whether an activity is open on a day, without the database. */
export interface CalendarData {
  zone: 'A' | 'B' | 'C'
  /** Département for public holidays ('57', '67', '68' add the Alsace-Moselle days). */
  department: string | null
  holidays: HolidayRange[]
  closures: ClosureRange[]
  /** ISO weekdays with classes: 1,2,4,5 for the 4-day week; add 3 where Wednesday morning has school. */
  schoolWeekdays: number[]
}

export interface ActivityScope {
  facilityId: number
  activityId: number
}

/**
 * Where the back day is not published yet (summer 2027), the holiday runs to
 * 31 August — the customary rentrée is early September.
 */
export function holidayRange(h: { name: string; kind: HolidayKind; schoolYear: string; firstDayOff: string; backDay: string | null }): HolidayRange {
  return { ...h, backDay: h.backDay ?? `${h.firstDayOff.slice(0, 4)}-09-01` }
}

export function holidayOn(day: string, data: CalendarData): HolidayRange | null {
  for (const h of data.holidays) if (h.firstDayOff <= day && day < h.backDay) return h
  return null
}

export function publicHolidayOn(day: string, data: CalendarData): string | null {
  return publicHolidays(Number(day.slice(0, 4)), data.department).get(day) ?? null
}

/** Closures covering a day; with a scope, only those for everything, its facility or its activity. */
export function closuresOn(day: string, data: CalendarData, scope?: ActivityScope): ClosureRange[] {
  return data.closures.filter(
    (c) =>
      c.startDate <= day &&
      day <= c.endDate &&
      (!scope ||
        (c.facilityId === null && c.activityId === null) ||
        c.activityId === scope.activityId ||
        (c.activityId === null && c.facilityId === scope.facilityId))
  )
}

/**
 * The opening rules: ALAE on school days, the mercredi centre on Wednesdays
 * outside school holidays, holiday centres on the weekdays of the holidays,
 * crèches on every weekday. Never on weekends, public holidays or closures.
 */
export function isOpenOn(rule: OpeningRule, day: string, data: CalendarData, scope: ActivityScope): boolean {
  const wd = isoWeekday(day)
  if (wd >= 6) return false
  if (publicHolidayOn(day, data)) return false
  if (closuresOn(day, data, scope).length) return false
  const h = holidayOn(day, data)
  switch (rule) {
    case 'school-days':
      return data.schoolWeekdays.includes(wd) && !h
    case 'wednesdays':
      return wd === 3 && (!h || h.kind === 'pont')
    case 'holiday-weekdays':
      return !!h && h.kind !== 'pont'
    case 'weekdays':
      return true
  }
}

export function openingDaysIn(rule: OpeningRule, from: string, to: string, data: CalendarData, scope: ActivityScope): string[] {
  const out: string[] = []
  if (from > to) return out
  for (const d of eachDay(from, to)) if (isOpenOn(rule, d, data, scope)) out.push(d)
  return out
}

export type DayKind = 'weekend' | 'public-holiday' | 'closure' | 'grandes-vacances' | 'petites-vacances' | 'pont' | 'school'

export interface DayInfo {
  day: string
  weekday: number
  holiday: { name: string; kind: HolidayKind } | null
  publicHoliday: string | null
  closures: { id: number; reason: string; facilityId: number | null; activityId: number | null }[]
}

export function dayInfo(day: string, data: CalendarData): DayInfo {
  const h = holidayOn(day, data)
  return {
    day,
    weekday: isoWeekday(day),
    holiday: h ? { name: h.name, kind: h.kind } : null,
    publicHoliday: publicHolidayOn(day, data),
    closures: closuresOn(day, data).map((c) => ({ id: c.id, reason: c.reason, facilityId: c.facilityId, activityId: c.activityId }))
  }
}
