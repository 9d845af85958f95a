import type { EntityManager } from 'typeorm'
import type { AcceptOutcomeDto, TypicalWeekDto } from '@shared/contract/activities-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { frenchDate, parisDay } from '../core/clock'
import { conflict, DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { Child } from '../families/entities'
import { FamilyRequest } from '../requests/entities'
import { createRequest, decideRequest } from '../requests/requests'
import { addDays, WEEKDAY_LONG } from '@shared/bookings/days'
import { DEFAULT_SCHOOL_WEEKDAYS, SCHOOL_WEEKDAYS_KEY } from '../calendar/calendar'
import { getSetting } from '../settings/settings'
import { Activity, ActivityGroup, ActivityPeriod, ActivityType, Enrolment, Unit, type EnrolmentStatus, type TypicalWeekSlot } from './entities'
import { cancelFutureAutoBookings, syncAutoBookings } from './autobook'
import { unitExclusions } from './dto'
import { enrolmentCapacity, groupRefusal } from './eligibility'
import { autoBookNotice, enrolmentTemplates, mailFamily, type EnrolmentMailData } from './mail'
import { upperName } from '@shared/names'

type StaffActor = Extract<Actor, { kind: 'staff' }>
type FamilyActor = Extract<Actor, { kind: 'family' }>

export const ENROLMENT_REQUEST = 'enrolment'
/** Statuses that hold (or wait for) a place: at most one per child and period. */
export const LIVE_STATUSES: EnrolmentStatus[] = ['pending', 'validated', 'waiting', 'pre-enrolment']

interface Context {
  enrolment: Enrolment
  child: Child
  activity: Activity
  type: ActivityType
  period: ActivityPeriod
  group: ActivityGroup
}

async function loadContext(m: EntityManager, e: Enrolment): Promise<Context> {
  const activity = await m.findOneByOrFail(Activity, { id: e.activityId })
  return {
    enrolment: e,
    child: await m.findOneByOrFail(Child, { id: e.childId }),
    activity,
    type: await m.findOneByOrFail(ActivityType, { id: activity.activityTypeId }),
    period: await m.findOneByOrFail(ActivityPeriod, { id: e.periodId }),
    group: await m.findOneByOrFail(ActivityGroup, { id: e.groupId })
  }
}

function mailData(c: Context): EnrolmentMailData {
  return {
    childName: `${c.child.firstName} ${upperName(c.child.lastName)}`,
    activityName: c.activity.name,
    periodName: c.period.name,
    groupName: c.group.name
  }
}

function summary(c: Omit<Context, 'enrolment' | 'type'>): string {
  return `Inscription de ${c.child.firstName} ${upperName(c.child.lastName)} — ${c.activity.name}, ${c.period.name} (${c.group.name})`
}

export async function mustEnrolment(m: EntityManager, id: number): Promise<Enrolment> {
  const e = await m.findOneBy(Enrolment, { id })
  if (!e) throw notFound('Inscription')
  return e
}

/** The enrolment an 'enrolment' request was filed for. */
export async function enrolmentIdForRequest(core: Core, requestId: number): Promise<number> {
  const e = await core.tx.read((m) => m.findOneBy(Enrolment, { requestId }))
  if (!e) throw notFound('Demande d’inscription')
  return e.id
}

/** Validated enrolments of a group for a period, against its places (null = unlimited). */
export async function groupOccupancy(m: EntityManager, group: ActivityGroup, periodId: number): Promise<{ taken: number; places: number | null }> {
  const taken = await m.countBy(Enrolment, { groupId: group.id, periodId, status: 'validated' })
  return { taken, places: await enrolmentCapacity(m, group) }
}

/** 1 = next to be offered a place. Order: time put on the list, then id. */
export async function waitingRank(m: EntityManager, e: Enrolment): Promise<number | null> {
  if (e.status !== 'waiting' || !e.waitingSince) return null
  const [row] = await m.query(
    `SELECT COUNT(*) AS n FROM enrolment WHERE group_id = ? AND period_id = ? AND status = 'waiting'
       AND (waiting_since < ? OR (waiting_since = ? AND id <= ?))`,
    [e.groupId, e.periodId, e.waitingSince, e.waitingSince, e.id]
  )
  return Number(row.n)
}

/** Closes the enrolment's family request, whoever decides (staff, or the system for automatic validation). */
async function closeRequest(m: EntityManager, core: Core, actor: Actor, requestId: number | null, status: 'accepted' | 'refused', reason = '') {
  if (!requestId) return
  const r = await m.findOneBy(FamilyRequest, { id: requestId })
  if (!r || r.status !== 'pending') return
  if (actor.kind === 'staff') {
    await decideRequest(m, core, actor, r, status, reason)
    return
  }
  const before = { ...r }
  Object.assign(r, { status, reason, decidedAt: core.clock.now().toISOString(), decidedBy: null })
  await m.save(FamilyRequest, r)
  await audit(m, actor, core.clock.now(), { action: `request-${status === 'accepted' ? 'accept' : 'refuse'}`, entity: 'request', entityId: r.id, before, after: r })
}

async function setStatus(m: EntityManager, core: Core, actor: Actor, e: Enrolment, patch: Partial<Enrolment>, action: string) {
  const before = { ...e }
  Object.assign(e, patch)
  await m.save(Enrolment, e)
  await audit(m, actor, core.clock.now(), { action, entity: 'enrolment', entityId: e.id, before, after: e })
}

/**
 * Validates an enrolment if its group has a place, in the caller's
 * transaction (the transaction helper runs them one at a time, so two desks
 * accepting the last place cannot both win). A full group puts it on the
 * waiting list when `waitlistIfFull`, else answers 'full' and changes nothing.
 * An accepted enrolment with automatic booking books its opening days here.
 */
export async function acceptInTx(
  m: EntityManager,
  core: Core,
  actor: Actor,
  enrolmentId: number,
  opts: { waitlistIfFull: boolean; promotion?: boolean } = { waitlistIfFull: false }
): Promise<AcceptOutcomeDto> {
  const e = await mustEnrolment(m, enrolmentId)
  const allowed: EnrolmentStatus[] = opts.promotion ? ['waiting'] : ['pending', 'pre-enrolment', 'waiting']
  if (!allowed.includes(e.status)) throw conflict('Cette inscription a déjà été traitée.')
  const c = await loadContext(m, e)
  const { taken, places } = await groupOccupancy(m, c.group, e.periodId)
  const now = core.clock.now().toISOString()
  if (places !== null && taken >= places) {
    if (!opts.waitlistIfFull) {
      return { enrolmentId, outcome: 'full', rank: null, bookings: 0, message: `Le groupe « ${c.group.name} » est complet (${places} place${places > 1 ? 's' : ''}).` }
    }
    if (e.status !== 'waiting') {
      await setStatus(m, core, actor, e, { status: 'waiting', waitingSince: now }, 'enrolment-waitlist')
      const rank = (await waitingRank(m, e))!
      await mailFamily(m, core, c.child.familyId, (ctx) => enrolmentTemplates.waiting(ctx, { ...mailData(c), rank }))
      return { enrolmentId, outcome: 'waiting', rank, bookings: 0, message: `Groupe complet : liste d’attente, rang ${rank}.` }
    }
    const rank = (await waitingRank(m, e))!
    return { enrolmentId, outcome: 'waiting', rank, bookings: 0, message: `Groupe complet : reste en liste d’attente, rang ${rank}.` }
  }
  const today = parisDay(core.clock.now())
  const startDate = e.startDate ?? (today > c.period.startDate ? today : null)
  await setStatus(m, core, actor, e, { status: 'validated', decidedAt: now, startDate }, opts.promotion ? 'enrolment-promote' : 'enrolment-accept')
  await closeRequest(m, core, actor, e.requestId, 'accepted')
  const booked = await syncAutoBookings(m, core, actor, e)
  const notice = autoBookNotice(booked)
  const data = { ...mailData(c), autoBooked: booked.created, autoBookNotice: notice }
  await mailFamily(m, core, c.child.familyId, (ctx) => (opts.promotion ? enrolmentTemplates.promoted(ctx, data) : enrolmentTemplates.accepted(ctx, data)))
  return {
    enrolmentId,
    outcome: 'validated',
    rank: null,
    bookings: booked.created,
    // Full days are told to the desk too (the family gets the same sentence by e-mail).
    message: notice ? `Validée. ${notice}` : booked.created ? `Validée, ${booked.created} réservations créées.` : 'Validée.',
    ...(booked.full.length ? { fullSlots: booked.full.length } : {})
  }
}

/**
 * Enrolments accepted per transaction in a bulk accept (and a period's job,
 * autobook-job.ts): each books its school year (~280 rows, with the load and
 * billing triggers: about 12 ms of CPU at 20,000 families, bench/commune-jobs.ts),
 * so five keep the write lock around 60 ms (#19) while a commit (one disk
 * sync) still serves over a thousand rows.
 */
export const BULK_ACCEPT_CHUNK = 5

/**
 * Accepts `ids` in order in the caller's transaction, each under its own
 * savepoint, so one refused (already decided, unknown) rolls back alone and
 * is reported while the others are kept. Shared by the bulk accept and the
 * school-year job (autobook-job.ts).
 */
export async function acceptChunk(m: EntityManager, core: Core, actor: Actor, ids: number[], waitlistIfFull: boolean): Promise<AcceptOutcomeDto[]> {
  const out: AcceptOutcomeDto[] = []
  for (const id of ids) {
    try {
      out.push(await core.tx.savepoint(() => acceptInTx(m, core, actor, id, { waitlistIfFull })))
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      out.push({ enrolmentId: id, outcome: 'error', rank: null, bookings: 0, message: err.message })
    }
  }
  return out
}

/** Bulk accept from the queue: enrolments are accepted in order, by chunks sharing one transaction (acceptChunk). */
export async function acceptEnrolments(core: Core, actor: Actor, ids: number[], waitlistIfFull: boolean): Promise<AcceptOutcomeDto[]> {
  const out: AcceptOutcomeDto[] = []
  for (let i = 0; i < ids.length; i += BULK_ACCEPT_CHUNK) {
    const chunk = ids.slice(i, i + BULK_ACCEPT_CHUNK)
    out.push(...(await core.tx.run((m) => acceptChunk(m, core, actor, chunk, waitlistIfFull))))
  }
  return out
}

/**
 * Offers freed places to the waiting list, first come first served, while
 * the group has room and the period is not over. Each promoted family is
 * notified by e-mail (queued in this transaction).
 */
export async function fillFreedPlaces(m: EntityManager, core: Core, actor: Actor, groupId: number, periodId: number): Promise<number[]> {
  const period = await m.findOneBy(ActivityPeriod, { id: periodId })
  const group = await m.findOneBy(ActivityGroup, { id: groupId })
  if (!period || !group || period.endDate < parisDay(core.clock.now())) return []
  const promoted: number[] = []
  for (;;) {
    const { taken, places } = await groupOccupancy(m, group, periodId)
    if (places !== null && taken >= places) break
    const next = await m.findOne(Enrolment, { where: { groupId, periodId, status: 'waiting' }, order: { waitingSince: 'ASC', id: 'ASC' } })
    if (!next) break
    await acceptInTx(m, core, actor, next.id, { waitlistIfFull: false, promotion: true })
    promoted.push(next.id)
  }
  return promoted
}

export async function waitlistEnrolment(core: Core, actor: Actor, id: number): Promise<AcceptOutcomeDto> {
  return core.tx.run(async (m) => {
    const e = await mustEnrolment(m, id)
    if (!['pending', 'pre-enrolment'].includes(e.status)) throw conflict('Seule une demande en attente peut être placée en liste d’attente.')
    const c = await loadContext(m, e)
    await setStatus(m, core, actor, e, { status: 'waiting', waitingSince: core.clock.now().toISOString() }, 'enrolment-waitlist')
    const rank = (await waitingRank(m, e))!
    await mailFamily(m, core, c.child.familyId, (ctx) => enrolmentTemplates.waiting(ctx, { ...mailData(c), rank }))
    return { enrolmentId: id, outcome: 'waiting', rank, bookings: 0, message: `Liste d’attente, rang ${rank}.` }
  })
}

export async function refuseEnrolment(core: Core, actor: Actor, id: number, reason: string): Promise<void> {
  await core.tx.run(async (m) => {
    const e = await mustEnrolment(m, id)
    if (!['pending', 'pre-enrolment', 'waiting'].includes(e.status)) throw conflict('Seule une demande en attente ou en liste d’attente peut être refusée. Pour une inscription validée, terminez-la.')
    const c = await loadContext(m, e)
    await setStatus(m, core, actor, e, { status: 'refused', reason, decidedAt: core.clock.now().toISOString(), waitingSince: null }, 'enrolment-refuse')
    await closeRequest(m, core, actor, e.requestId, 'refused', reason)
    await mailFamily(m, core, c.child.familyId, (ctx) => enrolmentTemplates.refused(ctx, { ...mailData(c), reason }))
  })
}

/**
 * Ends a validated enrolment after `lastDay`: its auto-bookings after that
 * day (and not before today) are cancelled, the past is untouched, and the
 * freed place goes to the waiting list.
 */
export async function endEnrolment(core: Core, actor: Actor, id: number, lastDay: string): Promise<{ cancelled: number; promoted: number[] }> {
  return core.tx.run(async (m) => {
    const e = await mustEnrolment(m, id)
    if (e.status !== 'validated') throw conflict('Seule une inscription validée peut être terminée.')
    const c = await loadContext(m, e)
    if (lastDay >= c.period.endDate) throw new DomainError('invalid_input', `La période se termine déjà le ${frenchDate(c.period.endDate)}.`, 400, { lastDay: 'Date trop tardive.' })
    if (lastDay < addDays(c.period.startDate, -1)) throw new DomainError('invalid_input', `Le dernier jour ne peut pas précéder le début de la période (${frenchDate(c.period.startDate)}).`, 400, { lastDay: 'Date trop précoce.' })
    await setStatus(m, core, actor, e, { status: 'ended', endedOn: lastDay }, 'enrolment-end')
    const cancelled = await cancelFutureAutoBookings(m, core, e, lastDay)
    if (cancelled) {
      await audit(m, actor, core.clock.now(), { action: 'enrolment-autobook-cancel', entity: 'enrolment', entityId: e.id, after: { cancelled, after: lastDay } })
    }
    await mailFamily(m, core, c.child.familyId, (ctx) => enrolmentTemplates.ended(ctx, { ...mailData(c), lastDay, cancelled }))
    const promoted = await fillFreedPlaces(m, core, actor, e.groupId, e.periodId)
    return { cancelled, promoted }
  })
}

/** Checks a typical week against the activity: allowed weekdays, its own units, no two excluding units the same day. */
export async function checkTypicalWeek(m: EntityManager, activity: Activity, slots: TypicalWeekDto): Promise<TypicalWeekSlot[]> {
  if (!slots.length) return []
  if (!activity.typicalWeek) throw new DomainError('invalid_input', `L’activité « ${activity.name} » ne propose pas de semaine type.`, 400, { typicalWeek: 'Non proposé.' })
  const units = await m.findBy(Unit, { activityId: activity.id })
  const schoolDays = await getSetting<number[]>(m, SCHOOL_WEEKDAYS_KEY, DEFAULT_SCHOOL_WEEKDAYS)
  const allowed =
    activity.openingRule === 'school-days' ? schoolDays : activity.openingRule === 'wednesdays' ? [3] : [1, 2, 3, 4, 5]
  const excl = await unitExclusions(m, units.map((u) => u.id))
  const seen = new Set<string>()
  const out: TypicalWeekSlot[] = []
  for (const s of slots) {
    const u = units.find((x) => x.id === s.unitId)
    if (!u) throw new DomainError('invalid_input', 'Une unité de la semaine type n’appartient pas à cette activité.', 400, { typicalWeek: 'Unité inconnue.' })
    if (!allowed.includes(s.weekday)) {
      throw new DomainError('invalid_input', `L’activité « ${activity.name} » n’a pas lieu le ${WEEKDAY_LONG[s.weekday].toLowerCase()}.`, 400, { typicalWeek: 'Jour non ouvert.' })
    }
    const key = `${s.weekday}|${s.unitId}`
    if (seen.has(key)) continue
    const clash = out.find((o) => o.weekday === s.weekday && excl.get(o.unitId)!.includes(s.unitId))
    if (clash) {
      const other = units.find((x) => x.id === clash.unitId)!
      throw new DomainError(
        'invalid_input',
        `« ${other.name} » et « ${u.name} » ne peuvent pas être choisis le même jour (${WEEKDAY_LONG[s.weekday].toLowerCase()}).`,
        400,
        { typicalWeek: 'Unités incompatibles.' }
      )
    }
    seen.add(key)
    out.push({ weekday: s.weekday, unitId: s.unitId })
  }
  return out.sort((a, b) => a.weekday - b.weekday || a.unitId - b.unitId)
}

/** Refuses a second live enrolment of the same child in the same period, in French rather than as an index violation. */
async function refuseDuplicate(m: EntityManager, childId: number, periodId: number, firstName: string): Promise<string | null> {
  const live = await m
    .createQueryBuilder(Enrolment, 'e')
    .where('e.child_id = :c AND e.period_id = :p', { c: childId, p: periodId })
    .andWhere('e.status IN (:...s)', { s: LIVE_STATUSES })
    .getOne()
  if (!live) return null
  const label = { pending: 'une demande est déjà en attente', 'pre-enrolment': 'une pré-inscription est déjà en attente', waiting: 'il ou elle est déjà en liste d’attente', validated: 'il ou elle est déjà inscrit(e)' }[
    live.status as 'pending'
  ]
  return `${firstName} : ${label} pour cette période.`
}

export interface NewEnrolment {
  childId: number
  periodId: number
  groupId: number
  typicalWeek: TypicalWeekDto
  memo: string
}

/** Creates the enrolment row (and its family request when a family asks). In the caller's transaction. */
async function createEnrolmentRow(
  m: EntityManager,
  core: Core,
  actor: Actor,
  input: NewEnrolment & { source: 'family' | 'staff'; accountId: number | null; startDate: string | null }
): Promise<{ enrolment: Enrolment; context: Context }> {
  const period = await m.findOneBy(ActivityPeriod, { id: input.periodId })
  if (!period) throw notFound('Période')
  const group = await m.findOneBy(ActivityGroup, { id: input.groupId })
  if (!group || group.activityId !== period.activityId) throw notFound('Groupe')
  const activity = await m.findOneByOrFail(Activity, { id: period.activityId })
  const type = await m.findOneByOrFail(ActivityType, { id: activity.activityTypeId })
  const child = await m.findOneBy(Child, { id: input.childId })
  if (!child) throw notFound('Enfant')
  const typicalWeek = await checkTypicalWeek(m, activity, input.typicalWeek)
  const dup = await refuseDuplicate(m, child.id, period.id, child.firstName)
  if (dup) throw conflict(dup)
  let requestId: number | null = null
  if (input.source === 'family') {
    const r = await createRequest(m, core, actor, {
      // The household that asks (a shared child's second household files its own request).
      familyId: actor.kind === 'family' ? actor.familyId : child.familyId,
      accountId: input.accountId,
      type: ENROLMENT_REQUEST,
      summary: summary({ child, activity, period, group }),
      payload: { childId: child.id, activityId: activity.id, periodId: period.id, groupId: group.id, typicalWeek, memo: input.memo }
    })
    requestId = r.id
  }
  const e = await m.save(
    Enrolment,
    Object.assign(new Enrolment(), {
      childId: child.id,
      activityId: activity.id,
      periodId: period.id,
      groupId: group.id,
      status: (type.kind === 'petite-enfance' ? 'pre-enrolment' : 'pending') as EnrolmentStatus,
      requestId,
      typicalWeek,
      memo: input.memo,
      reason: '',
      source: input.source,
      startDate: input.startDate,
      waitingSince: null,
      createdAt: core.clock.now().toISOString(),
      decidedAt: null,
      endedOn: null
    })
  )
  if (requestId) {
    const r = await m.findOneByOrFail(FamilyRequest, { id: requestId })
    r.payload = { ...r.payload, enrolmentId: e.id }
    await m.save(FamilyRequest, r)
  }
  await audit(m, actor, core.clock.now(), { action: 'enrolment-create', entity: 'enrolment', entityId: e.id, after: e })
  return { enrolment: e, context: { enrolment: e, child, activity, type, period, group } }
}

export function windowRefusal(period: ActivityPeriod, activityName: string, today: string): string | null {
  const label = `« ${activityName} – ${period.name} »`
  if (today < period.windowStart) return `Les inscriptions à ${label} ouvriront le ${frenchDate(period.windowStart)} (jusqu’au ${frenchDate(period.windowEnd)}).`
  if (today > period.windowEnd) return `Les inscriptions à ${label} sont closes depuis le ${frenchDate(period.windowEnd)} (elles étaient ouvertes du ${frenchDate(period.windowStart)} au ${frenchDate(period.windowEnd)}). Contactez la structure.`
  return null
}

export interface FamilyEnrolmentInput extends NewEnrolment {
  siblingIds: number[]
}

/**
 * "Nouvelle inscription" from the portal, for a child and optionally its
 * siblings. Checks the window, age/level and typical week; each sibling gets
 * the same group if it fits, else another group of the activity that does,
 * else is skipped with the reason. Activities with automatic validation are
 * accepted at once (waiting list when full). One transaction for all.
 */
export async function requestEnrolment(core: Core, actor: FamilyActor, input: FamilyEnrolmentInput) {
  return core.tx.run(async (m) => {
    const today = parisDay(core.clock.now())
    const period = await m.findOneBy(ActivityPeriod, { id: input.periodId })
    if (!period) throw notFound('Période')
    const activity = await m.findOneByOrFail(Activity, { id: period.activityId })
    if (!activity.active) throw notFound('Activité')
    const closed = windowRefusal(period, activity.name, today)
    if (closed) throw new DomainError('window_closed', closed, 409)
    if (period.endDate < today) throw new DomainError('window_closed', 'Cette période est terminée.', 409)
    const groups = await m.find(ActivityGroup, { where: { activityId: activity.id }, order: { name: 'ASC' } })
    const chosen = groups.find((g) => g.id === input.groupId)
    if (!chosen) throw notFound('Groupe')

    const created: { childId: number; childName: string; enrolmentId: number; status: EnrolmentStatus; groupName: string; rank: number | null }[] = []
    const skipped: { childId: number; childName: string; reason: string }[] = []
    const childIds = [input.childId, ...input.siblingIds.filter((s) => s !== input.childId)]
    for (const [i, childId] of [...new Set(childIds)].entries()) {
      const child = await m.findOneByOrFail(Child, { id: childId })
      const name = child.firstName
      const refusal = groupRefusal(chosen, child, period.startDate)
      const group = refusal ? (i === 0 ? null : groups.find((g) => !groupRefusal(g, child, period.startDate))) : chosen
      if (!group) {
        // The first child must fit the group the family picked; a sibling may fall back to another group.
        if (i === 0) throw new DomainError('not_eligible', refusal!, 409)
        skipped.push({ childId, childName: name, reason: `${refusal} Aucun autre groupe de cette activité ne lui correspond.` })
        continue
      }
      const dup = await refuseDuplicate(m, childId, period.id, name)
      if (dup) {
        if (i === 0) throw conflict(dup)
        skipped.push({ childId, childName: name, reason: dup })
        continue
      }
      const { enrolment } = await createEnrolmentRow(m, core, actor, {
        childId,
        periodId: period.id,
        groupId: group.id,
        typicalWeek: input.typicalWeek,
        memo: input.memo,
        source: 'family',
        accountId: actor.id || null,
        startDate: null
      })
      if (activity.validation === 'auto') {
        const system: Actor = { kind: 'system', id: null, label: 'Validation automatique' }
        await acceptInTx(m, core, system, enrolment.id, { waitlistIfFull: true })
      }
      const fresh = await mustEnrolment(m, enrolment.id)
      created.push({ childId, childName: name, enrolmentId: fresh.id, status: fresh.status, groupName: group.name, rank: await waitingRank(m, fresh) })
    }
    return { created, skipped }
  })
}

/**
 * Staff enrol a child directly (no window, no request): validated at once if
 * the group has room (with its auto-bookings), else 'full' — or the waiting
 * list when asked. `ignoreAge` lets the desk override the age/level brackets.
 */
export async function enrolDirectly(
  core: Core,
  actor: Actor,
  input: NewEnrolment & { startDate: string | null; ignoreAge: boolean; waitlistIfFull: boolean }
): Promise<AcceptOutcomeDto> {
  return core.tx.run(async (m) => {
    const group = await m.findOneBy(ActivityGroup, { id: input.groupId })
    const period = await m.findOneBy(ActivityPeriod, { id: input.periodId })
    const child = await m.findOneBy(Child, { id: input.childId })
    if (!group || !period || !child) throw notFound('Enfant, période ou groupe')
    if (!input.ignoreAge) {
      const refusal = groupRefusal(group, child, period.startDate)
      if (refusal) throw new DomainError('not_eligible', `${refusal} Cochez « Ignorer l’âge et le niveau » pour l’inscrire quand même.`, 409)
    }
    if (input.startDate && (input.startDate < period.startDate || input.startDate > period.endDate)) {
      throw new DomainError('invalid_input', `La date de début doit être dans la période (${frenchDate(period.startDate)} – ${frenchDate(period.endDate)}).`, 400, { startDate: 'Hors période.' })
    }
    const { enrolment } = await createEnrolmentRow(m, core, actor, { ...input, source: 'staff', accountId: null })
    const outcome = await acceptInTx(m, core, actor, enrolment.id, { waitlistIfFull: input.waitlistIfFull })
    // A full group without the waiting list asked for: nothing is kept.
    if (outcome.outcome === 'full') throw conflict(`${outcome.message} Cochez « Liste d’attente si complet » pour l’y placer.`)
    return outcome
  })
}

/** Staff change an enrolment: its group (checked for room), typical week or memo; auto-bookings follow. */
export async function changeEnrolment(
  core: Core,
  actor: StaffActor,
  id: number,
  patch: { groupId?: number; typicalWeek?: TypicalWeekDto; memo?: string }
): Promise<{ bookingsCreated: number; bookingsCancelled: number }> {
  return core.tx.run(async (m) => {
    const e = await mustEnrolment(m, id)
    if (!LIVE_STATUSES.includes(e.status)) throw conflict('Cette inscription est close : elle ne peut plus être modifiée.')
    const c = await loadContext(m, e)
    const next: Partial<Enrolment> = {}
    const oldGroup = e.groupId
    if (patch.groupId !== undefined && patch.groupId !== e.groupId) {
      const g = await m.findOneBy(ActivityGroup, { id: patch.groupId })
      if (!g || g.activityId !== e.activityId) throw notFound('Groupe')
      if (e.status === 'validated') {
        const { taken, places } = await groupOccupancy(m, g, e.periodId)
        if (places !== null && taken >= places) throw conflict(`Le groupe « ${g.name} » est complet (${places} places).`)
      }
      next.groupId = g.id
      if (e.status === 'waiting') next.waitingSince = core.clock.now().toISOString()
    }
    if (patch.typicalWeek !== undefined) next.typicalWeek = await checkTypicalWeek(m, c.activity, patch.typicalWeek)
    if (patch.memo !== undefined) next.memo = patch.memo
    await setStatus(m, core, actor, e, next, 'enrolment-update')
    let synced = { created: 0, cancelled: 0 }
    if (e.status === 'validated') {
      if (next.groupId) {
        core.db
          .prepare(`UPDATE booking SET group_id = ?, updated_at = ? WHERE enrolment_id = ? AND day >= ?`)
          .run(e.groupId, core.clock.now().toISOString(), e.id, parisDay(core.clock.now()))
      }
      synced = await syncAutoBookings(m, core, actor, e)
      if (next.groupId) await fillFreedPlaces(m, core, actor, oldGroup, e.periodId)
    }
    return { bookingsCreated: synced.created, bookingsCancelled: synced.cancelled }
  })
}
