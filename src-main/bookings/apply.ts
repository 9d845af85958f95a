import type Database from 'better-sqlite3'
import { nextState, type ActorKind, type BookingState } from '@shared/bookings/state-machine'
import type { Actor } from '../core/actor'
import { conflict } from '../core/errors'
import type { ChangeKind, ChangeStatus } from './change-entities'
import { bookingKey, type BookingContext } from './context'
import type { PlannedLine } from './plan'
import { insertMany } from '../db/statements'
import { auditRow, auditRows, stmt } from './sql'

export interface ApplyOptions {
  actor: Actor
  now: string
  familyId: number
  /** The family request each kind of line belongs to (none for staff's direct changes). */
  requestIds?: Partial<Record<ChangeKind, number>>
  source: 'family' | 'staff' | 'walk-in'
  /**
   * 'family': each line files a change line (a withdrawal closes the pending one instead);
   * 'decision' / 'direct' (staff): pending change lines of the booking are closed with the line's status.
   */
  mode: 'family' | 'decision' | 'direct'
  certificateDocumentId?: number | null
  comment?: string
  /** Staff reason or note, kept on the change line and shown to the family. */
  reason?: string
  decidedBy?: number | null
  /** Extra facts for the audit row (e.g. a deadline the staff overrode). */
  auditExtra?: (line: PlannedLine) => Record<string, unknown> | null
}

/** Runs a planned line through the state machine (the actor's step, then the system's automatic decision). */
export function checkTransition(line: PlannedLine, actorKind: ActorKind): void {
  const first = nextState(line.from, line.action, actorKind)
  const final: BookingState | null = first && line.then ? nextState(first, line.then, 'system') : first
  if (final !== line.to) {
    throw new Error(`Transition refused by the state machine: ${line.from} -${line.action}${line.then ? `/${line.then}` : ''}-> ${line.to} by ${actorKind}`)
  }
}

const BOOKING_COLUMNS = [
  'child_id', 'unit_id', 'day', 'enrolment_id', 'group_id', 'state', 'source', 'request_id', 'price_cents', 'created_at', 'updated_at', 'family_id'
] as const
const CHANGE_COLUMNS = [
  'booking_id', 'family_id', 'request_id', 'kind', 'status', 'from_state', 'to_state', 'late', 'absence_reason',
  'certificate_document_id', 'comment', 'price_cents', 'reason', 'created_at', 'decided_at', 'decided_by'
] as const

/**
 * Writes planned lines: the booking row (insert or guarded update), the
 * change line (or the closing of a pending one), and one audit row each.
 * Must run inside `core.tx.run`; returns the ids of the change lines.
 *
 * New bookings, change lines and audit rows go in multi-row INSERTs (see
 * `insertMany`): a family's "Terminer" of 32 days is three INSERT statements,
 * not 96, which halves the SQL cost of the rush of the 20th. Every line is
 * checked against the state machine before anything is written.
 */
