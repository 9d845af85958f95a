import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm'

@Entity('audit_entry')
export class AuditEntry {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text' }) at: string
  @Column({ name: 'actor_kind', type: 'text' }) actorKind: string
  @Column({ name: 'actor_id', type: 'integer', nullable: true }) actorId: number | null
  @Column({ name: 'actor_label', type: 'text' }) actorLabel: string
  @Column({ type: 'text' }) action: string
  @Column({ type: 'text' }) entity: string
  @Column({ name: 'entity_id', type: 'text', nullable: true }) entityId: string | null
  @Column({ type: 'text', nullable: true }) before: string | null
  @Column({ type: 'text', nullable: true }) after: string | null
}

/** The entities of audit, registered in core/entities.ts (like its handlers in rpc/). */
export const auditEntities: Function[] = [
  AuditEntry
]
