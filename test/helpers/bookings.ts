/**
 * Booking fixtures: an activity with its period, group, units, capacity and
 * validated enrolments, saved through the entities (the configuration screens
 * of #4 are tested on their own).
 *
 *   const act = await seedActivity(core, { validation: 'staff', places: 10 })
 *   const childId = await seedChild(core, fam.familyId, 'Emma')
 *   await enrol(core, act, childId)
 */
import type { DeadlineRule } from '@shared/bookings/deadlines'
import { SYSTEM } from '../../src-main/core/actor'
import type { Core } from '../../src-main/core/app-core'
import { Activity, ActivityGroup, ActivityPeriod, ActivityType, Capacity, Enrolment, Facility, Unit, UnitExclusion } from '../../src-main/activities/entities'
import { Child } from '../../src-main/families/entities'
import { setRules } from '../../src-main/bookings/rules'

export interface SeededActivity {
  activityId: number
  periodId: number
  groupId: number
  units: { id: number; name: string; priceCents: number }[]
}

export interface ActivityOptions {
  name?: string
  kind?: 'periscolaire' | 'mercredi' | 'vacances' | 'restauration'
  openingRule?: 'school-days' | 'wednesdays' | 'holiday-weekdays' | 'weekdays'
  validation?: 'auto' | 'staff'
  period?: { start: string; end: string; windowStart?: string; windowEnd?: string }
  units?: { name: string; start: string; end: string; priceCents: number }[]
  /** Default places per unit for the group (none = unlimited). */
  places?: number
  booking?: DeadlineRule
  cancellation?: DeadlineRule
  familyChanges?: boolean
  exclusive?: boolean
}

export async function seedActivity(core: Core, o: ActivityOptions = {}): Promise<SeededActivity> {
  const period = o.period ?? { start: '2026-09-01', end: '2027-07-03' }
  const units = o.units ?? [{ name: 'Après-midi SANS repas', start: '13:30', end: '18:30', priceCents: 520 }]
  const out = await core.tx.run(async (m) => {
    const f = await m.save(Facility, m.create(Facility, { name: 'Centre de loisirs', active: true, sort: 0 }))
    const t = await m.save(ActivityType, m.create(ActivityType, { facilityId: f.id, name: 'Mercredis', kind: o.kind ?? 'mercredi' }))
    const a = await m.save(
      Activity,
      m.create(Activity, {
        activityTypeId: t.id,
        name: o.name ?? 'CL Maternel Mercredis',
        openingRule: o.openingRule ?? 'wednesdays',
        validation: o.validation ?? 'staff',
        autoBook: false,
        typicalWeek: false,
        active: true,
        description: ''
      })
    )
    const p = await m.save(
      ActivityPeriod,
      m.create(ActivityPeriod, {
        activityId: a.id,
        name: '2026/2027',
        startDate: period.start,
        endDate: period.end,
        windowStart: period.windowStart ?? '2026-03-10',
        windowEnd: period.windowEnd ?? '2026-08-20'
      })
    )
    const g = await m.save(ActivityGroup, m.create(ActivityGroup, { activityId: a.id, name: 'Maternelle', ageMin: null, ageMax: null, levels: '', places: null }))
    const saved: SeededActivity['units'] = []
    let sort = 0
    for (const u of units) {
      const row = await m.save(Unit, m.create(Unit, { activityId: a.id, name: u.name, startTime: u.start, endTime: u.end, priceCents: u.priceCents, sort: sort++ }))
      saved.push({ id: row.id, name: row.name, priceCents: row.priceCents })
      if (o.places !== undefined) await m.save(Capacity, m.create(Capacity, { groupId: g.id, unitId: row.id, places: o.places, day: null }))
    }
    if (o.exclusive && saved.length >= 2) {
      await m.insert(UnitExclusion, [
        { unitId: saved[0].id, excludedUnitId: saved[1].id },
        { unitId: saved[1].id, excludedUnitId: saved[0].id }
      ])
    }
    return { activityId: a.id, periodId: p.id, groupId: g.id, units: saved }
  })
  if (o.booking || o.cancellation || o.familyChanges === false) {
    const def: DeadlineRule = { kind: 'monthly', day: 20, time: '24:00' }
    await setRules(core, SYSTEM, out.activityId, { booking: o.booking ?? def, cancellation: o.cancellation ?? o.booking ?? def, familyChanges: o.familyChanges ?? true, version: 0 })
  }
  return out
}

export async function seedChild(core: Core, familyId: number, firstName: string, birthDate = '2021-03-04'): Promise<number> {
  return core.tx.run(async (m) => {
    const r = await m.insert(Child, { familyId, lastName: 'Test', firstName, birthDate, sex: '', school: '', grade: '', createdAt: core.clock.now().toISOString() })
    return Number(r.identifiers[0].id)
  })
}

/** The first child of a family (seedFamily creates one). */
export async function firstChild(core: Core, familyId: number): Promise<number> {
  return core.tx.read(async (m) => (await m.findOneByOrFail(Child, { familyId })).id)
}

export async function enrol(core: Core, act: SeededActivity, childId: number): Promise<number> {
  return core.tx.run(async (m) => {
    const e = await m.save(
      Enrolment,
      m.create(Enrolment, {
        childId,
        activityId: act.activityId,
        periodId: act.periodId,
        groupId: act.groupId,
        status: 'validated',
        requestId: null,
        typicalWeek: [],
        memo: '',
        reason: '',
        source: 'staff',
        startDate: null,
        waitingSince: null,
        createdAt: core.clock.now().toISOString(),
        decidedAt: core.clock.now().toISOString(),
        endedOn: null
      })
    )
    return e.id
  })
}

/** Current state of a cell ('-' when no booking row). */
export async function stateOf(core: Core, childId: number, unitId: number, day: string): Promise<string> {
  const row = core.db.prepare('SELECT state FROM booking WHERE child_id = ? AND unit_id = ? AND day = ?').get(childId, unitId, day) as { state: string } | undefined
  return row?.state ?? '-'
}
