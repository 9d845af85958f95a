import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm'
import { In } from 'typeorm'
import type { z } from 'zod'
import type {
  activityInput,
  activityTypeInput,
  ActivitiesTreeDto,
  capacityInput,
  facilityInput,
  groupInput,
  periodInput,
  unitInput
} from '@shared/contract/activities-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { conflict, DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { bumpVersion, claimVersion, type VersionedTable } from '../db/versions'
import { Booking } from '../bookings/entities'
import { Activity, ActivityGroup, ActivityPeriod, ActivityType, Capacity, Enrolment, Facility, Unit, UnitExclusion } from './entities'
import { groupDto, unitDto } from './dto'
import { fillFreedPlaces } from './enrolment'

type In<T extends z.ZodType> = z.output<T>

/** The configuration tables saveRow writes (each versioned: db/versions.ts). */
type ConfigTable = Extract<VersionedTable, 'facility' | 'activity_type' | 'activity' | 'activity_period' | 'activity_group' | 'unit' | 'capacity'>

/**
 * Creates or updates one configuration row with its audit row. `label` names
 * the thing in French for "introuvable" messages.
 */
async function saveRow<E extends ObjectLiteral & { id: number; version: number }>(
  m: EntityManager,
  core: Core,
  actor: Actor,
  target: EntityTarget<E>,
  entity: ConfigTable,
  label: string,
  { version, ...input }: Partial<E> & { id?: number; version?: number }
): Promise<E> {
  const now = core.clock.now()
  if (input.id) {
    const before = await m.findOneBy(target, { id: input.id } as never)
    if (!before) throw notFound(label)
    const after = m.merge(target, m.create(target, { ...before }), input as never)
    after.version = claimVersion(m, entity, { id: input.id }, version, actor, now)
    await m.save(target, after)
    await audit(m, actor, now, { action: `${entity}-update`, entity, entityId: input.id, before, after })
    return after
  }
  const { id: _drop, ...fields } = input
  const row = await m.save(target, m.create(target, fields as never))
  await audit(m, actor, now, { action: `${entity}-create`, entity, entityId: row.id, after: row })
  return row
}

async function deleteRow<E extends ObjectLiteral & { id: number }>(
  m: EntityManager,
  core: Core,
  actor: Actor,
  target: EntityTarget<E>,
  entity: string,
  label: string,
  id: number
): Promise<void> {
  const before = await m.findOneBy(target, { id } as never)
  if (!before) throw notFound(label)
  await m.delete(target, id)
  await audit(m, actor, core.clock.now(), { action: `${entity}-delete`, entity, entityId: id, before })
}

async function must<E extends ObjectLiteral>(m: EntityManager, target: EntityTarget<E>, id: number, label: string): Promise<E> {
  const row = await m.findOneBy(target, { id } as never)
  if (!row) throw notFound(label)
  return row
}

/** Deleting something enrolments point at would rewrite history: deactivate it instead. */
async function refuseIfEnrolled(m: EntityManager, where: Partial<Record<'activityId' | 'periodId' | 'groupId', number>>, what: string) {
  const n = await m.countBy(Enrolment, where)
  if (n > 0) {
    throw conflict(`Impossible de supprimer ${what} : ${n} inscription${n > 1 ? 's' : ''} y ${n > 1 ? 'sont rattachées' : 'est rattachée'}. Désactivez plutôt l’activité ou terminez les inscriptions.`)
  }
}

export async function saveFacility(core: Core, actor: Actor, input: In<typeof facilityInput>): Promise<Facility> {
  return core.tx.run((m) => saveRow(m, core, actor, Facility, 'facility', 'Équipement', input))
}

export async function deleteFacility(core: Core, actor: Actor, id: number): Promise<void> {
  await core.tx.run(async (m) => {
    const types = await m.findBy(ActivityType, { facilityId: id })
    const activities = types.length ? await m.findBy(Activity, { activityTypeId: In(types.map((t) => t.id)) }) : []
    for (const a of activities) await refuseIfEnrolled(m, { activityId: a.id }, 'cet équipement')
    await deleteRow(m, core, actor, Facility, 'facility', 'Équipement', id)
  })
}

export async function saveActivityType(core: Core, actor: Actor, input: In<typeof activityTypeInput>): Promise<ActivityType> {
  return core.tx.run(async (m) => {
    await must(m, Facility, input.facilityId, 'Équipement')
    return saveRow(m, core, actor, ActivityType, 'activity_type', 'Type d’activité', input)
  })
}

