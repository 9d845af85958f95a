import type { EntityManager } from 'typeorm'
import { evaluateDeadline, parisInstant } from '@shared/bookings/deadlines'
import { frDay } from '@shared/bookings/days'
import { CAPACITY_STATES, nextState, refusalMessage, type BookingAction, type BookingState } from '@shared/bookings/state-machine'
import type { AbsenceReason, ChangeKind, ChangeStatus } from './change-entities'
import { bookingKey, type BookingContext, type BookingRow, type EnrolmentRow, type UnitRow, type ActivityRow } from './context'
import { unitPricer } from './pricing-hook'
import { dbOf } from './sql'

/** What a family asks on one cell: tick it (book, or undo a cancellation) or untick it (cancel, or withdraw a request). */
export interface FamilyIntent {
  childId: number
  unitId: number
  day: string
  op: 'add' | 'remove'
}

/** One change the commit will write, already judged. */
export interface PlannedLine {
  childId: number
  unitId: number
  day: string
  activityId: number
  enrolmentId: number | null
  groupId: number | null
  bookingId: number | null
  from: BookingState | null
  to: BookingState
  /** The family's (or staff's) own action, checked against the state machine… */
  action: BookingAction
  /** …then, for activities validated automatically, the system's decision on it (accept, cancel, excuse, bill). */
  then: BookingAction | null
  kind: ChangeKind
  /** Outcome of the change line: 'pending' waits for staff; 'withdrawn' closes an earlier pending line. */
  status: ChangeStatus
  late: boolean
  priceCents: number
  tariff: string
  absenceReason: AbsenceReason | null
}

export interface PlanError {
  childId: number
  unitId: number
  day: string
  code: 'complet' | 'deadline' | 'not-enrolled' | 'closed' | 'state' | 'exclusive' | 'no-family-changes' | 'other-household' | 'unknown'
  message: string
}

const EXCLUSION_STATES: readonly (BookingState | null)[] = ['DR', 'R', 'PRESENT']

function childName(ctx: BookingContext, childId: number): string {
  return ctx.children.get(childId)?.firstName ?? 'l’enfant'
}

function where(ctx: BookingContext, childId: number, unit: UnitRow | undefined, day: string): string {
  return `${childName(ctx, childId)} – ${unit ? unit.name : 'unité inconnue'} – ${frDay(day)}`
}

interface Resolved {
  unit: UnitRow
  activity: ActivityRow
  enrolment: EnrolmentRow
}

function resolve(ctx: BookingContext, childId: number, unitId: number, day: string, fail: (code: PlanError['code'], msg: string) => null): Resolved | null {
  const unit = ctx.units.get(unitId)
  const activity = unit && ctx.activities.get(unit.activityId)
  if (!unit || !activity) return fail('not-enrolled', `${where(ctx, childId, unit, day)} : ${childName(ctx, childId)} n’est pas inscrit(e) à cette activité.`)
  const enrolment = ctx.enrolmentFor(childId, activity.id, day)
  if (!enrolment) return fail('not-enrolled', `${where(ctx, childId, unit, day)} : pas d’inscription validée à « ${activity.name} » ce jour-là.`)
  if (!ctx.isOpen(activity.id, day)) return fail('closed', `${where(ctx, childId, unit, day)} : « ${activity.name} » n’est pas ouvert ce jour-là.`)
  return { unit, activity, enrolment }
}

/** Records a planned transition in the in-memory context, so the next lines see it (capacity, exclusions). */
function record(ctx: BookingContext, line: PlannedLine): void {
  const was = line.from !== null && CAPACITY_STATES.includes(line.from)
  const is = CAPACITY_STATES.includes(line.to)
  if (line.groupId !== null && was !== is) ctx.adjustTaken(line.groupId, line.unitId, line.day, is ? 1 : -1)
  const b = ctx.booking(line.childId, line.unitId, line.day)
  if (b) b.state = line.to
  else
    ctx.bookings.set(`${line.childId}:${line.unitId}:${line.day}`, {
      id: 0,
      childId: line.childId,
      unitId: line.unitId,
      day: line.day,
      state: line.to,
      groupId: line.groupId,
      enrolmentId: line.enrolmentId,
      priceCents: line.priceCents,
      source: 'family',
      familyId: null
    })
}

/** Is there still a place for this child's group? (The family's own current booking of the cell never counts twice.) */
export function hasPlace(ctx: BookingContext, groupId: number, unitId: number, day: string): boolean {
  const places = ctx.places(groupId, unitId, day)
  return places === null || ctx.taken(groupId, unitId, day) < places
}

