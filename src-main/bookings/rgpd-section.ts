import type { EntityManager } from 'typeorm'
import { CELL_LABELS, type BookingState } from '@shared/bookings/state-machine'
import { ABSENCE_REASON_LABELS, CHANGE_KIND_LABELS, CHANGE_STATUS_LABELS } from '@shared/contract/bookings-shapes'
import { formatEuro } from '@shared/billing/money'

/**
 * "Réservations et absences" of a family's RGPD export (art. 15/20): every
 * booking of its children and the history of its reservation, cancellation
 * and absence requests. Keys are English like the rest of the export; values
 * are what the family sees on the portal (French labels, euros).
 */

export const BOOKINGS_RGPD_TITLE = 'Réservations et absences'

export const BOOKINGS_RGPD_LABELS: Record<string, string> = {
  bookings: 'Réservations',
  changes: 'Demandes de réservation, d’annulation et absences',
  date: 'Jour',
  child: 'Enfant',
  activity: 'Activité',
  unit: 'Unité',
  state: 'État',
  price: 'Prix indiqué à la réservation',
  origin: 'Origine',
  arrivedAt: 'Arrivée',
  leftAt: 'Départ',
  kind: 'Type',
  status: 'Suite donnée',
  late: 'Hors délai',
  absenceReason: 'Motif d’absence',
  comment: 'Commentaire',
  reason: 'Réponse de la structure',
  requestedAt: 'Demandé le',
  decidedAt: 'Décidé le'
}

const ORIGIN_LABELS: Record<string, string> = {
  family: 'Famille (portail)',
  staff: 'Structure',
  auto: 'Réservation automatique de l’inscription',
  'walk-in': 'Pointage sans réservation'
}

export function bookingStateLabel(state: string): string {
  if (state === 'CANCELLED') return 'Réservation annulée'
  return CELL_LABELS[state as Exclude<BookingState, 'CANCELLED'>]?.label ?? state
}

interface BookingRow {
  day: string
  child: string
  activity: string
  unit: string
  state: string
  price_cents: number
  source: string
  arrived_at: string | null
  left_at: string | null
}

interface ChangeRow {
  day: string
  child: string
  activity: string
  unit: string
  kind: keyof typeof CHANGE_KIND_LABELS
  status: keyof typeof CHANGE_STATUS_LABELS
  late: number
  absence_reason: keyof typeof ABSENCE_REASON_LABELS | null
  comment: string
  reason: string
  price_cents: number
  created_at: string
  decided_at: string | null
}

export async function bookingsRgpdSection(m: EntityManager, familyId: number) {
  // By the household that booked (issue 16): a shared child's bookings by the other household are not this one's data.
  const bookings = (await m.query(
    `SELECT b.day, c.first_name AS child, a.name AS activity, u.name AS unit, b.state, b.price_cents, b.source, b.arrived_at, b.left_at
       FROM booking b JOIN child c ON c.id = b.child_id JOIN unit u ON u.id = b.unit_id JOIN activity a ON a.id = u.activity_id
      WHERE COALESCE(b.family_id, c.family_id) = ?
      ORDER BY b.day, c.first_name, c.id, a.name, u.sort, u.id`,
    [familyId]
  )) as BookingRow[]
  const changes = (await m.query(
    `SELECT b.day, c.first_name AS child, a.name AS activity, u.name AS unit, x.kind, x.status, x.late, x.absence_reason, x.comment, x.reason,
            x.price_cents, x.created_at, x.decided_at
       FROM booking_change x JOIN booking b ON b.id = x.booking_id JOIN child c ON c.id = b.child_id
       JOIN unit u ON u.id = b.unit_id JOIN activity a ON a.id = u.activity_id
      WHERE x.family_id = ?
      ORDER BY x.created_at, x.id`,
    [familyId]
  )) as ChangeRow[]
  return {
    bookings: bookings.map((b) => ({
      date: b.day,
      child: b.child,
      activity: b.activity,
      unit: b.unit,
      state: bookingStateLabel(b.state),
      price: formatEuro(b.price_cents),
      origin: ORIGIN_LABELS[b.source] ?? b.source,
      arrivedAt: b.arrived_at,
      leftAt: b.left_at
    })),
    changes: changes.map((x) => ({
      requestedAt: x.created_at,
      date: x.day,
      child: x.child,
      activity: x.activity,
      unit: x.unit,
      kind: CHANGE_KIND_LABELS[x.kind] ?? x.kind,
      status: CHANGE_STATUS_LABELS[x.status] ?? x.status,
      late: x.late === 1,
      absenceReason: x.absence_reason ? (ABSENCE_REASON_LABELS[x.absence_reason] ?? x.absence_reason) : null,
      comment: x.comment,
      reason: x.reason,
      decidedAt: x.decided_at
    }))
  }
}
