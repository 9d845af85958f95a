import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm'

export type FamilyStatus = 'pending' | 'active' | 'archived' | 'refused'

/** A household ("foyer"). `number` is the N° famille shown to families and on invoices. */
@Entity('family')
export class Family {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'integer', unique: true }) number: number
  @Column({ type: 'text' }) status: FamilyStatus
  @Column({ type: 'text', default: '' }) address: string
  @Column({ name: 'postal_code', type: 'text', default: '' }) postalCode: string
  @Column({ type: 'text', default: '' }) city: string
  @Column({ type: 'text', default: '' }) notes: string
  /** Normalised names, e-mails, phones and number: what the family search scans. */
  @Column({ name: 'search_text', type: 'text', default: '' }) searchText: string
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
}

export type PersonRole = 'responsable' | 'conjoint'

@Entity('person')
export class Person {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ type: 'text' }) role: PersonRole
  @Column({ type: 'text', default: '' }) civility: '' | 'M.' | 'Mme'
  @Column({ name: 'last_name', type: 'text' }) lastName: string
  @Column({ name: 'first_name', type: 'text' }) firstName: string
  @Column({ name: 'birth_date', type: 'text', nullable: true }) birthDate: string | null
  @Column({ type: 'text', default: '' }) quality: string
  @Column({ type: 'text', default: '' }) situation: string
  @Column({ type: 'text', default: '' }) address: string
  @Column({ name: 'postal_code', type: 'text', default: '' }) postalCode: string
  @Column({ type: 'text', default: '' }) city: string
  @Column({ name: 'phone_mobile', type: 'text', default: '' }) phoneMobile: string
  @Column({ name: 'phone_home', type: 'text', default: '' }) phoneHome: string
  @Column({ name: 'phone_work', type: 'text', default: '' }) phoneWork: string
  @Column({ type: 'text', default: '' }) email: string
  @Column({ type: 'text', default: '' }) profession: string
  @Column({ type: 'text', default: '' }) employer: string
  @Column({ name: 'employer_address', type: 'text', default: '' }) employerAddress: string
  @Column({ type: 'text', default: '' }) csp: string
  @Column({ name: 'consent_email', type: 'boolean', default: true }) consentEmail: boolean
  @Column({ name: 'consent_sms', type: 'boolean', default: false }) consentSms: boolean
}

@Entity('child')
export class Child {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ name: 'last_name', type: 'text' }) lastName: string
  @Column({ name: 'first_name', type: 'text' }) firstName: string
  @Column({ name: 'birth_date', type: 'text' }) birthDate: string
  @Column({ type: 'text', default: '' }) sex: '' | 'F' | 'M'
  @Column({ type: 'text', default: '' }) school: string
  @Column({ type: 'text', default: '' }) grade: string
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

/** The entities of families, registered in core/entities.ts (like its handlers in rpc/). */
export const familiesEntities: Function[] = [
  Family,
  Person,
  Child
]
