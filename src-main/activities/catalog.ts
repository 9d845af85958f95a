import type { CatalogDto } from '@shared/contract/activities-shapes'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { notFound } from '../core/errors'
import { Child } from '../families/entities'
import { Activity, ActivityGroup, ActivityPeriod, ActivityType, Enrolment, Facility, Unit } from './entities'
import { unitExclusions } from './dto'
import { groupRefusal } from './eligibility'
import { LIVE_STATUSES, windowRefusal } from './enrolment'
import { ENROLMENT_STATUS_LABELS } from '@shared/contract/activities-shapes'

/**
 * What the "Nouvelle inscription" cascade offers one child: active
 * équipements → types → activités → périodes not yet over → groupes open to
 * its age and level. Periods outside their window stay listed, closed, with
 * the reason, so the form can say why; branches with nothing for the child
 * are dropped.
 */
export async function catalogFor(core: Core, childId: number): Promise<CatalogDto> {
  return core.tx.read(async (m) => {
    const child = await m.findOneBy(Child, { id: childId })
    if (!child) throw notFound('Enfant')
    const today = parisDay(core.clock.now())
    const [facilities, types, activities, periods, groups, units, live] = await Promise.all([
      m.find(Facility, { where: { active: true }, order: { sort: 'ASC', name: 'ASC' } }),
      m.find(ActivityType, { order: { name: 'ASC' } }),
      m.find(Activity, { where: { active: true }, order: { name: 'ASC' } }),
      m.createQueryBuilder(ActivityPeriod, 'p').where('p.end_date >= :today', { today }).orderBy('p.start_date').getMany(),
      m.find(ActivityGroup, { order: { name: 'ASC' } }),
      m.find(Unit, { order: { sort: 'ASC', startTime: 'ASC' } }),
      m.createQueryBuilder(Enrolment, 'e').where('e.child_id = :c', { c: childId }).andWhere('e.status IN (:...s)', { s: LIVE_STATUSES }).getMany()
    ])
    const excl = await unitExclusions(m, units.map((u) => u.id))
    const out: CatalogDto = []
    for (const f of facilities) {
      const ts = []
      for (const t of types.filter((x) => x.facilityId === f.id)) {
        const acts = []
        for (const a of activities.filter((x) => x.activityTypeId === t.id)) {
          const ps = []
          for (const p of periods.filter((x) => x.activityId === a.id)) {
            const gs = groups.filter((g) => g.activityId === a.id && !groupRefusal(g, child, p.startDate))
            if (!gs.length) continue
            const enrolled = live.find((e) => e.periodId === p.id)
            const closedReason = enrolled
              ? `${child.firstName} a déjà une inscription pour cette période (${ENROLMENT_STATUS_LABELS[enrolled.status].toLowerCase()}).`
              : windowRefusal(p, a.name, today)
            ps.push({
              id: p.id,
              name: p.name,
              startDate: p.startDate,
              endDate: p.endDate,
              windowStart: p.windowStart,
              windowEnd: p.windowEnd,
              open: !closedReason,
              window: (today < p.windowStart ? 'before' : today > p.windowEnd ? 'after' : 'open') as 'before' | 'after' | 'open',
              closedReason,
              groups: gs.map((g) => ({ id: g.id, name: g.name }))
            })
          }
          if (!ps.length) continue
          acts.push({
            id: a.id,
            name: a.name,
            description: a.description,
            typicalWeek: a.typicalWeek,
            openingRule: a.openingRule,
            validation: a.validation,
            units: units.filter((u) => u.activityId === a.id).map((u) => ({ id: u.id, name: u.name, startTime: u.startTime, endTime: u.endTime, excludes: excl.get(u.id) ?? [] })),
            periods: ps
          })
        }
        if (acts.length) ts.push({ id: t.id, name: t.name, kind: t.kind, activities: acts })
      }
      if (ts.length) out.push({ id: f.id, name: f.name, types: ts })
    }
    return out
  })
}

