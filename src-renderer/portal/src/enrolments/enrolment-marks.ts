import type { EnrolmentStatusDto } from '@shared/contract/activities-shapes'

/** 004's marks: V validée, ? en attente, ! pré-inscription non validée; the tone colours the mark and the status. */
export const MARK: Record<EnrolmentStatusDto, { mark: string; label: string; tone: 'ok' | 'wait' | 'no' | 'off' }> = {
  validated: { mark: 'V', label: 'Validée', tone: 'ok' },
  pending: { mark: '?', label: 'En attente de validation', tone: 'wait' },
  'pre-enrolment': { mark: '!', label: 'Pré-inscription non validée', tone: 'wait' },
  waiting: { mark: '?', label: 'Liste d’attente', tone: 'wait' },
  refused: { mark: '✕', label: 'Refusée', tone: 'no' },
  ended: { mark: '–', label: 'Terminée', tone: 'off' }
}

export const WEEKDAYS = ['', 'Lundi', 'Mardi', 'Mercredi', 'Jeudi', 'Vendredi']
