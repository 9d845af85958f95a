import type { EntityManager } from 'typeorm'
import { ENROLMENT_STATUS_LABELS, type EnrolmentStatusDto } from '@shared/contract/activities-shapes'
import { frenchDate } from '../core/clock'
import { WEEKDAY_LONG } from '@shared/bookings/days'
import type { TypicalWeekSlot } from './entities'

/** "Inscriptions" of a family's RGPD export (art. 15/20): every enrolment of its children, whatever its status. */

export const ENROLMENTS_RGPD_TITLE = 'Inscriptions'

export const ENROLMENTS_RGPD_LABELS: Record<string, string> = {
  child: 'Enfant',
  activity: 'Activité',
  period: 'Période',
  group: 'Groupe',
  status: 'Statut',
  typicalWeek: 'Semaine type',
  memo: 'Mémo de la famille',
  reason: 'Motif (refus)',
  requestedAt: 'Demandée le',
  decidedAt: 'Décidée le',
  startDate: 'À partir du',
  endedOn: 'Dernier jour'
}

interface Row {
  child: string
  activity: string
  period: string
  period_start: string
  period_end: string
  grp: string
  status: EnrolmentStatusDto
  typical_week: string
  memo: string
  reason: string
  created_at: string
  decided_at: string | null
  start_date: string | null
  ended_on: string | null
}

// A shared child's enrolments are part of its common file: both households' exports hold them (issue 16).
export async function enrolmentsRgpdSection(m: EntityManager, familyId: number) {
  const rows = (await m.query(
    `SELECT c.first_name AS child, a.name AS activity, p.name AS period, p.start_date AS period_start, p.end_date AS period_end, g.name AS grp,
            e.status, e.typical_week, e.memo, e.reason, e.created_at, e.decided_at, e.start_date, e.ended_on
       FROM enrolment e JOIN child c ON c.id = e.child_id JOIN activity a ON a.id = e.activity_id
       JOIN activity_period p ON p.id = e.period_id JOIN activity_group g ON g.id = e.group_id
      WHERE e.child_id IN (SELECT child_id FROM household_child WHERE family_id = ?)
      ORDER BY p.start_date, c.first_name, c.id, a.name, e.id`,
    [familyId]
  )) as Row[]
  const unitNames = new Map<number, string>(((await m.query(`SELECT id, name FROM unit`)) as { id: number; name: string }[]).map((u) => [u.id, u.name]))
  return rows.map((r) => {
    const week = (JSON.parse(r.typical_week || '[]') as TypicalWeekSlot[])
      .slice()
      .sort((x, y) => x.weekday - y.weekday)
      .map((s) => `${WEEKDAY_LONG[s.weekday] ?? s.weekday} : ${unitNames.get(s.unitId) ?? 'unité supprimée'}`)
    return {
      child: r.child,
      activity: r.activity,
      period: `${r.period} (du ${frenchDate(r.period_start)} au ${frenchDate(r.period_end)})`,
      group: r.grp,
      status: ENROLMENT_STATUS_LABELS[r.status] ?? r.status,
      typicalWeek: week,
      memo: r.memo,
      reason: r.reason,
      requestedAt: r.created_at,
      decidedAt: r.decided_at,
      startDate: r.start_date,
      endedOn: r.ended_on
    }
  })
}
