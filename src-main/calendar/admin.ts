import type { z } from 'zod'
import type { closureInput, schoolHolidayInput } from '@shared/contract/activities-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { conflict, DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { claimVersion } from '../db/versions'
import { Activity, Facility } from '../activities/entities'
import { getSetting, putSetting, settingVersion } from '../settings/settings'
import { DEFAULT_SCHOOL_WEEKDAYS, SCHOOL_WEEKDAYS_KEY, activityCalendarInfo, loadCalendarData } from './calendar'
import { daysBetween, eachDay } from './days'
import type { ClosureOutcome } from './closure-bookings'
import { closureOutcome, recordClosureJob, runClosureJob } from './closure-job'
import type { JobHooks } from '../jobs/runner'
import { Closure, SchoolHoliday } from './entities'
import { loadShippedHolidays } from './holiday-csv'
import { dayInfo, isOpenOn } from './opening'
import { isAlsaceMoselle } from './public-holidays'

export async function listClosures(core: Core, from?: string, to?: string): Promise<Closure[]> {
  return core.tx.read((m) => {
    const qb = m.createQueryBuilder(Closure, 'c').orderBy('c.start_date', 'DESC')
    if (from) qb.andWhere('c.end_date >= :from', { from })
    if (to) qb.andWhere('c.start_date <= :to', { to })
    return qb.getMany()
  })
}

/**
 * Saves a closure and records, in the same short transaction, the job that
 * cancels (not billed) the DR/R/DA bookings on the days it now closes,
 * credits those already invoiced, with one e-mail per family; then applies
 * that job by chunks of families, each a short transaction (closure-job.ts),
 * so the portal keeps answering during a whole city's closure and a process
 * killed midway finishes the job at the next start or from « Reprendre ».
 * Re-saving is harmless: already cancelled bookings are not touched (nor
 * credited) again.
 */
export async function saveClosure(
  core: Core,
  actor: Actor,
  input: z.output<typeof closureInput>,
  hooks?: JobHooks
): Promise<Closure & ClosureOutcome & { jobId: number | null }> {
  const { closure, jobId } = await core.tx.run(async (m) => {
    if (input.facilityId && input.activityId) {
      throw new DomainError('invalid_input', 'Une fermeture concerne soit un équipement, soit une activité (ou toute la structure), pas les deux.', 400)
    }
    if (input.facilityId && !(await m.findOneBy(Facility, { id: input.facilityId }))) throw notFound('Équipement')
    if (input.activityId && !(await m.findOneBy(Activity, { id: input.activityId }))) throw notFound('Activité')
    const now = core.clock.now()
    const { version, ...fields } = input
    let closure: Closure
    if (fields.id) {
      const before = await m.findOneBy(Closure, { id: fields.id })
      if (!before) throw notFound('Fermeture')
      closure = { ...before, ...fields, id: before.id, version: claimVersion(m, 'closure', { id: before.id }, version, actor, now) }
      await m.save(Closure, closure)
      await audit(m, actor, now, { action: 'closure-update', entity: 'closure', entityId: before.id, before, after: closure })
    } else {
      closure = await m.save(Closure, Object.assign(new Closure(), fields))
      await audit(m, actor, now, { action: 'closure-create', entity: 'closure', entityId: closure.id, after: closure })
    }
    return { closure, jobId: recordClosureJob(core.db, actor, now.toISOString(), closure) }
  })
  const job = jobId ? await runClosureJob(core, jobId, hooks) : null
  return Object.assign(closure, closureOutcome(core.db, job), { jobId })
}

export async function deleteClosure(core: Core, actor: Actor, id: number): Promise<void> {
  await core.tx.run(async (m) => {
    const before = await m.findOneBy(Closure, { id })
    if (!before) throw notFound('Fermeture')
    await m.delete(Closure, id)
    await audit(m, actor, core.clock.now(), { action: 'closure-delete', entity: 'closure', entityId: id, before })
  })
}

export async function listSchoolHolidays(core: Core, zone?: 'A' | 'B' | 'C'): Promise<SchoolHoliday[]> {
  return core.tx.read((m) => m.find(SchoolHoliday, { where: zone ? { zone } : {}, order: { firstDayOff: 'ASC', zone: 'ASC' } }))
}