export function completMessage(ctx: BookingContext, childId: number, unit: UnitRow, day: string): string {
  return `${where(ctx, childId, unit, day)} : complet, plus de place disponible. Une autre famille vient de réserver la dernière place.`
}

/** What every line of one judged cell shares; `lineOf` adds the outcome. */
interface Cell {
  it: FamilyIntent
  activity: ActivityRow
  enrolment: EnrolmentRow
  booking: BookingRow | null
  from: BookingState | null
}

function lineOf(c: Cell, to: BookingState, action: BookingAction, then: BookingAction | null, kind: ChangeKind, status: ChangeStatus, late: boolean, priceCents: number, tariff: string): PlannedLine {
  return {
    childId: c.it.childId,
    unitId: c.it.unitId,
    day: c.it.day,
    activityId: c.activity.id,
    enrolmentId: c.enrolment.id,
    groupId: c.enrolment.groupId,
    bookingId: c.booking?.id || null,
    from: c.from,
    to,
    action,
    then,
    kind,
    status,
    late,
    priceCents,
    tariff,
    absenceReason: null
  }
}

/**
 * Judges the family's ticks and unticks against states, enrolments, opening
 * days, deadlines, exclusive units and capacity, in a fixed order (unticks
 * first, so a swap frees its place before it is taken). Pure over the
 * context, except for prices; the commit writes exactly the returned lines.
 */
export async function planFamilyChanges(
  m: EntityManager,
  ctx: BookingContext,
  intents: FamilyIntent[],
  now: Date
): Promise<{ lines: PlannedLine[]; errors: PlanError[] }> {
  const lines: PlannedLine[] = []
  const errors: PlanError[] = []
  const seen = new Set<string>()
  const unitPrice = unitPricer(dbOf(m))
  // Written without per-intent closures or spreads: the rush judges tens of thousands of lines a minute.
  let it: FamilyIntent
  const fail = (code: PlanError['code'], message: string): null => {
    errors.push({ childId: it.childId, unitId: it.unitId, day: it.day, code, message })
    return null
  }
  const push = (line: PlannedLine) => {
    lines.push(line)
    record(ctx, line)
  }
  const ordered = [...intents.filter((i) => i.op === 'remove'), ...intents.filter((i) => i.op === 'add')]
  for (it of ordered) {
    const key = bookingKey(it.childId, it.unitId, it.day)
    if (seen.has(key)) {
      fail('state', `${where(ctx, it.childId, ctx.units.get(it.unitId), it.day)} : ce jour figure deux fois dans vos modifications.`)
      continue
    }
    seen.add(key)
    const r = resolve(ctx, it.childId, it.unitId, it.day, fail)
    if (!r) continue
    const { unit, activity, enrolment } = r
    if (!activity.rules.familyChanges) {
      fail('no-family-changes', `${where(ctx, it.childId, unit, it.day)} : les réservations de « ${activity.name} » ne se modifient pas en ligne ; écrivez à la structure par la messagerie.`)
      continue
    }
    const booking = ctx.bookings.get(key) ?? null
    const from = booking?.state ?? null
    const auto = activity.validation === 'auto'
    const cell: Cell = { it, activity, enrolment, booking, from }

    if (it.op === 'add') {
      if (from === 'DA') {
        // Undoing a cancellation still waiting for staff: the booking simply stays.
        push(lineOf(cell, 'R', 'withdraw-cancel', null, 'cancellation', 'withdrawn', false, booking!.priceCents, ''))
        continue
      }
      if (nextState(from, 'request', 'family') === null) {
        fail('state', from === 'R' || from === 'DR' || from === 'PRESENT' ? `${where(ctx, it.childId, unit, it.day)} : déjà réservé.` : `${where(ctx, it.childId, unit, it.day)} : ${refusalMessage(from, 'request')}`)
        continue
      }
      const v = evaluateDeadline(activity.rules.booking, it.day, now, enrolment.window)
      if (!v.open) {
        fail('deadline', `${where(ctx, it.childId, unit, it.day)} : ${v.message}`)
        continue
      }
      let clash: number | undefined
      for (const x of ctx.excludes(unit.id)) {
        if (EXCLUSION_STATES.includes(ctx.booking(it.childId, x, it.day)?.state ?? null)) {
          clash = x
          break
        }
      }
      if (clash !== undefined) {
        fail('exclusive', `${where(ctx, it.childId, unit, it.day)} : incompatible avec « ${ctx.units.get(clash)?.name ?? 'une autre unité'} » déjà réservé ce jour-là.`)
        continue
      }
      if (!hasPlace(ctx, enrolment.groupId, unit.id, it.day)) {
        fail('complet', completMessage(ctx, it.childId, unit, it.day))
        continue
      }
      const price = unitPrice(it.childId, unit.id, it.day)
      push(lineOf(cell, auto ? 'R' : 'DR', 'request', auto ? 'accept' : null, 'reservation', auto ? 'accepted' : 'pending', false, price.cents, price.label))
      continue
    }

    // op === 'remove'
    if (from === 'DR') {
      const v = evaluateDeadline(activity.rules.booking, it.day, now, enrolment.window)
      if (!v.open) {
        fail('deadline', `${where(ctx, it.childId, unit, it.day)} : la demande est entre les mains de la structure (${v.message.charAt(0).toLowerCase()}${v.message.slice(1)})`)
        continue
      }
      push(lineOf(cell, 'CANCELLED', 'withdraw', null, 'reservation', 'withdrawn', false, booking!.priceCents, ''))
      continue
    }
    if (from !== 'R') {
      fail('state', from === 'DA' ? `${where(ctx, it.childId, unit, it.day)} : une demande d’annulation est déjà en cours.` : `${where(ctx, it.childId, unit, it.day)} : ${refusalMessage(from, 'request-cancel')}`)
      continue
    }
    if (now.getTime() >= parisInstant(it.day, '00:00').getTime()) {
      fail('deadline', `${where(ctx, it.childId, unit, it.day)} : ce jour est commencé ou passé ; pour une absence, utilisez « Déclarer une absence ».`)
      continue
    }
    const late = !evaluateDeadline(activity.rules.cancellation, it.day, now, enrolment.window).open
    push(
      lineOf(
        cell,
        auto ? (late ? 'A_FACT' : 'CANCELLED') : 'DA',
        'request-cancel',
        auto ? (late ? 'bill' : 'cancel') : null,
        'cancellation',
        auto ? (late ? 'billed' : 'accepted') : 'pending',
        late,
        booking!.priceCents,
        ''
      )
    )
  }
  return { lines, errors }
}

