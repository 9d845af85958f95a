import type { EntityManager } from 'typeorm'
import { dayRange, lastDayOfMonth } from '@shared/bookings/days'
import type { CustodyCalendarDto, CustodyViewDto } from '@shared/contract/custody-shapes'
import { custodyHousehold, NO_CUSTODY, type CustodyCalendar } from '@shared/custody/rule'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { dbOf, stmt } from '../bookings/sql'
import { loadCalendarData } from '../calendar/calendar'
import { holidayOn } from '../calendar/opening'
import { claimVersion, versionOf } from '../db/versions'
import { childHouseholdLabels, childHouseholds } from './households'

interface RuleRow {
  childId: number
  kind: CustodyCalendar['kind']
  oddWeeksFamilyId: number | null
  weekdays: string
  holidays: CustodyCalendar['holidays']
  firstHalfFamilyId: number | null
}

const json = (ids: number[]) => JSON.stringify([...new Set(ids)])

/** The calendars of the shared children among `childIds`, with their two households. */
function sharedCalendars(m: EntityManager, childIds: number[]): Map<number, { calendar: CustodyCalendar; households: number[] }> {
  const db = dbOf(m)
  const out = new Map<number, { calendar: CustodyCalendar; households: number[] }>()
  const shared = stmt(db, `SELECT h.child_id AS childId, c.family_id AS first, h.family_id AS second FROM child_household h JOIN child c ON c.id = h.child_id
    WHERE h.child_id IN (SELECT value FROM json_each(?))`).all(json(childIds)) as { childId: number; first: number; second: number }[]
  if (!shared.length) return out
  const ids = json(shared.map((s) => s.childId))
  const rules = new Map(
    (stmt(db, `SELECT child_id AS childId, kind, odd_weeks_family_id AS oddWeeksFamilyId, weekdays, holidays, first_half_family_id AS firstHalfFamilyId
      FROM custody_rule WHERE child_id IN (SELECT value FROM json_each(?))`).all(ids) as RuleRow[]).map((r) => [r.childId, r])
  )
  const exceptions = stmt(db, `SELECT child_id AS childId, day, family_id AS familyId FROM custody_exception WHERE child_id IN (SELECT value FROM json_each(?)) ORDER BY day`).all(ids) as {
    childId: number; day: string; familyId: number
  }[]
  for (const s of shared) {
    const r = rules.get(s.childId)
    const calendar: CustodyCalendar = r
      ? { kind: r.kind, oddWeeksFamilyId: r.oddWeeksFamilyId, weekdays: JSON.parse(r.weekdays), holidays: r.holidays, firstHalfFamilyId: r.firstHalfFamilyId, exceptions: [] }
      : { ...NO_CUSTODY, exceptions: [] }
    calendar.exceptions = exceptions.filter((e) => e.childId === s.childId).map(({ day, familyId }) => ({ day, familyId }))
    out.set(s.childId, { calendar, households: [s.first, s.second] })
  }
  return out
}

/** Which household has a child on a day (null: no rule, or not a shared child), for days in [from, to]. */
export type CustodyOn = (childId: number, day: string) => number | null

/**
 * Reads the calendars of the given children once; school holidays are read
 * only when some calendar splits them. Children with one household answer null.
 */
export async function custodyResolver(m: EntityManager, childIds: number[], from: string, to: string): Promise<CustodyOn> {
  const calendars = sharedCalendars(m, childIds)
  if (!calendars.size) return () => null
  const data = [...calendars.values()].some((c) => c.calendar.holidays !== 'none') ? await loadCalendarData(m, from, to) : null
  return (childId, day) => {
    const c = calendars.get(childId)
    return c ? custodyHousehold(c.calendar, c.households, day, data ? holidayOn(day, data) : null) : null
  }
}

/** The custody editor of a child's file: its households, its calendar, and who has it each day of `month`. */
export async function getCustody(m: EntityManager, childId: number, month: string): Promise<CustodyViewDto> {
  const labels = await childHouseholdLabels(m, childId)
  if (!labels) throw notFound('Enfant')
  const days = dayRange(`${month}-01`, lastDayOfMonth(month))
  const on = await custodyResolver(m, [childId], days[0], days[days.length - 1])
  return {
    childId,
    households: labels.second ? [labels.first, labels.second] : [labels.first],
    calendar: sharedCalendars(m, [childId]).get(childId)?.calendar ?? NO_CUSTODY,
    version: versionOf(m, 'custody_rule', { child_id: childId }),
    month,
    days: days.map((day) => ({ day, familyId: on(childId, day) }))
  }
}

/** Saves a shared child's calendar as a whole (rule and exceptions), versioned and audited. */
export async function saveCustody(core: Core, actor: Actor, childId: number, cal: CustodyCalendarDto, version: number): Promise<void> {
  await core.tx.run(async (m) => {
    const households = childHouseholds(m, childId)
    if (!households.length) throw notFound('Enfant')
    if (households.length < 2 && cal.kind !== 'none') {
      throw new DomainError('not_shared', 'Rattachez d’abord l’enfant à son second foyer : un calendrier de garde se partage entre deux foyers.', 409)
    }
    const ids = [cal.oddWeeksFamilyId, cal.firstHalfFamilyId, ...cal.weekdays, ...cal.exceptions.map((e) => e.familyId)].filter((x): x is number => x !== null)
    if (ids.some((x) => !households.includes(x))) throw new DomainError('invalid_input', 'Le calendrier ne peut nommer que les deux foyers de l’enfant.', 400)
    const db = dbOf(m)
    const before = sharedCalendars(m, [childId]).get(childId)?.calendar ?? null
    const now = core.clock.now()
    stmt(
      db,
      `INSERT INTO custody_rule (child_id, kind, odd_weeks_family_id, weekdays, holidays, first_half_family_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (child_id) DO UPDATE SET kind = excluded.kind, odd_weeks_family_id = excluded.odd_weeks_family_id, weekdays = excluded.weekdays,
         holidays = excluded.holidays, first_half_family_id = excluded.first_half_family_id, updated_at = excluded.updated_at`
    ).run(childId, cal.kind, cal.oddWeeksFamilyId, JSON.stringify(cal.weekdays), cal.holidays, cal.firstHalfFamilyId, now.toISOString())
    claimVersion(m, 'custody_rule', { child_id: childId }, version, actor, now)
    stmt(db, 'DELETE FROM custody_exception WHERE child_id = ?').run(childId)
    const insert = stmt(db, 'INSERT INTO custody_exception (child_id, day, family_id) VALUES (?, ?, ?)')
    for (const e of cal.exceptions) insert.run(childId, e.day, e.familyId)
    await audit(m, actor, now, { action: 'custody-save', entity: 'child', entityId: childId, before, after: cal })
  })
}
