import type { EntityManager } from 'typeorm'
import type { BookingAction, BookingState } from '@shared/bookings/state-machine'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { conflict, DomainError } from '../core/errors'
import { enqueueMail, mailContext } from '../mail/outbox'
import type { StaffActor } from '../rpc/types'
import { applyLines } from './apply'
import type { AbsenceReason, ChangeKind, ChangeStatus } from './change-entities'
import { decisionsMail, type DecidedLine } from './mails'
import type { PlannedLine } from './plan'
import { familyRecipient } from './recipients'
import { auditRow, dbOf, stmt } from './sql'
import { personName, upperName } from '@shared/names'
import { FamilyRequest } from '../requests/entities'
import { alreadyDecided } from '../requests/requests'

export type Decision = 'accept' | 'refuse' | 'excuse' | 'bill'

export interface QueueFilter {
  activityId?: number
  from?: string
  to?: string
  childId?: number
  familyId?: number
  kind?: ChangeKind
  requestId?: number
  status?: 'pending' | 'decided'
  limit: number
  offset: number
}

export interface QueueItem {
  changeId: number
  requestId: number | null
  kind: ChangeKind
  status: ChangeStatus
  late: boolean
  absenceReason: AbsenceReason | null
  certificateDocumentId: number | null
  comment: string
  reason: string
  priceCents: number
  createdAt: string
  decidedAt: string | null
  bookingId: number
  bookingState: BookingState
  day: string
  childId: number
  childName: string
  familyId: number
  familyNumber: number
  familyName: string
  unitId: number
  unitName: string
  activityId: number
  activityName: string
  /** What "Accepter" will do for a cancellation/absence under the deadline rules. */
  suggestion: 'accept' | 'cancel' | 'excuse' | 'bill'
}

const SELECT = `
  SELECT c.id AS changeId, c.request_id AS requestId, c.kind, c.status, c.late, c.absence_reason AS absenceReason,
    c.certificate_document_id AS certificateDocumentId, c.comment, c.reason, c.price_cents AS priceCents,
    c.created_at AS createdAt, c.decided_at AS decidedAt,
    b.id AS bookingId, b.state AS bookingState, b.day, b.child_id AS childId, ch.first_name || ' ' || ch.last_name AS childName,
    c.family_id AS familyId, f.number AS familyNumber,
    (SELECT p.last_name FROM person p WHERE p.family_id = c.family_id AND p.role = 'responsable') AS familyLast,
    (SELECT p.first_name FROM person p WHERE p.family_id = c.family_id AND p.role = 'responsable') AS familyFirst,
    u.id AS unitId, u.name AS unitName, a.id AS activityId, a.name AS activityName
  FROM booking_change c
  JOIN booking b ON b.id = c.booking_id
  JOIN child ch ON ch.id = b.child_id
  JOIN family f ON f.id = c.family_id
  JOIN unit u ON u.id = b.unit_id
  JOIN activity a ON a.id = u.activity_id`

type Row = Omit<QueueItem, 'late' | 'suggestion' | 'familyName'> & { late: number; familyLast: string | null; familyFirst: string | null }

/** What accepting a pending cancellation or absence amounts to under the rules (frozen "late" flag, certificate). */
function outcomeOnAccept(r: { kind: ChangeKind; late: boolean; absenceReason: AbsenceReason | null; certificateDocumentId: number | null }): { action: BookingAction; to: BookingState; status: ChangeStatus } {
  if (r.kind === 'absence') {
    const excused = (r.absenceReason === 'maladie' && r.certificateDocumentId !== null) || !r.late
    return excused ? { action: 'excuse', to: 'A_EXC', status: 'excused' } : { action: 'bill', to: 'A_FACT', status: 'billed' }
  }
  return r.late ? { action: 'bill', to: 'A_FACT', status: 'billed' } : { action: 'cancel', to: 'CANCELLED', status: 'accepted' }
}

function toItem({ familyLast, familyFirst, ...r }: Row): QueueItem {
  const late = r.late === 1
  const suggestion = r.kind === 'reservation' ? 'accept' : (outcomeOnAccept({ ...r, late }).action as 'cancel' | 'excuse' | 'bill')
  return { ...r, familyName: personName(familyLast, familyFirst), late, suggestion }
}

