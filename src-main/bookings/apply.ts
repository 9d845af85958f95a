import type Database from 'better-sqlite3'
import { nextState, type ActorKind, type BookingState } from '@shared/bookings/state-machine'
import type { Actor } from '../core/actor'
import { conflict } from '../core/errors'
import type { ChangeKind, ChangeStatus } from './change-entities'
import type { BookingContext } from './context'
import type { PlannedLine } from './plan'
import { auditRow, stmt } from './sql'

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

/**
 * Writes planned lines: the booking row (insert or guarded update), the
 * change line (or the closing of a pending one), and one audit row each.
 * Must run inside `core.tx.run`; returns the ids of the change lines.
 */
export function applyLines(db: Database.Database, ctx: BookingContext | null, lines: PlannedLine[], o: ApplyOptions): number[] {
  const changeIds: number[] = []
  const insertBooking = stmt(
    db,
    `INSERT INTO booking (child_id, unit_id, day, enrolment_id, group_id, state, source, request_id, price_cents, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  // Guarded by the state read: under the transaction mutex it always matches; if it ever did not, nothing is half-written.
  const updateBooking = stmt(
    db,
    `UPDATE booking SET state = ?, source = COALESCE(?, source), request_id = COALESCE(?, request_id), price_cents = ?,
       group_id = COALESCE(?, group_id), enrolment_id = COALESCE(?, enrolment_id), updated_at = ?
     WHERE id = ? AND state = ?`
  )
  const closePending = stmt(db, `UPDATE booking_change SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE booking_id = ? AND status = 'pending'`)
  const insertChange = stmt(
    db,
    `INSERT INTO booking_change (booking_id, family_id, request_id, kind, status, from_state, to_state, late, absence_reason,
       certificate_document_id, comment, price_cents, reason, created_at, decided_at, decided_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  for (const line of lines) {
    checkTransition(line, o.actor.kind)
    const requestId = o.requestIds?.[line.kind] ?? null
    const isRequest = line.action === 'request' || line.action === 'book' || line.action === 'walk-in'
    let bookingId = line.bookingId
    if (bookingId === null) {
      bookingId = Number(
        insertBooking.run(line.childId, line.unitId, line.day, line.enrolmentId, line.groupId, line.to, o.source, requestId, line.priceCents, o.now, o.now).lastInsertRowid
      )
      const b = ctx?.booking(line.childId, line.unitId, line.day)
      if (b) b.id = bookingId
    } else {
      const r = updateBooking.run(
        line.to,
        isRequest ? o.source : null,
        requestId,
        line.priceCents,
        isRequest ? line.groupId : null,
        isRequest ? line.enrolmentId : null,
        o.now,
        bookingId,
        line.from
      )
      if (r.changes !== 1) throw conflict('Cette réservation vient d’être modifiée par ailleurs. Rechargez le planning et recommencez.')
    }
    let changeId: number | null = null
    if (line.status === 'withdrawn' || o.mode !== 'family') {
      // A withdrawal, a staff decision, or a staff change on a booking with a pending request closes that line.
      closePending.run(line.status, o.now, o.decidedBy ?? null, o.reason ?? '', bookingId)
    } else {
      changeId = Number(
        insertChange.run(
          bookingId,
          o.familyId,
          requestId,
          line.kind,
          line.status,
          line.from,
          line.to,
          line.late ? 1 : 0,
          line.absenceReason,
          line.kind === 'absence' ? o.certificateDocumentId ?? null : null,
          o.comment ?? '',
          line.priceCents,
          o.reason ?? '',
          o.now,
          line.status === 'pending' ? null : o.now,
          line.status === 'pending' ? null : o.decidedBy ?? null
        ).lastInsertRowid
      )
      changeIds.push(changeId)
    }
    const extra = o.auditExtra?.(line) ?? null
    auditRow(db, o.actor, o.now, `booking-${line.action}`, 'booking', bookingId, { state: line.from }, {
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
      ...(extra ?? {})
    })
  }
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
