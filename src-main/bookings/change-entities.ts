import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm'

export type ChangeKind = 'reservation' | 'cancellation' | 'absence'
export type ChangeStatus = 'pending' | 'accepted' | 'refused' | 'excused' | 'billed' | 'withdrawn'
export type AbsenceReason = 'maladie' | 'convenance' | 'autre'

/** Deadline rules of one activity (JSON of `DeadlineRule`); absent = defaults for its kind. */
@Entity('booking_rule')
export class BookingRule {
  @PrimaryColumn({ name: 'activity_id', type: 'integer' }) activityId: number
  @Column({ type: 'text' }) booking: string
  @Column({ type: 'text' }) cancellation: string
  /** false: families cannot change bookings on the portal (ALAE in 003: "via la messagerie"). */
  @Column({ name: 'family_changes', type: 'boolean', default: true }) familyChanges: boolean
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
}

/**
 * One asked-for or applied change on a booking: a reservation, a cancellation
 * or an absence, with its outcome. Families see them in "Mes demandes"; staff
 * decide the pending ones in the queue.
 */
@Entity('booking_change')
export class BookingChange {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'booking_id', type: 'integer' }) bookingId: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ name: 'request_id', type: 'integer', nullable: true }) requestId: number | null
  @Column({ type: 'text' }) kind: ChangeKind
  @Column({ type: 'text' }) status: ChangeStatus
  @Column({ name: 'from_state', type: 'text', nullable: true }) fromState: string | null
  @Column({ name: 'to_state', type: 'text', nullable: true }) toState: string | null
  /** Asked after the deadline (frozen at request time: what the family was told). */
  @Column({ type: 'boolean', default: false }) late: boolean
  @Column({ name: 'absence_reason', type: 'text', nullable: true }) absenceReason: AbsenceReason | null
  @Column({ name: 'certificate_document_id', type: 'integer', nullable: true }) certificateDocumentId: number | null
  @Column({ type: 'text', default: '' }) comment: string
  @Column({ name: 'price_cents', type: 'integer', default: 0 }) priceCents: number
  /** Refusal reason or staff note shown to the family. */
  @Column({ type: 'text', default: '' }) reason: string
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'decided_at', type: 'text', nullable: true }) decidedAt: string | null
  @Column({ name: 'decided_by', type: 'integer', nullable: true }) decidedBy: number | null
}

/** The entities of booking rules and changes, registered in core/entities.ts (like its handlers in rpc/). */
export const bookingChangeEntities: Function[] = [
  BookingRule,
  BookingChange
]