export async function listQueue(core: Core, f: QueueFilter): Promise<{ total: number; items: QueueItem[] }> {
  return core.tx.read(async (m) => {
    const where: string[] = [f.status === 'decided' ? `c.status <> 'pending'` : `c.status = 'pending'`]
    const args: unknown[] = []
    const add = (sql: string, v: unknown) => {
      if (v === undefined || v === null) return
      where.push(sql)
      args.push(v)
    }
    add('u.activity_id = ?', f.activityId)
    add('b.day >= ?', f.from)
    add('b.day <= ?', f.to)
    add('b.child_id = ?', f.childId)
    add('c.family_id = ?', f.familyId)
    add('c.kind = ?', f.kind)
    add('c.request_id = ?', f.requestId)
    const db = dbOf(m)
    const clause = ` WHERE ${where.join(' AND ')}`
    // The count joins only what the filters read (every join of SELECT is a NOT NULL foreign key, so it cannot drop a
    // row): counting a year of decided lines through five joins took longer than the page itself.
    const needsUnit = f.activityId != null
    const needsBooking = needsUnit || f.from != null || f.to != null || f.childId != null
    const countFrom = `booking_change c${needsBooking ? ' JOIN booking b ON b.id = c.booking_id' : ''}${needsUnit ? ' JOIN unit u ON u.id = b.unit_id' : ''}`
    const total = (db.prepare(`SELECT COUNT(*) AS n FROM ${countFrom}${clause}`).get(...args) as { n: number }).n
    const order = f.status === 'decided' ? ' ORDER BY c.decided_at DESC, c.id DESC' : ' ORDER BY b.day, ch.last_name, ch.first_name, u.sort, c.id'
    const rows = db.prepare(`${SELECT}${clause}${order} LIMIT ? OFFSET ?`).all(...args, f.limit, f.offset) as Row[]
    return { total, items: rows.map(toItem) }
  })
}

/**
 * Staff decide pending change lines in bulk. Every line moves through the
 * state machine; requests whose lines are all decided are closed; each
 * family gets ONE e-mail grouping its answers ("2 annulations excusées les :
 * 06/05, 13/05 — 1 annulation facturée le : 20/05").
 */
export async function decideChanges(core: Core, actor: StaffActor, input: { changeIds: number[]; decision: Decision; reason: string }): Promise<{ decided: number; mails: number }> {
  const reason = input.reason.trim()
  if (input.decision === 'refuse' && !reason) throw new DomainError('invalid_input', 'Indiquez le motif du refus : il sera envoyé à la famille.', 400, { reason: 'Motif obligatoire.' })
  const ids = [...new Set(input.changeIds)]
  return core.tx.run(async (m) => {
    const db = dbOf(m)
    const rows = db.prepare(`${SELECT} WHERE c.id IN (SELECT value FROM json_each(?)) ORDER BY b.day, c.id`).all(JSON.stringify(ids)) as Row[]
    if (rows.length !== ids.length) throw new DomainError('not_found', 'Demande introuvable.', 404)
    const done = rows.filter((r) => r.status !== 'pending')
    if (done.length) throw linesAlreadyDecided(db, done.map((r) => r.changeId))
    const now = core.clock.now().toISOString()
    const decided: (DecidedLine & { familyId: number })[] = []
    for (const r of rows.map(toItem)) {
      let step: { action: BookingAction; to: BookingState; status: ChangeStatus }
      if (r.kind === 'reservation') {
        if (input.decision === 'excuse' || input.decision === 'bill') {
          throw new DomainError('invalid_decision', 'Une demande de réservation s’accepte ou se refuse ; excuser ou facturer concerne les annulations et absences.', 400)
        }
        step = input.decision === 'accept' ? { action: 'accept', to: 'R', status: 'accepted' } : { action: 'refuse', to: 'REFUSED', status: 'refused' }
      } else if (input.decision === 'accept') step = outcomeOnAccept(r)
      else if (input.decision === 'excuse') step = { action: 'excuse', to: 'A_EXC', status: 'excused' }
      else if (input.decision === 'bill') step = { action: 'bill', to: 'A_FACT', status: 'billed' }
      else step = { action: 'keep', to: 'R', status: 'refused' }
      const line: PlannedLine = {
        childId: r.childId,
        unitId: r.unitId,
        day: r.day,
        activityId: r.activityId,
        enrolmentId: null,
        groupId: null,
        bookingId: r.bookingId,
        from: r.bookingState,
        to: step.to,
        action: step.action,
        then: null,
        kind: r.kind,
        status: step.status,
        late: r.late,
        priceCents: r.priceCents,
        tariff: '',
        absenceReason: r.absenceReason
      }
      applyLines(db, null, [line], {
        actor,
        now,
        familyId: r.familyId,
        source: 'staff',
        mode: 'decision',
        decidedBy: actor.id,
        reason,
        auditExtra: () => ({ decision: input.decision, ...(r.late && step.status === 'excused' ? { excusedLate: true } : {}) })
      })
      decided.push({
        familyId: r.familyId,
        day: r.day,
        kind: r.kind,
        status: step.status,
        child: upperName(r.childName.split(' ')[0]),
        unit: `${r.activityName} – ${r.unitName}`,
        reason: step.status === 'refused' ? reason : ''
      })
    }
    closeRequests(db, actor, now, [...new Set(rows.map((r) => r.requestId).filter((x): x is number => x !== null))])
    const mails = await mailFamilies(m, core, decided)
    return { decided: rows.length, mails }
  })
}

