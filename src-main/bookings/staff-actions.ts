import { evaluateDeadline } from '@shared/bookings/deadlines'
import { frDay } from '@shared/bookings/days'
import { nextState, refusalMessage, type BookingAction } from '@shared/bookings/state-machine'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import type { StaffActor } from '../rpc/types'
import { applyLines, decisionOf } from './apply'
import type { ChangeKind, ChangeStatus } from './change-entities'
import { loadContext } from './context'
import { closeRequests } from './decisions'
import { completMessage, hasPlace, type PlannedLine } from './plan'
import { unitPricer } from './pricing-hook'
import { dbOf, stmt } from './sql'

export type StaffAction = Extract<BookingAction, 'book' | 'accept' | 'refuse' | 'withdraw' | 'keep' | 'cancel' | 'excuse' | 'bill' | 'mark-present' | 'mark-absent' | 'walk-in' | 'unmark'>

export interface StaffItem {
  childId: number
  unitId: number
  day: string
  action: StaffAction
}

const KIND: Record<StaffAction, ChangeKind> = {
  book: 'reservation',
  accept: 'reservation',
  refuse: 'reservation',
  withdraw: 'reservation',
  'walk-in': 'reservation',
  keep: 'cancellation',
  cancel: 'cancellation',
  excuse: 'absence',
  bill: 'absence',
  'mark-present': 'absence',
  'mark-absent': 'absence',
  unmark: 'absence'
}

function statusOf(action: StaffAction, to: PlannedLine['to']): ChangeStatus {
  if (action === 'keep') return 'refused'
  if (action === 'withdraw') return 'withdrawn'
  return decisionOf(to)
}

/**
 * Staff change bookings directly (planning per child or per day, pointage).
 * The family deadlines do not bind staff, but every override is written in
 * the audit row; capacity binds unless `overrideCapacity` (also audited).
 * Pending family requests on the same bookings are closed with the outcome.
 */