export async function deleteActivityType(core: Core, actor: Actor, id: number): Promise<void> {
  await core.tx.run(async (m) => {
    for (const a of await m.findBy(Activity, { activityTypeId: id })) await refuseIfEnrolled(m, { activityId: a.id }, 'ce type d’activité')
    await deleteRow(m, core, actor, ActivityType, 'activity_type', 'Type d’activité', id)
  })
}

export async function saveActivity(core: Core, actor: Actor, input: In<typeof activityInput>): Promise<Activity> {
  return core.tx.run(async (m) => {
    await must(m, ActivityType, input.activityTypeId, 'Type d’activité')
    return saveRow(m, core, actor, Activity, 'activity', 'Activité', input)
  })
}

export async function deleteActivity(core: Core, actor: Actor, id: number): Promise<void> {
  await core.tx.run(async (m) => {
    await refuseIfEnrolled(m, { activityId: id }, 'cette activité')
    const units = await m.findBy(Unit, { activityId: id })
    if (units.length && (await m.countBy(Booking, { unitId: In(units.map((u) => u.id)) }))) {
      throw conflict('Impossible de supprimer cette activité : des réservations existent sur ses unités. Désactivez-la plutôt.')
    }
    await deleteRow(m, core, actor, Activity, 'activity', 'Activité', id)
  })
}

export async function savePeriod(core: Core, actor: Actor, input: In<typeof periodInput>): Promise<ActivityPeriod> {
  return core.tx.run(async (m) => {
    await must(m, Activity, input.activityId, 'Activité')
    if (input.id) {
      const p = await must(m, ActivityPeriod, input.id, 'Période')
      if (p.activityId !== input.activityId) throw new DomainError('invalid_input', 'Une période ne change pas d’activité.', 400)
    }
    return saveRow(m, core, actor, ActivityPeriod, 'activity_period', 'Période', input)
  })
}

export async function deletePeriod(core: Core, actor: Actor, id: number): Promise<void> {
  await core.tx.run(async (m) => {
    await refuseIfEnrolled(m, { periodId: id }, 'cette période')
    await deleteRow(m, core, actor, ActivityPeriod, 'activity_period', 'Période', id)
  })
}

export async function saveGroup(core: Core, actor: Actor, input: In<typeof groupInput>): Promise<ActivityGroup> {
  return core.tx.run(async (m) => {
    await must(m, Activity, input.activityId, 'Activité')
    if (input.id) {
      const g = await must(m, ActivityGroup, input.id, 'Groupe')
      if (g.activityId !== input.activityId) throw new DomainError('invalid_input', 'Un groupe ne change pas d’activité.', 400)
    }
    const saved = await saveRow(m, core, actor, ActivityGroup, 'activity_group', 'Groupe', { ...input, levels: input.levels.join(',') })
    // More places may free waiting families.
    if (input.id) {
      for (const p of await m.findBy(ActivityPeriod, { activityId: input.activityId })) await fillFreedPlaces(m, core, actor, saved.id, p.id)
    }
    return saved
  })
}

export async function deleteGroup(core: Core, actor: Actor, id: number): Promise<void> {
  await core.tx.run(async (m) => {
    await refuseIfEnrolled(m, { groupId: id }, 'ce groupe')
    await deleteRow(m, core, actor, ActivityGroup, 'activity_group', 'Groupe', id)
  })
}

/** Saves a unit and its exclusions, stored both ways so either unit finds the other. */
/** `meal` may be left out by code that predates it (tests, benches): no meal. */
export async function saveUnit(core: Core, actor: Actor, input: Omit<In<typeof unitInput>, 'meal'> & { meal?: boolean }): Promise<Unit> {
  return core.tx.run(async (m) => {
    await must(m, Activity, input.activityId, 'Activité')
    const { excludes, ...rest } = input
    const fields = { ...rest, meal: rest.meal ?? false }
    if (input.id) {
      const u = await must(m, Unit, input.id, 'Unité')
      if (u.activityId !== input.activityId) throw new DomainError('invalid_input', 'Une unité ne change pas d’activité.', 400)
    }
    const saved = await saveRow(m, core, actor, Unit, 'unit', 'Unité', fields)
    const others = excludes.filter((x) => x !== saved.id)
    if (others.length) {
      const found = await m.findBy(Unit, { id: In(others), activityId: input.activityId })
      if (found.length !== new Set(others).size) throw new DomainError('invalid_input', 'Une unité exclue n’appartient pas à cette activité.', 400)
    }
    const before = (await m.findBy(UnitExclusion, { unitId: saved.id })).map((e) => e.excludedUnitId).sort()
    await m.delete(UnitExclusion, { unitId: saved.id })
    await m.delete(UnitExclusion, { excludedUnitId: saved.id })
    for (const x of new Set(others)) {
      await m.insert(UnitExclusion, [
        { unitId: saved.id, excludedUnitId: x },
        { unitId: x, excludedUnitId: saved.id }
      ])
    }
    const after = [...new Set(others)].sort()
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      await audit(m, actor, core.clock.now(), { action: 'unit-exclusions-update', entity: 'unit', entityId: saved.id, before, after })
      // Exclusions are stored both ways: a unit gained or lost here has changed too, and a copy of it open elsewhere is stale.
      for (const x of [...before, ...after].filter((u) => !before.includes(u) || !after.includes(u))) bumpVersion(m, 'unit', { id: x }, actor, core.clock.now())
    }
    return saved
  })
}

