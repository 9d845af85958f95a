import type { EntityManager } from 'typeorm'
import type { Core } from '../core/app-core'
import { notFound } from '../core/errors'
import { Activity, ActivityPeriod, ActivityType } from '../activities/entities'
import { getSetting } from '../settings/settings'
import { getStructure } from '../settings/settings'
import { addDays } from '@shared/bookings/days'
import { Closure, SchoolHoliday } from './entities'
import { holidayDepartment } from './public-holidays'
import { holidayRange, isOpenOn, openingDaysIn, type ActivityScope, type CalendarData } from './opening'
import type { OpeningRule } from '../activities/entities'

export const SCHOOL_WEEKDAYS_KEY = 'calendar.school-weekdays'
export const DEFAULT_SCHOOL_WEEKDAYS = [1, 2, 4, 5]

/** Either a Core (a read is opened) or the EntityManager of the caller's transaction. */
export type Db = Core | EntityManager

export function withManager<T>(db: Db, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  return 'tx' in db ? db.tx.read(fn) : fn(db)
}

/**
 * Loads the structure's calendar facts covering [from, to]: its zone's
 * holidays (plus a margin so a range starting mid-holiday finds it), the
 * closures, the public-holiday département and the school week.
 */
export async function loadCalendarData(m: EntityManager, from: string, to: string): Promise<CalendarData> {
  const s = await getStructure(m)
  const zone = (['A', 'B', 'C'].includes(s.holidayZone) ? s.holidayZone : 'B') as 'A' | 'B' | 'C'
  const holidays = await m
    .createQueryBuilder(SchoolHoliday, 'h')
    .where('h.zone = :zone', { zone })
    .andWhere('h.first_day_off <= :to', { to })
    .andWhere("COALESCE(h.back_day, '9999') > :from", { from: addDays(from, -1) })
    .orderBy('h.first_day_off')
    .getMany()
  const closures = await m
    .createQueryBuilder(Closure, 'c')
    .where('c.start_date <= :to AND c.end_date >= :from', { from, to })
    .orderBy('c.start_date')
    .getMany()
  return {
    zone,
    department: holidayDepartment(s.holidayRegion, s.postalCode),
    holidays: holidays.map(holidayRange),
    closures: closures.map((c) => ({ ...c })),
    schoolWeekdays: await getSetting<number[]>(m, SCHOOL_WEEKDAYS_KEY, DEFAULT_SCHOOL_WEEKDAYS)
  }
}

export interface ActivityCalendarInfo extends ActivityScope {
  rule: OpeningRule
}

export async function activityCalendarInfo(m: EntityManager, activityId: number): Promise<ActivityCalendarInfo> {
  const a = await m.findOneBy(Activity, { id: activityId })
  if (!a) throw notFound('Activité')
  const t = await m.findOneByOrFail(ActivityType, { id: a.activityTypeId })
  return { rule: a.openingRule, activityId: a.id, facilityId: t.facilityId }
}

/**
 * The days an activity opens in [from, to] (inclusive, ISO days, sorted):
 * its opening rule, minus weekends, public holidays (Alsace-Moselle where it
 * applies) and closures of the whole structure, its facility or itself.
 */
export async function openingDays(db: Db, activityId: number, from: string, to: string): Promise<string[]> {
  return withManager(db, async (m) => {
    const info = await activityCalendarInfo(m, activityId)
    const data = await loadCalendarData(m, from, to)
    return openingDaysIn(info.rule, from, to, data, info)
  })
}

export async function isOpen(m: EntityManager, activityId: number, day: string): Promise<boolean> {
  const info = await activityCalendarInfo(m, activityId)
  return isOpenOn(info.rule, day, await loadCalendarData(m, day, day), info)
}

/** Opening days of a period, from `from` (default: its first day) to its last day. */
export async function periodOpeningDays(m: EntityManager, periodId: number, from?: string): Promise<string[]> {
  const p = await m.findOneBy(ActivityPeriod, { id: periodId })
  if (!p) throw notFound('Période')
  const start = from && from > p.startDate ? from : p.startDate
  return openingDays(m, p.activityId, start, p.endDate)
}