export function applyLines(db: Database.Database, ctx: BookingContext | null, lines: PlannedLine[], o: ApplyOptions): number[] {
  for (const line of lines) checkTransition(line, o.actor.kind)
  const requestIdOf = (line: PlannedLine) => o.requestIds?.[line.kind] ?? null
  const isRequest = (line: PlannedLine) => line.action === 'request' || line.action === 'book' || line.action === 'walk-in'

  // The household a new booking belongs to (issue 16): the family that asks, or for staff the custody calendar's
  // household of the day (null: the database gives it the child's first household).
  const householdOf = (l: PlannedLine) => (o.mode === 'family' ? o.familyId : (ctx?.custodyOn(l.childId, l.day) ?? null))

  // 1. Booking rows. New ones in bulk, matched back by their unique (child, unit, day).
  const bookingIds = new Map<PlannedLine, number>()
  const fresh = lines.filter((l) => l.bookingId === null)
  if (fresh.length) {
    const rows = insertMany<{ id: number; child_id: number; unit_id: number; day: string }>(
      db,
      'booking',
      BOOKING_COLUMNS,
      fresh.map((l) => [l.childId, l.unitId, l.day, l.enrolmentId, l.groupId, l.to, o.source, requestIdOf(l), l.priceCents, o.now, o.now, householdOf(l)]),
      'id, child_id, unit_id, day'
    )
    const idOf = new Map(rows.map((r) => [bookingKey(r.child_id, r.unit_id, r.day), r.id]))
    for (const l of fresh) {
      const id = idOf.get(bookingKey(l.childId, l.unitId, l.day))!
      bookingIds.set(l, id)
      const b = ctx?.booking(l.childId, l.unitId, l.day)
      if (b) b.id = id
    }
  }
  // Guarded by the state read: under the transaction mutex it always matches; if it ever did not, nothing is half-written.
  const updateBooking = stmt(
    db,
    `UPDATE booking SET state = ?, source = COALESCE(?, source), request_id = COALESCE(?, request_id), price_cents = ?,
       group_id = COALESCE(?, group_id), enrolment_id = COALESCE(?, enrolment_id), family_id = COALESCE(?, family_id), updated_at = ?
     WHERE id = ? AND state = ?`
  )
  for (const l of lines) {
    if (l.bookingId === null) continue
    const request = isRequest(l)
    const r = updateBooking.run(
      l.to,
      request ? o.source : null,
      requestIdOf(l),
      l.priceCents,
      request ? l.groupId : null,
      request ? l.enrolmentId : null,
      // A household booking a cell freed by the other one takes the row over.
      request && o.mode === 'family' ? o.familyId : null,
      o.now,
      l.bookingId,
      l.from
    )
    if (r.changes !== 1) throw conflict('Cette réservation vient d’être modifiée par ailleurs. Rechargez le planning et recommencez.')
    bookingIds.set(l, l.bookingId)
  }

  // 2. Change lines: a withdrawal, a staff decision, or a staff change on a booking with a pending request closes
  // that line; a family's change files a new one.
  const closePending = stmt(db, `UPDATE booking_change SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE booking_id = ? AND status = 'pending'`)
  const closes = (l: PlannedLine) => l.status === 'withdrawn' || o.mode !== 'family'
  for (const l of lines) if (closes(l)) closePending.run(l.status, o.now, o.decidedBy ?? null, o.reason ?? '', bookingIds.get(l)!)
  const filed = lines.filter((l) => !closes(l))
  const changeIdOf = new Map<number, number>()
  if (filed.length) {
    const rows = insertMany<{ id: number; booking_id: number }>(
      db,
      'booking_change',
      CHANGE_COLUMNS,
      filed.map((l) => [
        bookingIds.get(l)!,
        o.familyId,
        requestIdOf(l),
        l.kind,
        l.status,
        l.from,
        l.to,
        l.late ? 1 : 0,
        l.absenceReason,
        l.kind === 'absence' ? o.certificateDocumentId ?? null : null,
        o.comment ?? '',
        l.priceCents,
        o.reason ?? '',
        o.now,
        l.status === 'pending' ? null : o.now,
        l.status === 'pending' ? null : o.decidedBy ?? null
      ]),
      'id, booking_id'
    )
    // One line per booking in a call (a second one on the same cell would have failed on the booking's state guard).
    for (const r of rows) changeIdOf.set(r.booking_id, r.id)
  }
  const changeIds = filed.map((l) => changeIdOf.get(bookingIds.get(l)!)!)

  // 3. One audit row per booking.
  auditRows(
    db,
    o.actor,
    o.now,
    lines.map((line) => {
      const bookingId = bookingIds.get(line)!
      const changeId = changeIdOf.get(bookingId) ?? null
      return {
        action: `booking-${line.action}`,
        entity: 'booking',
        entityId: bookingId,
        before: { state: line.from },
        after: {
          state: line.to,
          childId: line.childId,
          unitId: line.unitId,
          day: line.day,
          kind: line.kind,
          ...(line.then ? { automatic: line.then } : {}),
          ...(line.late ? { late: true } : {}),
          ...(line.absenceReason ? { absenceReason: line.absenceReason } : {}),
          ...(changeId ? { changeId } : {}),
          ...(o.reason ? { reason: o.reason } : {}),
          ...(o.auditExtra?.(line) ?? {})
        }
      }
    })
  )
  return changeIds
}

/** The change-line outcome a staff transition amounts to. */
export function decisionOf(to: BookingState): ChangeStatus {
  switch (to) {
    case 'A_EXC':
      return 'excused'
    case 'A_FACT':
      return 'billed'
    case 'REFUSED':
      return 'refused'
    default:
      return 'accepted'
  }
}

/** Files a family request row (raw, for the same reason as the bookings), with its audit row. */
export function insertRequest(
  db: Database.Database,
  actor: Actor,
  now: string,
  r: { familyId: number; accountId: number | null; type: ChangeKind; summary: string; payload: Record<string, unknown>; decided: boolean }
): number {
  const id = Number(
    stmt(
      db,
      `INSERT INTO request (family_id, account_id, type, status, summary, payload, reason, created_at, decided_at, decided_by)
       VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, NULL)`
    ).run(r.familyId, r.accountId, r.type, r.decided ? 'accepted' : 'pending', r.summary, JSON.stringify(r.payload), now, r.decided ? now : null).lastInsertRowid
  )
  auditRow(db, actor, now, 'request-create', 'request', id, null, { type: r.type, summary: r.summary, status: r.decided ? 'accepted' : 'pending', automatic: r.decided })
  return id
}
