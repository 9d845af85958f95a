import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm'

export type ImportSource = 'noethys' | 'csv' | 'xlsx'

/** A received file waiting for its preview and commit (bytes under `<data>/imports/<storageName>`). */
@Entity('import_upload')
export class ImportUpload {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'storage_name', type: 'text', unique: true }) storageName: string
  @Column({ type: 'text' }) name: string
  @Column({ type: 'integer' }) size: number
  @Column({ type: 'text' }) sha256: string
  @Column({ type: 'text' }) format: string
  @Column({ name: 'uploaded_by', type: 'integer', nullable: true }) uploadedBy: number | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

/** One committed import: who, when, which file, what it created. */
@Entity('import_batch')
export class ImportBatch {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text' }) source: ImportSource
  @Column({ name: 'file_name', type: 'text' }) fileName: string
  @Column({ name: 'file_size', type: 'integer' }) fileSize: number
  @Column({ name: 'file_sha256', type: 'text' }) fileSha256: string
  @Column({ type: 'simple-json' }) counts: Record<string, number>
  @Column({ name: 'backup_name', type: 'text', default: '' }) backupName: string
  @Column({ type: 'text' }) status: 'committed' | 'undone'
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
  @Column({ name: 'created_by_label', type: 'text' }) createdByLabel: string
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'undone_by', type: 'integer', nullable: true }) undoneBy: number | null
  @Column({ name: 'undone_by_label', type: 'text', nullable: true }) undoneByLabel: string | null
  @Column({ name: 'undone_at', type: 'text', nullable: true }) undoneAt: string | null
}

export type ImportItemKind = 'family' | 'activity' | 'activity_type' | 'facility' | 'enrolment' | 'adjustment' | 'mandate' | 'stored_file' | 'portal_account'

@Entity('import_item')
export class ImportItem {
  @Column({ name: 'batch_id', type: 'integer' }) batchId: number
  @PrimaryColumn({ type: 'text' }) kind: ImportItemKind
  @PrimaryColumn({ name: 'item_id', type: 'integer' }) itemId: number
}

@Entity('import_invitation')
export class ImportInvitation {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'batch_id', type: 'integer' }) batchId: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ name: 'account_id', type: 'integer' }) accountId: number
  @Column({ name: 'outbox_id', type: 'integer', nullable: true }) outboxId: number | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

@Entity('import_column_memory')
export class ImportColumnMemory {
  @PrimaryColumn({ type: 'text' }) header: string
  @Column({ type: 'text' }) field: string
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
}

/** Entities of issue #14, registered in db/entities.ts. */
export const importsEntities: Function[] = [ImportUpload, ImportBatch, ImportItem, ImportInvitation, ImportColumnMemory]