export async function staffApply(
  core: Core,
  actor: StaffActor,
  input: { items: StaffItem[]; reason: string; overrideCapacity: boolean; arrivedAt?: string | null }
): Promise<{ applied: number; bookingIds: number[] }> {
  if (!input.items.length) throw new DomainError('invalid_input', 'Aucune modification à enregistrer.', 400)
  const days = input.items.map((i) => i.day).sort()
  const childIds = [...new Set(input.items.map((i) => i.childId))]
  return core.tx.run(async (m) => {
    const db = dbOf(m)
    const ctx = await loadContext(m, { childIds, from: days[0], to: days[days.length - 1], includeEnded: true })
    const now = core.clock.now()
    const nowIso = now.toISOString()
    const bookingIds: number[] = []
    const touchedRequests = new Set<number>()
    for (const it of input.items) {
      const child = ctx.children.get(it.childId)
      if (!child) throw notFound('Enfant')
      let unit = ctx.units.get(it.unitId)
      if (!unit) {
        // A walk-in (and its correction) may concern a child without any enrolment in the activity; booking needs one (checked below).
        unit = stmt(db, 'SELECT id, activity_id AS activityId, name, start_time AS startTime, end_time AS endTime, price_cents AS priceCents, sort FROM unit WHERE id = ?').get(it.unitId) as typeof unit
        if (!unit) throw new DomainError('not_found', 'Unité introuvable.', 404)
      }
      const label = `${child.firstName} – ${unit.name} – ${frDay(it.day)}`
      const b = ctx.booking(it.childId, it.unitId, it.day)
      const from = b?.state ?? null
      const to = nextState(from, it.action, 'staff')
      if (!to) throw new DomainError('invalid_transition', `${label} : ${refusalMessage(from, it.action)}`, 409)
      const activity = ctx.activities.get(unit.activityId)
      const enrolment = activity ? ctx.enrolmentFor(it.childId, activity.id, it.day, it.action !== 'book') : null
      const extra: Record<string, unknown> = {}
      let priceCents = b?.priceCents ?? 0
      if (it.action === 'book' || it.action === 'walk-in') {
        if (it.action === 'book') {
          if (!activity || !enrolment) throw new DomainError('not_enrolled', `${label} : pas d’inscription validée ce jour-là.`, 400)
          if (!ctx.isOpen(activity.id, it.day)) throw new DomainError('closed', `${label} : l’activité n’est pas ouverte ce jour-là.`, 400)
          const clash = [...ctx.excludes(unit.id)].find((x) => ['DR', 'R', 'PRESENT'].includes(ctx.booking(it.childId, x, it.day)?.state ?? ''))
          if (clash !== undefined) throw new DomainError('exclusive', `${label} : incompatible avec « ${ctx.units.get(clash)?.name} » déjà réservé ce jour-là.`, 409)
          if (!hasPlace(ctx, enrolment.groupId, unit.id, it.day)) {
            if (!input.overrideCapacity) throw new DomainError('complet', completMessage(ctx, it.childId, unit, it.day), 409)
            extra.capacityOverride = true
          }
          if (!evaluateDeadline(activity.rules.booking, it.day, now, enrolment.window).open) extra.deadlineOverride = true
        }
        // A pricer per line, not per call: lines are written as they go, and a sibling's booking written just
        // before can change this child's sibling rank (a pricer remembers the rank it read).
        priceCents = unitPricer(db)(it.childId, unit.id, it.day).cents
      }
      if ((it.action === 'cancel' || it.action === 'withdraw') && activity && enrolment && !evaluateDeadline(activity.rules.cancellation, it.day, now, enrolment.window).open) {
        extra.deadlineOverride = true
      }
      const line: PlannedLine = {
        childId: it.childId,
        unitId: it.unitId,
        day: it.day,
        activityId: unit.activityId,
        enrolmentId: enrolment?.id ?? null,
        groupId: enrolment?.groupId ?? null,
        bookingId: b?.id || null,
        from,
        to,
        action: it.action,
        then: null,
        kind: KIND[it.action],
        status: statusOf(it.action, to),
        late: false,
        priceCents,
        tariff: '',
        absenceReason: null
      }
      for (const r of stmt(db, `SELECT request_id AS id FROM booking_change WHERE booking_id = ? AND status = 'pending' AND request_id IS NOT NULL`).all(b?.id ?? 0) as { id: number }[]) {
        touchedRequests.add(r.id)
      }
      applyLines(db, ctx, [line], {
        actor,
        now: nowIso,
        // The household the booking is (or will be) billed to: a shared child's change is told to that household.
        familyId: b?.familyId ?? ctx.custodyOn(it.childId, it.day) ?? child.familyId,
        source: it.action === 'walk-in' ? 'walk-in' : 'staff',
        mode: 'direct',
        decidedBy: actor.id,
        reason: input.reason,
        auditExtra: () => (Object.keys(extra).length ? extra : null)
      })
      // Keep the in-memory view in step for the next items (capacity, exclusions).
      const after = ctx.booking(it.childId, it.unitId, it.day)
      const id = after?.id || (stmt(db, 'SELECT id FROM booking WHERE child_id = ? AND unit_id = ? AND day = ?').get(it.childId, it.unitId, it.day) as { id: number }).id
      if (after) after.state = to
      else ctx.bookings.set(`${it.childId}:${it.unitId}:${it.day}`, { id, childId: it.childId, unitId: it.unitId, day: it.day, state: to, groupId: line.groupId, enrolmentId: line.enrolmentId, priceCents, source: 'staff', familyId: null })
      if (line.groupId !== null) {
        const took = (s: string | null) => s === 'DR' || s === 'R' || s === 'DA' || s === 'PRESENT'
        if (took(from) !== took(to)) ctx.adjustTaken(line.groupId, line.unitId, line.day, took(to) ? 1 : -1)
      }
      if (it.action === 'mark-present' || it.action === 'walk-in') {
        stmt(db, 'UPDATE booking SET arrived_at = COALESCE(arrived_at, ?) WHERE id = ?').run(input.arrivedAt ?? nowIso, id)
      } else if (it.action === 'unmark' || it.action === 'mark-absent') {
        stmt(db, 'UPDATE booking SET arrived_at = NULL, left_at = NULL WHERE id = ?').run(id)
      }
      bookingIds.push(id)
    }
    closeRequests(db, actor, nowIso, [...touchedRequests])
    return { applied: input.items.length, bookingIds }
  })
}
