import type { EntityManager } from 'typeorm'
import { dayRange, frDay, isoWeekday, matchesWeekType } from '@shared/bookings/days'
import { parisDayOf } from '@shared/bookings/deadlines'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import type { FamilyActor } from '../rpc/types'
import { applyLines, insertRequest } from './apply'
import type { ChangeKind } from './change-entities'
import { loadContext, type BookingContext } from './context'
import { planFamilyChanges, type FamilyIntent, type PlanError, type PlannedLine } from './plan'
import { sendRecap, summarize, type RecapResult } from './recap'
import { closeRequests } from './decisions'
import { groupCommit } from './group-commit'
import { dbOf, stmt } from './sql'
import { childInHousehold } from '../families/households'

export const MAX_CHANGES = 1000

function span(days: string[]): { from: string; to: string } {
  const sorted = [...days].sort()
  return { from: sorted[0], to: sorted[sorted.length - 1] }
}

/** Loads the context and refuses any child that is not one of the caller's household (same answer as for an unknown id). */
async function familyContext(m: EntityManager, familyId: number, childIds: number[], days: string[]): Promise<BookingContext> {
  const { from, to } = span(days)
  const ctx = await loadContext(m, { childIds, from, to })
  for (const id of childIds) if (!ctx.children.has(id) || !childInHousehold(m, id, familyId)) throw notFound('Enfant')
  return ctx
}

/**
 * A shared child's days with the other parent (issue 16): a household books
 * only the days the custody calendar gives it (or days with no rule), and
 * touches only its own bookings. The other household's cells are refused
 * without saying what is there.
 */
export function householdIntents(ctx: BookingContext, familyId: number, intents: FamilyIntent[]): { intents: FamilyIntent[]; errors: PlanError[] } {
  const errors: PlanError[] = []
  const kept = intents.filter((i) => {
    const foreign = i.op === 'add' ? ctx.otherHousehold(familyId, i.childId, i.unitId, i.day) : ctx.foreignBooking(familyId, i.childId, i.unitId, i.day) === 'live'
    if (foreign) errors.push({ ...i, code: 'other-household', message: `Le ${frDay(i.day)}, ${ctx.children.get(i.childId)?.firstName ?? 'l’enfant'} est chez l’autre parent.` })
    return !foreign
  })
  return { intents: kept, errors }
}

async function planHousehold(m: EntityManager, ctx: BookingContext, familyId: number, intents: FamilyIntent[], now: Date) {
  const own = householdIntents(ctx, familyId, intents)
  const { lines, errors } = await planFamilyChanges(m, ctx, own.intents, now)
  return { lines, errors: [...own.errors, ...errors] }
}

function refusal(errors: PlanError[]): DomainError {
  const complet = errors.some((e) => e.code === 'complet')
  const shown = errors.slice(0, 5).map((e) => e.message)
  const more = errors.length > 5 ? ` … et ${errors.length - 5} autre${errors.length - 5 > 1 ? 's' : ''}.` : ''
  const fields = Object.fromEntries(errors.map((e) => [`${e.childId}:${e.unitId}:${e.day}`, e.message]))
  return new DomainError(
    complet ? 'complet' : 'booking_refused',
    `Aucune modification n’a été enregistrée. ${shown.join(' ')}${more} Retirez ${errors.length > 1 ? 'ces jours' : 'ce jour'} puis validez à nouveau.`,
    409,
    fields
  )
}

function checkSize(intents: unknown[]) {
  if (!intents.length) throw new DomainError('invalid_input', 'Aucune modification à enregistrer.', 400)
  if (intents.length > MAX_CHANGES) throw new DomainError('invalid_input', `Trop de modifications à la fois (${MAX_CHANGES} au maximum).`, 400)
}

