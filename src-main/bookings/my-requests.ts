import type { Core } from '../core/app-core'
import type { AbsenceReason, ChangeKind, ChangeStatus } from './change-entities'
import { dbOf } from './sql'

export interface FamilyChangeRow {
  changeId: number
  requestId: number | null
  kind: ChangeKind
  status: ChangeStatus
  late: boolean
  day: string
  childId: number
  childName: string
  activityName: string
  unitName: string
  absenceReason: AbsenceReason | null
  reason: string
  priceCents: number
  createdAt: string
  decidedAt: string | null
}

/** "Mes demandes": the family's reservation, cancellation and absence requests with their outcome, newest first. */
export async function familyChanges(core: Core, familyId: number, q: { kind?: ChangeKind; limit: number; offset: number }): Promise<{ total: number; items: FamilyChangeRow[] }> {
  return core.tx.read(async (m) => {
    const db = dbOf(m)
    const where = `c.family_id = ?${q.kind ? ' AND c.kind = ?' : ''}`
    const args: unknown[] = q.kind ? [familyId, q.kind] : [familyId]
    const total = (db.prepare(`SELECT COUNT(*) AS n FROM booking_change c WHERE ${where}`).get(...args) as { n: number }).n
    const rows = db
      .prepare(
        `SELECT c.id AS changeId, c.request_id AS requestId, c.kind, c.status, c.late, b.day, b.child_id AS childId, ch.first_name AS childName,
                a.name AS activityName, u.name AS unitName, c.absence_reason AS absenceReason, c.reason, c.price_cents AS priceCents,
                c.created_at AS createdAt, c.decided_at AS decidedAt
         FROM booking_change c JOIN booking b ON b.id = c.booking_id JOIN child ch ON ch.id = b.child_id
         JOIN unit u ON u.id = b.unit_id JOIN activity a ON a.id = u.activity_id
         WHERE ${where}
         ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?`
      )
      .all(...args, q.limit, q.offset) as (Omit<FamilyChangeRow, 'late'> & { late: number })[]
    return { total, items: rows.map((r) => ({ ...r, late: r.late === 1 })) }
  })
}
