import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm'
import { RecordVersion } from '../db/version-column'

/**
 * A file on disk under `documentsDir`. The disk name is random; `name` is the
 * checked display name; `sha256` proves what was received.
 */
@Entity('stored_file')
export class StoredFile {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'storage_name', type: 'text', unique: true }) storageName: string
  @Column({ type: 'text' }) name: string
  @Column({ type: 'text' }) mime: string
  @Column({ type: 'integer' }) size: number
  @Column({ type: 'text' }) sha256: string
  @Column({ name: 'owner_family_id', type: 'integer', nullable: true }) ownerFamilyId: number | null
  @Column({ name: 'uploaded_by_kind', type: 'text' }) uploadedByKind: 'staff' | 'family' | 'system'
  @Column({ name: 'uploaded_by_id', type: 'integer', nullable: true }) uploadedById: number | null
  /** Uploaded but not yet attached to a message, document or news item. */
  @Column({ type: 'boolean', default: false }) staged: boolean
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

/** A document of one family: sent by it ("Mes envois") or by the structure (personal document). */
@Entity('family_document')
export class FamilyDocument {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ name: 'child_id', type: 'integer', nullable: true }) childId: number | null
  @Column({ name: 'file_id', type: 'integer' }) fileId: number
  @Column({ type: 'text' }) origin: 'family' | 'staff'
  @Column({ name: 'doc_type', type: 'text' }) docType: string
  @Column({ type: 'text', default: '' }) title: string
  @Column({ type: 'text' }) status: 'received' | 'accepted' | 'refused' | 'sent'
  @Column({ name: 'status_reason', type: 'text', default: '' }) statusReason: string
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'decided_at', type: 'text', nullable: true }) decidedAt: string | null
  @Column({ name: 'decided_by', type: 'integer', nullable: true }) decidedBy: number | null
}

/** "Téléchargements": a document the structure publishes to all families or a group. */
@Entity('published_document')
export class PublishedDocument {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text' }) category: string
  @Column({ type: 'text' }) title: string
  @Column({ name: 'file_id', type: 'integer' }) fileId: number
  @Column({ type: 'text' }) audience: string
  @Column({ name: 'audience_all', type: 'boolean', default: true }) audienceAll: boolean
  @Column({ name: 'valid_from', type: 'text', nullable: true }) validFrom: string | null
  @Column({ name: 'valid_until', type: 'text', nullable: true }) validUntil: string | null
  @Column({ name: 'published_at', type: 'text' }) publishedAt: string
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
  @RecordVersion() version: number
}

/** The families of a group audience, resolved when published (a later enrolment does not widen it). */
@Entity('published_document_family')
export class PublishedDocumentFamily {
  @PrimaryColumn({ name: 'document_id', type: 'integer' }) documentId: number
  @PrimaryColumn({ name: 'family_id', type: 'integer' }) familyId: number
}

/** The entities of documents, registered in core/entities.ts (like its handlers in rpc/). */
export const documentsEntities: Function[] = [
  StoredFile,
  FamilyDocument,
  PublishedDocument,
  PublishedDocumentFamily
]
