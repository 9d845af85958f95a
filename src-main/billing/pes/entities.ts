import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm'

/** A product code and budget nature for an activity or a tariff (the tariff wins). */
export interface PesProduct {
  kind: 'activity' | 'tariff'
  refId: number
  code: string
  nature: string
}

/** The régie as the Trésor public (Hélios) knows it. */
@Entity('regie_pes')
export class RegiePes {
  @PrimaryColumn({ name: 'regie_id', type: 'integer' }) regieId: number
  @Column({ type: 'boolean', default: false }) enabled: boolean
  @Column({ type: 'text', default: '' }) collectivite: string
  @Column({ type: 'text', default: '' }) siret: string
  /** Poste comptable (IdPost). */
  @Column({ type: 'text', default: '' }) poste: string
  @Column({ name: 'cod_col', type: 'text', default: '' }) codCol: string
  @Column({ name: 'cod_bud', type: 'text', default: '' }) codBud: string
  @Column({ name: 'default_product', type: 'text', default: '' }) defaultProduct: string
  @Column({ name: 'default_nature', type: 'text', default: '' }) defaultNature: string
  @Column({ type: 'simple-json' }) products: PesProduct[]
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
}

@Entity('pes_bordereau')
export class PesBordereau {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'regie_id', type: 'integer' }) regieId: number
  @Column({ name: 'run_id', type: 'integer', nullable: true }) runId: number | null
  @Column({ type: 'text' }) kind: 'ormc' | 'reduction'
  @Column({ type: 'text' }) siret: string
  @Column({ name: 'cod_col', type: 'text' }) codCol: string
  @Column({ name: 'cod_bud', type: 'text' }) codBud: string
  @Column({ type: 'integer' }) exer: number
  @Column({ name: 'id_bord', type: 'integer' }) idBord: number
  @Column({ name: 'typ_bord', type: 'text' }) typBord: string
  @Column({ name: 'bord_date', type: 'text' }) bordDate: string
  @Column({ name: 'piece_count', type: 'integer' }) pieceCount: number
  @Column({ name: 'total_cents', type: 'integer' }) totalCents: number
  @Column({ name: 'file_name', type: 'text' }) fileName: string
  @Column({ type: 'text' }) xml: string
  @Column({ type: 'text', default: 'generated' }) status: 'generated' | 'sent'
  @Column({ name: 'sent_at', type: 'text', nullable: true }) sentAt: string | null
  @Column({ name: 'sent_by', type: 'integer', nullable: true }) sentBy: number | null
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

export interface PesTitreLine {
  idLigne: number
  label: string
  code: string
  nature: string
  cents: number
}

@Entity('pes_titre')
export class PesTitre {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'bordereau_id', type: 'integer' }) bordereauId: number
  @Column({ name: 'invoice_id', type: 'integer' }) invoiceId: number
  @Column({ name: 'credit_note_id', type: 'integer', nullable: true }) creditNoteId: number | null
  @Column({ name: 'orig_titre_id', type: 'integer', nullable: true }) origTitreId: number | null
  @Column({ type: 'integer' }) exer: number
  @Column({ name: 'id_pce', type: 'integer' }) idPce: number
  @Column({ name: 'num_dette', type: 'text', default: '' }) numDette: string
  @Column({ name: 'amount_cents', type: 'integer' }) amountCents: number
  @Column({ type: 'simple-json' }) lines: PesTitreLine[]
  @Column({ name: 'mandate_id', type: 'integer', nullable: true }) mandateId: number | null
  @Column({ type: 'text', nullable: true }) sequence: 'OOFF' | 'FRST' | 'RCUR' | 'FNAL' | null
}

export const PES_ENTITY_LIST = [RegiePes, PesBordereau, PesTitre]
