import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm'

/**
 * One child × unit × day. Created by #4's auto-booking (state 'R', source
 * 'auto'); the state machine and the other sources belong to #5.
 */
@Entity('booking')
export class Booking {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'child_id', type: 'integer' }) childId: number
  @Column({ name: 'unit_id', type: 'integer' }) unitId: number
  @Column({ type: 'text' }) day: string
  @Column({ name: 'enrolment_id', type: 'integer', nullable: true }) enrolmentId: number | null
  @Column({ name: 'group_id', type: 'integer', nullable: true }) groupId: number | null
  @Column({ type: 'text' }) state: string
  @Column({ type: 'text', default: 'family' }) source: string
  @Column({ name: 'request_id', type: 'integer', nullable: true }) requestId: number | null
  @Column({ name: 'price_cents', type: 'integer', default: 0 }) priceCents: number
  @Column({ name: 'arrived_at', type: 'text', nullable: true }) arrivedAt: string | null
  @Column({ name: 'left_at', type: 'text', nullable: true }) leftAt: string | null
  /** When the last attendance mark was made (on the tablet, possibly offline) and by whom: the latest mark wins. */
  @Column({ name: 'marked_at', type: 'text', nullable: true }) markedAt: string | null
  @Column({ name: 'marked_by', type: 'integer', nullable: true }) markedBy: number | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
}

/** The entities of bookings, registered in core/entities.ts (like its handlers in rpc/). */
export const bookingsEntities: Function[] = [
  Booking
]