export async function deleteUnit(core: Core, actor: Actor, id: number): Promise<void> {
  await core.tx.run(async (m) => {
    if (await m.countBy(Booking, { unitId: id })) throw conflict('Impossible de supprimer cette unité : des réservations l’utilisent.')
    await deleteRow(m, core, actor, Unit, 'unit', 'Unité', id)
  })
}

/** Sets the places of a group × unit, by default (day null) or as an exception on one day. */
export async function saveCapacity(core: Core, actor: Actor, input: In<typeof capacityInput>): Promise<Capacity> {
  return core.tx.run(async (m) => {
    const g = await must(m, ActivityGroup, input.groupId, 'Groupe')
    const u = await must(m, Unit, input.unitId, 'Unité')
    if (g.activityId !== u.activityId) throw new DomainError('invalid_input', 'Le groupe et l’unité doivent appartenir à la même activité.', 400)
    const qb = m.createQueryBuilder(Capacity, 'c').where('c.group_id = :g AND c.unit_id = :u', { g: g.id, u: u.id })
    if (input.day === null) qb.andWhere('c.day IS NULL')
    else qb.andWhere('c.day = :d', { d: input.day })
    const existing = await qb.getOne()
    // A screen that saw no capacity for this group, unit and day sends no version: 0, refused if one was saved since.
    const saved = await saveRow(m, core, actor, Capacity, 'capacity', 'Capacité', { ...input, id: existing?.id, version: input.version ?? 0 })
    if (input.day === null) {
      for (const p of await m.findBy(ActivityPeriod, { activityId: g.activityId })) await fillFreedPlaces(m, core, actor, g.id, p.id)
    }
    return saved
  })
}

export async function deleteCapacity(core: Core, actor: Actor, id: number): Promise<void> {
  await core.tx.run((m) => deleteRow(m, core, actor, Capacity, 'capacity', 'Capacité', id))
}

/** The whole configuration: facilities → types → activities with periods, groups, units and capacities. */
export async function activitiesTree(core: Core): Promise<ActivitiesTreeDto> {
  return core.tx.read(async (m) => {
    const [facilities, types, activities, periods, groups, units, capacities, exclusions] = await Promise.all([
      m.find(Facility, { order: { sort: 'ASC', name: 'ASC' } }),
      m.find(ActivityType, { order: { name: 'ASC' } }),
      m.find(Activity, { order: { name: 'ASC' } }),
      m.find(ActivityPeriod, { order: { startDate: 'ASC' } }),
      m.find(ActivityGroup, { order: { name: 'ASC' } }),
      m.find(Unit, { order: { sort: 'ASC', startTime: 'ASC' } }),
      m.find(Capacity, { order: { day: 'ASC' } }),
      m.find(UnitExclusion)
    ])
    return facilities.map((f) => ({
      ...f,
      types: types
        .filter((t) => t.facilityId === f.id)
        .map((t) => ({
          ...t,
          activities: activities
            .filter((a) => a.activityTypeId === t.id)
            .map((a) => {
              const gs = groups.filter((g) => g.activityId === a.id)
              const gIds = new Set(gs.map((g) => g.id))
              return {
                ...a,
                periods: periods.filter((p) => p.activityId === a.id),
                groups: gs.map(groupDto),
                units: units.filter((u) => u.activityId === a.id).map((u) => unitDto(u, exclusions.filter((e) => e.unitId === u.id).map((e) => e.excludedUnitId))),
                capacities: capacities.filter((c) => gIds.has(c.groupId)).map((c) => ({ ...c }))
              }
            })
        }))
    }))
  })
}