/**
 * Absence over a date range: every reserved day of the child in the range
 * (from today on). Medical absences come with a certificate and are excused;
 * others are excused in time and billed late, unless staff decide otherwise.
 */
export function planAbsence(
  ctx: BookingContext,
  input: { childId: number; from: string; to: string; reason: AbsenceReason; hasCertificate: boolean; activityIds?: number[] },
  now: Date,
  today: string
): PlannedLine[] {
  const lines: PlannedLine[] = []
  const candidates = [...ctx.bookings.values()]
    .filter((b) => b.childId === input.childId && b.day >= input.from && b.day <= input.to && b.day >= today && (b.state === 'R' || b.state === 'DR'))
    .sort((a, b) => a.day.localeCompare(b.day) || a.unitId - b.unitId)
  for (const b of candidates) {
    const unit = ctx.units.get(b.unitId)
    const activity = unit && ctx.activities.get(unit.activityId)
    if (!unit || !activity) continue
    if (input.activityIds && !input.activityIds.includes(activity.id)) continue
    const enrolment = ctx.enrolmentFor(b.childId, activity.id, b.day, true)
    const base = {
      childId: b.childId,
      unitId: b.unitId,
      day: b.day,
      activityId: activity.id,
      enrolmentId: b.enrolmentId,
      groupId: b.groupId,
      bookingId: b.id,
      from: b.state,
      priceCents: b.priceCents,
      tariff: ''
    }
    if (b.state === 'DR') {
      // A request not yet accepted is simply withdrawn: nothing to excuse or bill.
      lines.push({ ...base, to: 'CANCELLED', action: 'withdraw', then: null, kind: 'reservation', status: 'withdrawn', late: false, absenceReason: null })
      continue
    }
    const late = !evaluateDeadline(activity.rules.cancellation, b.day, now, enrolment?.window ?? null).open
    const excused = (input.reason === 'maladie' && input.hasCertificate) || !late
    const line: PlannedLine =
      activity.validation === 'auto'
        ? { ...base, to: excused ? 'A_EXC' : 'A_FACT', action: 'declare-absence', then: excused ? 'excuse' : 'bill', kind: 'absence', status: excused ? 'excused' : 'billed', late, absenceReason: input.reason }
        : { ...base, to: 'DA', action: 'declare-absence', then: null, kind: 'absence', status: 'pending', late, absenceReason: input.reason }
    lines.push(line)
  }
  for (const l of lines) record(ctx, l)
  return lines
}