/** Closes the requests whose lines are all decided: accepted if anything was granted, else refused (or cancelled if withdrawn). */
export function closeRequests(db: ReturnType<typeof dbOf>, actor: Actor, now: string, requestIds: number[]): void {
  for (const id of requestIds) {
    const counts = stmt(
      db,
      `SELECT SUM(status = 'pending') AS pending, SUM(status IN ('accepted','excused','billed')) AS granted, SUM(status = 'refused') AS refused
       FROM booking_change WHERE request_id = ?`
    ).get(id) as { pending: number | null; granted: number | null; refused: number | null }
    if ((counts.pending ?? 0) > 0) continue
    const status = (counts.granted ?? 0) > 0 ? 'accepted' : (counts.refused ?? 0) > 0 ? 'refused' : 'cancelled'
    const r = stmt(db, `UPDATE request SET status = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'pending'`).run(status, now, actor.kind === 'staff' ? actor.id : null, id)
    if (r.changes) auditRow(db, actor, now, `request-${status === 'accepted' ? 'accept' : status === 'refused' ? 'refuse' : 'cancel'}`, 'request', id, { status: 'pending' }, { status })
  }
}

async function mailFamilies(m: EntityManager, core: Core, decided: (DecidedLine & { familyId: number })[]): Promise<number> {
  const byFamily = new Map<number, DecidedLine[]>()
  for (const d of decided) {
    if (!byFamily.has(d.familyId)) byFamily.set(d.familyId, [])
    byFamily.get(d.familyId)!.push(d)
  }
  if (!byFamily.size) return 0
  const ctx = await mailContext(m, core.runtime.portalUrl)
  let sent = 0
  for (const [familyId, lines] of byFamily) {
    const to = familyRecipient(dbOf(m), familyId)
    if (!to) continue
    await enqueueMail(m, core, to, decisionsMail(ctx, lines))
    sent++
  }
  return sent
}

/** Decides every pending line of one request (the generic validation queue's accept/refuse buttons). */
export async function decideRequestLines(core: Core, actor: StaffActor, requestId: number, decision: Decision, reason: string) {
  const ids = await core.tx.read(async (m) =>
    (stmt(dbOf(m), `SELECT id FROM booking_change WHERE request_id = ? AND status = 'pending'`).all(requestId) as { id: number }[]).map((r) => r.id)
  )
  if (!ids.length) {
    throw await core.tx.read(async (m) => {
      const r = await m.findOneBy(FamilyRequest, { id: requestId })
      return r ? alreadyDecided(m, r) : new DomainError('not_found', 'Demande introuvable.', 404)
    })
  }
  return decideChanges(core, actor, { changeIds: ids, decision, reason })
}

/** The 409 for lines a colleague decided meanwhile, naming who (« Demande déjà traitée par Claire Directrice »). */
function linesAlreadyDecided(db: ReturnType<typeof dbOf>, changeIds: number[]): DomainError {
  const names = (
    stmt(db, `SELECT DISTINCT s.display_name AS name FROM booking_change c JOIN staff_user s ON s.id = c.decided_by WHERE c.id IN (SELECT value FROM json_each(?)) ORDER BY 1`).all(
      JSON.stringify(changeIds)
    ) as { name: string }[]
  ).map((r) => r.name)
  const by = names.length ? ` par ${names.join(', ')}` : ''
  const what = changeIds.length === 1 ? 'Demande déjà traitée' : `${changeIds.length} de ces demandes sont déjà traitées`
  return conflict(`${what}${by}. Rechargez la liste.`)
}
