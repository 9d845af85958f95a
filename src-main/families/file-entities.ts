import type { Consent } from '@shared/contract/family-file-shapes'
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm'

/** "Informations fiscales" of a family (one row, created on first save). */
@Entity('family_fiscal')
export class FamilyFiscal {
  @PrimaryColumn({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ name: 'tax_year', type: 'integer', nullable: true }) taxYear: number | null
  @Column({ name: 'reference_income', type: 'integer', nullable: true }) referenceIncome: number | null
  @Column({ name: 'tax_shares', type: 'real', nullable: true }) taxShares: number | null
  @Column({ name: 'dependent_children', type: 'integer', default: 0 }) dependentChildren: number
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
}

/** "Informations CAF", including the quotient familial billing reads (see `familyQuotient`). */
@Entity('family_caf')
export class FamilyCaf {
  @PrimaryColumn({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ name: 'allocataire_name', type: 'text', default: '' }) allocataireName: string
  @Column({ type: 'text', default: '' }) regime: '' | 'general' | 'msa' | 'autre' | 'aucun'
  @Column({ name: 'allocataire_number', type: 'text', default: '' }) allocataireNumber: string
  @Column({ type: 'integer', nullable: true }) quotient: number | null
  @Column({ name: 'quotient_valid_until', type: 'text', nullable: true }) quotientValidUntil: string | null
  @Column({ name: 'quotient_proof_document_id', type: 'integer', nullable: true }) quotientProofDocumentId: number | null
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
}

/** "Coordonnées bancaires" for direct debit. The IBAN never reaches the animateur role nor the audit log. */
@Entity('family_bank')
export class FamilyBank {
  @PrimaryColumn({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ type: 'text', default: '' }) holder: string
  @Column({ name: 'bank_name', type: 'text', default: '' }) bankName: string
  @Column({ type: 'text', default: '' }) iban: string
  @Column({ type: 'text', default: '' }) bic: string
  @Column({ name: 'direct_debit', type: 'boolean', default: false }) directDebit: boolean
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
}

@Entity('family_departure')
export class FamilyDeparture {
  @PrimaryColumn({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ name: 'left_at', type: 'text', nullable: true }) leftAt: string | null
  @Column({ name: 'anonymised_at', type: 'text', nullable: true }) anonymisedAt: string | null
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
}

export interface VaccineEntry {
  name: string
  date: string
}

/** A child's health file, authorisations, family links and (direction only) custody notes. */
@Entity('child_file')
export class ChildFile {
  @PrimaryColumn({ name: 'child_id', type: 'integer' }) childId: number
  @Column({ type: 'boolean', default: false }) allergies: boolean
  @Column({ name: 'allergy_notes', type: 'text', default: '' }) allergyNotes: string
  @Column({ type: 'boolean', default: false }) pai: boolean
  @Column({ name: 'pai_document_id', type: 'integer', nullable: true }) paiDocumentId: number | null
  @Column({ name: 'diet_notes', type: 'text', default: '' }) dietNotes: string
  @Column({ name: 'meal_type', type: 'text', default: 'standard' }) mealType: 'standard' | 'sans-porc' | 'vegetarien' | 'sans-viande'
  @Column({ type: 'simple-json' }) vaccines: VaccineEntry[]
  @Column({ name: 'doctor_name', type: 'text', default: '' }) doctorName: string
  @Column({ name: 'doctor_phone', type: 'text', default: '' }) doctorPhone: string
  @Column({ type: 'boolean', default: false }) glasses: boolean
  @Column({ name: 'hearing_aid', type: 'boolean', default: false }) hearingAid: boolean
  @Column({ name: 'health_notes', type: 'text', default: '' }) healthNotes: string
  @Column({ name: 'image_rights', type: 'boolean', default: false }) imageRights: boolean
  @Column({ name: 'leave_alone', type: 'boolean', default: false }) leaveAlone: boolean
  @Column({ type: 'text', default: '' }) outings: Consent
  @Column({ name: 'emergency_care', type: 'text', default: '' }) emergencyCare: Consent
  @Column({ name: 'link_responsable', type: 'text', default: '' }) linkResponsable: string
  @Column({ name: 'link_conjoint', type: 'text', default: '' }) linkConjoint: string
  @Column({ name: 'lives_with', type: 'text', default: '' }) livesWith: '' | 'both' | 'responsable' | 'conjoint' | 'alternate'
  @Column({ name: 'custody_notes', type: 'text', default: '' }) custodyNotes: string
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
}

/** Someone allowed to pick a child up (and, if `emergency`, to be called). */
@Entity('pickup_person')
export class PickupPersonRow {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'child_id', type: 'integer' }) childId: number
  @Column({ type: 'text' }) name: string
  @Column({ type: 'text', default: '' }) relationship: string
  @Column({ type: 'text', default: '' }) phone: string
  @Column({ type: 'boolean', default: false }) emergency: boolean
  @Column({ type: 'integer', default: 0 }) position: number
  /** Their photo (a stored file, staff only), to check who takes the child (families/pickup-photos.ts). */
  @Column({ name: 'photo_file_id', type: 'integer', nullable: true }) photoFileId: number | null
}

/** A secret part of a request's payload (a new IBAN), kept out of the payload that lists show. */
@Entity('request_secret')
export class RequestSecret {
  @PrimaryColumn({ name: 'request_id', type: 'integer' }) requestId: number
  @Column({ type: 'simple-json' }) data: Record<string, unknown>
}

/** The entities of the family file, registered in core/entities.ts (like its handlers in rpc/). */
export const familyFileEntities: Function[] = [
  FamilyFiscal,
  FamilyCaf,
  FamilyBank,
  FamilyDeparture,
  ChildFile,
  PickupPersonRow,
  RequestSecret
]
