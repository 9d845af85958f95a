import { Column, Entity, PrimaryColumn } from 'typeorm'
import { RecordVersion } from '../db/version-column'

/** The structure's identity (one row). Shown on the portal, e-mails and invoices. */
@Entity('structure')
export class Structure {
  @PrimaryColumn({ type: 'integer' }) id: number
  @Column({ type: 'text' }) name: string
  @Column({ type: 'text', default: '' }) address: string
  @Column({ name: 'postal_code', type: 'text', default: '' }) postalCode: string
  @Column({ type: 'text', default: '' }) city: string
  @Column({ type: 'text', default: '' }) phone: string
  @Column({ type: 'text', default: '' }) email: string
  @Column({ type: 'text', nullable: true }) logo: string | null
  @Column({ type: 'text', default: '' }) siret: string
  @Column({ name: 'holiday_zone', type: 'text', default: 'B' }) holidayZone: string
  /** date-holidays region, e.g. "FR-57" for Moselle (Alsace-Moselle public holidays). */
  @Column({ name: 'holiday_region', type: 'text', default: '' }) holidayRegion: string
  @Column({ name: 'portal_url', type: 'text', default: '' }) portalUrl: string
  /** The collectivité's website: where « Se déconnecter » leads on the portal ('' = the portal's login page). */
  @Column({ name: 'website_url', type: 'text', default: '' }) websiteUrl: string
  /** Who signs the attestations fiscales, and as what (« Marie Durand », « Directrice »). */
  @Column({ name: 'signatory_name', type: 'text', default: '' }) signatoryName: string
  @Column({ name: 'signatory_role', type: 'text', default: '' }) signatoryRole: string
  /** JSON [{ service, hours }]: the portal's « Contact » page. */
  @Column({ name: 'opening_hours', type: 'text', default: '[]' }) openingHours: string
  /** JSON [{ label, phone }]: phone lines besides the main one. */
  @Column({ name: 'contact_phones', type: 'text', default: '[]' }) contactPhones: string
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
  @RecordVersion() version: number
}

/** Key/value settings stored as JSON (SMTP, portal TLS mode…). */
@Entity('setting')
export class Setting {
  @PrimaryColumn({ type: 'text' }) key: string
  @Column({ type: 'text' }) value: string
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
}

/** The entities of settings, registered in core/entities.ts (like its handlers in rpc/). */
export const settingsEntities: Function[] = [
  Structure,
  Setting
]