/** The recap shown after "Terminer les modifications": what would be written, with prices, and what would be refused. */
export async function previewFamilyChanges(core: Core, actor: FamilyActor, intents: FamilyIntent[]): Promise<RecapResult> {
  checkSize(intents)
  return core.tx.read(async (m) => {
    const ctx = await familyContext(m, actor.familyId, [...new Set(intents.map((i) => i.childId))], intents.map((i) => i.day))
    const { lines, errors } = await planHousehold(m, ctx, actor.familyId, intents, core.clock.now())
    return summarize(ctx, lines, errors)
  })
}

function requestSummary(kind: ChangeKind, lines: PlannedLine[], ctx: BookingContext): string {
  const n = lines.length
  const names = [...new Set(lines.map((l) => ctx.children.get(l.childId)?.firstName ?? ''))].join(', ')
  const { from, to } = span(lines.map((l) => l.day))
  const when = from === to ? `le ${frDay(from)}` : `du ${frDay(from)} au ${frDay(to)}`
  const noun = kind === 'reservation' ? 'réservation' : kind === 'cancellation' ? 'annulation' : 'absence'
  return `${n} ${noun}${n > 1 ? 's' : ''} (${names}) ${when}`
}

/**
 * Writes judged lines for a family in the caller's transaction: one request
 * per kind of change, the bookings and change lines, audit rows, and the
 * recap e-mail.
 */
export async function writeFamilyLines(
  m: EntityManager,
  core: Core,
  actor: FamilyActor,
  ctx: BookingContext,
  lines: PlannedLine[],
  errors: PlanError[],
  extra: { certificateDocumentId?: number | null; comment?: string; requestPayload?: Record<string, unknown> } = {}
): Promise<RecapResult> {
  const db = dbOf(m)
  const now = core.clock.now().toISOString()
  const requestIds: Partial<Record<ChangeKind, number>> = {}
  for (const kind of ['reservation', 'cancellation', 'absence'] as const) {
    const mine = lines.filter((l) => l.kind === kind && l.status !== 'withdrawn')
    if (!mine.length) continue
    requestIds[kind] = insertRequest(db, actor, now, {
      familyId: actor.familyId,
      accountId: actor.id || null,
      type: kind,
      summary: requestSummary(kind, mine, ctx),
      payload: { lines: mine.length, from: span(mine.map((l) => l.day)).from, to: span(mine.map((l) => l.day)).to, ...extra.requestPayload },
      decided: mine.every((l) => l.status !== 'pending')
    })
  }
  applyLines(db, ctx, lines, {
    actor,
    now,
    familyId: actor.familyId,
    requestIds,
    source: 'family',
    mode: 'family',
    certificateDocumentId: extra.certificateDocumentId ?? null,
    comment: extra.comment ?? ''
  })
  if (lines.some((l) => l.status === 'withdrawn')) {
    // A family withdrawing the last pending line of an earlier request closes that request.
    const open = (stmt(db, `SELECT id FROM request WHERE family_id = ? AND status = 'pending' AND type IN ('reservation','cancellation','absence')`).all(actor.familyId) as { id: number }[]).map((r) => r.id)
    closeRequests(db, actor, now, open)
  }
  const result = summarize(ctx, lines, errors)
  // To the adult who pressed « Terminer »: their login, not their label (« NOM Prénom (login) » since one login per adult).
  await sendRecap(m, core, actor.login ?? actor.label, result)
  return result
}

/**
 * "Terminer": every change in one transaction, or none. The capacity check
 * reads the places taken inside the same serialized transaction that writes,
 * so two families racing for the last place can never both get it: the
 * second one is judged after the first's writes, and sees "complet".
 */
export async function commitFamilyChanges(core: Core, actor: FamilyActor, intents: FamilyIntent[]): Promise<RecapResult> {
  checkSize(intents)
  // Its own savepoint in a group commit (see group-commit.ts): atomic for this family, one fsync for the batch.
  // Never call it inside another transaction.
  return groupCommit(core).run(async (m) => {
    const ctx = await familyContext(m, actor.familyId, [...new Set(intents.map((i) => i.childId))], intents.map((i) => i.day))
    const { lines, errors } = await planHousehold(m, ctx, actor.familyId, intents, core.clock.now())
    if (errors.length) throw refusal(errors)
    return writeFamilyLines(m, core, actor, ctx, lines, errors)
  })
}

