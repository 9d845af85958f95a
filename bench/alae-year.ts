/**
 * An ALAE with automatic booking (Matin + Soir on school days) and one
 * period, for the auto-booking benchmarks and the job tests: what a desk sets
 * up before accepting a school year's enrolments.
 */
import { SYSTEM } from '../src-main/core/actor'
import type { Core } from '../src-main/core/app-core'
import { saveActivity, saveActivityType, saveFacility, saveGroup, savePeriod, saveUnit } from '../src-main/activities/config'

export async function seedAutobookActivity(core: Core, period: { name: string; startDate: string; endDate: string }, name = 'ALAE') {
  const f = await saveFacility(core, SYSTEM, { name: `Accueil périscolaire ${period.name}`, active: true, sort: 9 })
  const t = await saveActivityType(core, SYSTEM, { facilityId: f.id, name: 'Périscolaire', kind: 'periscolaire' })
  const a = await saveActivity(core, SYSTEM, { activityTypeId: t.id, name, openingRule: 'school-days', validation: 'staff', autoBook: true, typicalWeek: false, active: true, description: '' })
  const p = await savePeriod(core, SYSTEM, { activityId: a.id, ...period, windowStart: '2026-03-10', windowEnd: '2026-08-31' })
  await saveUnit(core, SYSTEM, { activityId: a.id, name: 'Matin', startTime: '07:30', endTime: '08:20', priceCents: 110, sort: 1, excludes: [] })
  await saveUnit(core, SYSTEM, { activityId: a.id, name: 'Soir', startTime: '16:00', endTime: '18:30', priceCents: 190, sort: 2, excludes: [] })
  const g = await saveGroup(core, SYSTEM, { activityId: a.id, name: 'Tous', ageMin: null, ageMax: null, levels: [], places: null })
  return { activityId: a.id, periodId: p.id, groupId: g.id }
}

/** One pending enrolment per child (the first `limit`), as families would have filed them: what the accept then books. */
export function filePendingEnrolments(core: Core, ids: { activityId: number; periodId: number; groupId: number }, limit = -1): number {
  return core.db
    .prepare(
      `INSERT INTO enrolment (child_id, activity_id, period_id, group_id, status, typical_week, memo, created_at)
       SELECT id, ?, ?, ?, 'pending', '[]', '', ? FROM (SELECT id FROM child ORDER BY id LIMIT ?)`
    )
    .run(ids.activityId, ids.periodId, ids.groupId, core.clock.now().toISOString(), limit).changes
}