export async function saveSchoolHoliday(core: Core, actor: Actor, input: z.output<typeof schoolHolidayInput>): Promise<SchoolHoliday> {
  return core.tx.run(async (m) => {
    const clash = await m.findOneBy(SchoolHoliday, { zone: input.zone, schoolYear: input.schoolYear, name: input.name })
    if (clash && clash.id !== input.id) throw conflict(`Les vacances « ${input.name} » ${input.schoolYear} existent déjà pour la zone ${input.zone}.`)
    const now = core.clock.now()
    const { version, ...fields } = input
    if (fields.id) {
      const before = await m.findOneBy(SchoolHoliday, { id: fields.id })
      if (!before) throw notFound('Période de vacances')
      const after = { ...before, ...fields, id: before.id, version: claimVersion(m, 'school_holiday', { id: before.id }, version, actor, now) }
      await m.save(SchoolHoliday, after)
      await audit(m, actor, now, { action: 'school-holiday-update', entity: 'school_holiday', entityId: before.id, before, after })
      return after
    }
    const row = await m.save(SchoolHoliday, Object.assign(new SchoolHoliday(), fields))
    await audit(m, actor, now, { action: 'school-holiday-create', entity: 'school_holiday', entityId: row.id, after: row })
    return row
  })
}

export async function deleteSchoolHoliday(core: Core, actor: Actor, id: number): Promise<void> {
  await core.tx.run(async (m) => {
    const before = await m.findOneBy(SchoolHoliday, { id })
    if (!before) throw notFound('Période de vacances')
    await m.delete(SchoolHoliday, id)
    await audit(m, actor, core.clock.now(), { action: 'school-holiday-delete', entity: 'school_holiday', entityId: id, before })
  })
}

/** Adds the shipped holidays missing from the database; rows edited by the structure are kept as they are. */
export async function reloadSchoolHolidays(core: Core, actor: Actor): Promise<{ added: number }> {
  const rows = loadShippedHolidays()
  return core.tx.run(async (m) => {
    let added = 0
    for (const h of rows) {
      if (await m.findOneBy(SchoolHoliday, { zone: h.zone, schoolYear: h.schoolYear, name: h.name })) continue
      await m.insert(SchoolHoliday, h)
      added++
    }
    if (added) await audit(m, actor, core.clock.now(), { action: 'school-holiday-reload', entity: 'school_holiday', after: { added } })
    return { added }
  })
}

export async function getCalendarSettings(core: Core): Promise<{ schoolWeekdays: number[]; version: number }> {
  return core.tx.read(async (m) => ({
    schoolWeekdays: await getSetting<number[]>(m, SCHOOL_WEEKDAYS_KEY, DEFAULT_SCHOOL_WEEKDAYS),
    version: settingVersion(m, SCHOOL_WEEKDAYS_KEY)
  }))
}

export async function updateCalendarSettings(core: Core, actor: Actor, input: { schoolWeekdays: number[]; version: number }): Promise<void> {
  const days = [...new Set(input.schoolWeekdays)].sort()
  await core.tx.run((m) => putSetting(m, core, actor, SCHOOL_WEEKDAYS_KEY, days, [], input.version))
}

/**
 * The year view: each day with its school holiday (petites / grandes
 * vacances, pont), public holiday and closures, plus whether the activity
 * opens when one is given. At most about 13 months at once.
 */
export async function calendarYear(core: Core, q: { from: string; to: string; activityId?: number }) {
  if (q.from > q.to || daysBetween(q.from, q.to) > 400) throw new DomainError('invalid_input', 'Choisissez une plage de 400 jours au plus.', 400)
  return core.tx.read(async (m) => {
    const data = await loadCalendarData(m, q.from, q.to)
    const info = q.activityId ? await activityCalendarInfo(m, q.activityId) : null
    let openCount = 0
    const days = [...eachDay(q.from, q.to)].map((d) => {
      const open = info ? isOpenOn(info.rule, d, data, info) : null
      if (open) openCount++
      return { ...dayInfo(d, data), open }
    })
    return { zone: data.zone, department: data.department, alsaceMoselle: isAlsaceMoselle(data.department), days, openCount: info ? openCount : null }
  })
}
