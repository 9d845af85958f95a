import type { EntityManager } from 'typeorm'
import type { EnrolmentDto, EnrolmentStatusDto } from '@shared/contract/activities-shapes'
import type { TypicalWeekSlot } from './entities'
import { personName, upperName } from '@shared/names'

export interface EnrolmentFilter {
  statuses?: EnrolmentStatusDto[]
  activityId?: number
  periodId?: number
  groupId?: number
  familyId?: number
  childId?: number
  ids?: number[]
  limit?: number
  offset?: number
}

interface Row {
  id: number
  child_id: number
  activity_id: number
  period_id: number
  group_id: number
  status: EnrolmentStatusDto
  request_id: number | null
  typical_week: string
  memo: string
  reason: string
  source: 'family' | 'staff'
  start_date: string | null
  created_at: string
  decided_at: string | null
  ended_on: string | null
  child_first: string
  child_last: string
  family_id: number
  family_number: number
  resp_last: string | null
  resp_first: string | null
  facility_name: string
  activity_name: string
  kind: EnrolmentDto['activityKind']
  period_name: string
  period_start: string
  period_end: string
  group_name: string
  rank: number | null
}

/**
 * Enrolments with everything a list shows, in one query. The waiting-list
 * rank is computed in SQL: position by time put on the list, then id.
 */
export async function listEnrolments(m: EntityManager, f: EnrolmentFilter): Promise<{ total: number; items: EnrolmentDto[] }> {
  const where: string[] = []
  const params: unknown[] = []
  if (f.statuses?.length) {
    where.push(`e.status IN (${f.statuses.map(() => '?').join(',')})`)
    params.push(...f.statuses)
  }
  for (const [col, v] of [
    ['e.activity_id', f.activityId],
    ['e.period_id', f.periodId],
    ['e.group_id', f.groupId],
    ['e.child_id', f.childId]
  ] as const) {
    if (v !== undefined) {
      where.push(`${col} = ?`)
      params.push(v)
    }
  }
  // A shared child's enrolments are part of its common file: both households list them (issue 16).
  if (f.familyId !== undefined) {
    where.push('e.child_id IN (SELECT child_id FROM household_child WHERE family_id = ?)')
    params.push(f.familyId)
  }
  if (f.ids) {
    if (!f.ids.length) return { total: 0, items: [] }
    where.push(`e.id IN (${f.ids.map(() => '?').join(',')})`)
    params.push(...f.ids)
  }
  const from = `FROM enrolment e
    JOIN child c ON c.id = e.child_id
    JOIN family fam ON fam.id = c.family_id
    LEFT JOIN person p ON p.family_id = fam.id AND p.role = 'responsable'
    JOIN activity a ON a.id = e.activity_id
    JOIN activity_type t ON t.id = a.activity_type_id
    JOIN facility fa ON fa.id = t.facility_id
    JOIN activity_period pe ON pe.id = e.period_id
    JOIN activity_group g ON g.id = e.group_id
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`
  const [{ n }] = await m.query(`SELECT COUNT(*) AS n ${from}`, params)
  const rows: Row[] = await m.query(
    `SELECT e.*, c.first_name AS child_first, c.last_name AS child_last, c.family_id, fam.number AS family_number,
       p.last_name AS resp_last, p.first_name AS resp_first, fa.name AS facility_name, a.name AS activity_name, t.kind,
       pe.name AS period_name, pe.start_date AS period_start, pe.end_date AS period_end, g.name AS group_name,
       CASE WHEN e.status = 'waiting' THEN (
         SELECT COUNT(*) FROM enrolment w WHERE w.group_id = e.group_id AND w.period_id = e.period_id AND w.status = 'waiting'
           AND (w.waiting_since < e.waiting_since OR (w.waiting_since = e.waiting_since AND w.id <= e.id))) END AS rank
     ${from}
     ORDER BY (e.status IN ('pending','pre-enrolment')) DESC, pe.start_date DESC, a.name, g.name, e.status = 'waiting', rank, e.created_at, e.id
     LIMIT ? OFFSET ?`,
    [...params, f.limit ?? 500, f.offset ?? 0]
  )
  const unitIds = new Set<number>()
  const weeks = rows.map((r) => JSON.parse(r.typical_week || '[]') as TypicalWeekSlot[])
  for (const w of weeks) for (const s of w) unitIds.add(s.unitId)
  const unitNames = new Map<number, string>()
  if (unitIds.size) {
    const units: { id: number; name: string }[] = await m.query(`SELECT id, name FROM unit WHERE id IN (${[...unitIds].map(() => '?').join(',')})`, [...unitIds])
    for (const u of units) unitNames.set(u.id, u.name)
  }
  return {
    total: Number(n),
    items: rows.map((r, i) => ({
      id: r.id,
      childId: r.child_id,
      childName: `${r.child_first} ${upperName(r.child_last)}`,
      familyId: r.family_id,
      familyNumber: r.family_number,
      familyName: r.resp_last ? personName(r.resp_last, r.resp_first) : '',
      facilityName: r.facility_name,
      activityId: r.activity_id,
      activityName: r.activity_name,
      activityKind: r.kind,
      periodId: r.period_id,
      periodName: r.period_name,
      periodStart: r.period_start,
      periodEnd: r.period_end,
      groupId: r.group_id,
      groupName: r.group_name,
      status: r.status,
      rank: r.rank === null ? null : Number(r.rank),
      reason: r.reason,
      memo: r.memo,
      typicalWeek: weeks[i].map((s) => ({ ...s, unitName: unitNames.get(s.unitId) ?? '' })),
      source: r.source,
      requestId: r.request_id,
      startDate: r.start_date,
      createdAt: r.created_at,
      decidedAt: r.decided_at,
      endedOn: r.ended_on
    }))
  }
}
