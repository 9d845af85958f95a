import type { ActivitiesTreeDto, ActivityNodeDto, EnrolmentDto } from '@shared/contract/activities-shapes'
import { ENROLMENT_STATUS_LABELS } from '@shared/contract/activities-shapes'

export interface FlatActivity {
  id: number
  label: string
  facilityName: string
  typeName: string
  node: ActivityNodeDto
}

/** Every activity of the tree with an "Équipement › Activité" label, for selects. */
export function flatActivities(tree: ActivitiesTreeDto): FlatActivity[] {
  return tree.flatMap((f) =>
    f.types.flatMap((t) => t.activities.map((a) => ({ id: a.id, label: `${f.name} › ${a.name}`, facilityName: f.name, typeName: t.name, node: a })))
  )
}

type Severity = 'success' | 'info' | 'warn' | 'danger' | 'secondary'
const SEVERITY: Record<EnrolmentDto['status'], Severity> = {
  pending: 'warn',
  'pre-enrolment': 'warn',
  validated: 'success',
  waiting: 'info',
  refused: 'danger',
  ended: 'secondary'
}
export const enrolmentSeverity = (s: EnrolmentDto['status']): Severity => SEVERITY[s]

export function enrolmentStatusText(e: Pick<EnrolmentDto, 'status' | 'rank'>): string {
  if (e.status === 'waiting') return `Liste d’attente (rang ${e.rank ?? '?'})`
  return ENROLMENT_STATUS_LABELS[e.status]
}

export const WEEKDAYS = ['', 'Lundi', 'Mardi', 'Mercredi', 'Jeudi', 'Vendredi', 'Samedi', 'Dimanche']

export function typicalWeekText(week: EnrolmentDto['typicalWeek']): string {
  if (!week.length) return ''
  const byDay = new Map<number, string[]>()
  for (const s of week) byDay.set(s.weekday, [...(byDay.get(s.weekday) ?? []), s.unitName])
  return [...byDay].map(([d, units]) => `${WEEKDAYS[d]} : ${units.join(' + ')}`).join(' ; ')
}