// ---------------------------------------------------------------- period reservations (000, "Réservations sur période")

export interface PeriodInput {
  childId: number
  activityId: number
  from: string
  to: string
  weekType: 'all' | 'even' | 'odd'
  slots: { weekday: number; unitId: number }[]
}

const MAX_PERIOD_DAYS = 400

/**
 * Expands a period request into cells: every opening day in [from, to] of the
 * chosen weekdays and week type, for the ticked units. Days that cannot be
 * booked (already booked, past the deadline, full) are skipped and reported,
 * not fatal: a family asking for "every Monday of the year" in October still
 * wants the Mondays that remain.
 */
async function planPeriod(m: EntityManager, core: Core, actor: FamilyActor, input: PeriodInput) {
  if (input.from > input.to) throw new DomainError('invalid_input', 'La date de fin précède la date de début.', 400, { to: 'Date de fin avant la date de début.' })
  const days = dayRange(input.from, input.to)
  if (days.length > MAX_PERIOD_DAYS) throw new DomainError('invalid_input', 'La période est trop longue (400 jours au maximum).', 400, { to: 'Période trop longue.' })
  if (!input.slots.length) throw new DomainError('invalid_input', 'Cochez au moins un jour de la semaine et une unité.', 400, { slots: 'Aucune case cochée.' })
  const ctx = await familyContext(m, actor.familyId, [input.childId], [input.from, input.to])
  const activity = ctx.activities.get(input.activityId)
  if (!activity) throw new DomainError('not_enrolled', 'Cet enfant n’est pas inscrit à cette activité sur ces dates.', 400)
  for (const s of input.slots) {
    if (ctx.units.get(s.unitId)?.activityId !== input.activityId) throw new DomainError('invalid_input', 'Une unité cochée n’appartient pas à cette activité.', 400, { slots: 'Unité inconnue.' })
  }
  const intents: FamilyIntent[] = []
  for (const day of days) {
    if (!matchesWeekType(day, input.weekType) || !ctx.isOpen(input.activityId, day) || !ctx.enrolmentFor(input.childId, input.activityId, day)) continue
    // The other parent's days are simply not part of this household's period.
    if (ctx.custodyOn(input.childId, day) !== null && ctx.custodyOn(input.childId, day) !== actor.familyId) continue
    const wd = isoWeekday(day)
    for (const s of input.slots) {
      if (s.weekday !== wd) continue
      const state = ctx.booking(input.childId, s.unitId, day)?.state ?? null
      if (state === 'R' || state === 'DR' || state === 'PRESENT') continue
      intents.push({ childId: input.childId, unitId: s.unitId, day, op: 'add' })
    }
  }
  const { lines, errors } = await planHousehold(m, ctx, actor.familyId, intents, core.clock.now())
  return { ctx, lines, errors }
}

export async function previewPeriod(core: Core, actor: FamilyActor, input: PeriodInput): Promise<RecapResult> {
  return core.tx.read(async (m) => {
    const { ctx, lines, errors } = await planPeriod(m, core, actor, input)
    return summarize(ctx, lines, errors)
  })
}

export async function commitPeriod(core: Core, actor: FamilyActor, input: PeriodInput): Promise<RecapResult> {
  return core.tx.run(async (m) => {
    const { ctx, lines, errors } = await planPeriod(m, core, actor, input)
    if (!lines.length) {
      throw new DomainError('nothing_to_book', errors.length ? `Aucun jour ne peut être réservé sur cette période. ${errors[0].message}` : 'Aucun jour d’ouverture ne correspond à ces choix sur cette période.', 409)
    }
    return writeFamilyLines(m, core, actor, ctx, lines, errors, {
      requestPayload: { period: { from: input.from, to: input.to, weekType: input.weekType, slots: input.slots } }
    })
  })
}

/** Today in Paris, per the core's clock. */
export function today(core: Core): string {
  return parisDayOf(core.clock.now())
}
