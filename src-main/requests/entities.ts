import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm'

export type RequestStatus = 'pending' | 'accepted' | 'refused' | 'cancelled'

/**
 * Generic family request: a family asks, staff accept or refuse with a reason.
 * `type` says what it is about (registration, file-change, enrolment,
 * reservation, cancellation, absence…); `payload` holds the type's data.
 */
@Entity('request')
export class FamilyRequest {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ name: 'account_id', type: 'integer', nullable: true }) accountId: number | null
  @Column({ type: 'text' }) type: string
  @Column({ type: 'text' }) status: RequestStatus
  @Column({ type: 'text', default: '' }) summary: string
  @Column({ type: 'simple-json' }) payload: Record<string, unknown>
  @Column({ type: 'text', default: '' }) reason: string
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'decided_at', type: 'text', nullable: true }) decidedAt: string | null
  @Column({ name: 'decided_by', type: 'integer', nullable: true }) decidedBy: number | null
}

/** The entities of requests, registered in core/entities.ts (like its handlers in rpc/). */
export const requestsEntities: Function[] = [
  FamilyRequest
]
