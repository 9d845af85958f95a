import { Column, Entity, PrimaryColumn } from 'typeorm'

/** A family's agenda feed (migration 0021): the token's hash and the seed it is derived from, never the token. */
@Entity('agenda_feed')
export class AgendaFeed {
  @PrimaryColumn({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ type: 'text' }) seed: string
  @Column({ name: 'token_hash', type: 'text' }) tokenHash: string
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
}

/** Registered in core/entities.ts. */
export const agendaEntities: Function[] = [AgendaFeed]
