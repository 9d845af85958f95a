import type { BookingAction, CellState } from '@shared/bookings/state-machine'
import { CELL_LABELS } from '@shared/bookings/state-machine'
import type { QueueItemDto } from '@shared/contract/bookings-shapes'

type Severity = 'success' | 'info' | 'warn' | 'danger' | 'secondary' | 'contrast'

/** Staff actions offered by the plannings, with French verbs (the state machine says which apply). */
export const ACTION_LABELS: Partial<Record<BookingAction, string>> = {
  book: 'Réserver',
  accept: 'Accepter la demande',
  refuse: 'Refuser la demande',
  withdraw: 'Retirer la demande',
  keep: 'Refuser l’annulation (maintenir)',
  cancel: 'Annuler (non facturé)',
  excuse: 'Absence excusée',
  bill: 'Absence facturée',
  'mark-present': 'Présent',
  'mark-absent': 'Absent',
  'walk-in': 'Présent sans réservation',
  unmark: 'Annuler le pointage'
}

export const stateLabel = (s: CellState) => CELL_LABELS[s].label

export function stateSeverity(s: string): Severity {
  switch (s) {
    case 'R':
    case 'PRESENT':
      return 'success'
    case 'DR':
    case 'DA':
      return 'warn'
    case 'A_FACT':
    case 'REFUSED':
    case 'ABSENT':
      return 'danger'
    case 'A_EXC':
      return 'info'
    default:
      return 'secondary'
  }
}

export const SUGGESTION_LABELS: Record<QueueItemDto['suggestion'], string> = {
  accept: 'Accepter',
  cancel: 'Annuler sans frais (dans les délais)',
  excuse: 'Excuser',
  bill: 'Facturer (hors délai)'
}

/** "mardi 5 janvier 2027" */
export function longDay(day: string): string {
  const d = new Date(`${day}T12:00:00`)
  return d.toLocaleDateString('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
}

export { parisToday as todayIso } from '@shared/format'


/** « 08:05 » in Paris time, or '' when there is no time. */
export const timeOf = (iso: string | null) => (iso ? new Date(iso).toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' }) : '')
