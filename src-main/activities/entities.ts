import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm'
import { RecordVersion } from '../db/version-column'

export type ActivityKind = 'periscolaire' | 'mercredi' | 'vacances' | 'restauration' | 'petite-enfance'
export type OpeningRule = 'school-days' | 'wednesdays' | 'holiday-weekdays' | 'weekdays'
export type ValidationMode = 'auto' | 'staff'
export type EnrolmentStatus = 'pending' | 'validated' | 'waiting' | 'refused' | 'ended' | 'pre-enrolment'

/** Équipement / structure: "Accueil périscolaire", "Centre de loisirs"… */
@Entity('facility')
export class Facility {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text' }) name: string
  @Column({ type: 'boolean', default: true }) active: boolean
  @Column({ type: 'integer', default: 0 }) sort: number
  @RecordVersion() version: number
}

@Entity('activity_type')
export class ActivityType {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'facility_id', type: 'integer' }) facilityId: number
  @Column({ type: 'text' }) name: string
  @Column({ type: 'text' }) kind: ActivityKind
  @RecordVersion() version: number
}

@Entity('activity')
export class Activity {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'activity_type_id', type: 'integer' }) activityTypeId: number
  @Column({ type: 'text' }) name: string
  @Column({ name: 'opening_rule', type: 'text' }) openingRule: OpeningRule
  @Column({ type: 'text', default: 'staff' }) validation: ValidationMode
  /** An accepted enrolment books every opening day of the period (ALAE in the 003 guide). */
  @Column({ name: 'auto_book', type: 'boolean', default: false }) autoBook: boolean
  /** Families may propose a typical week (weekday × unit) with their request. */
  @Column({ name: 'typical_week', type: 'boolean', default: false }) typicalWeek: boolean
  @Column({ type: 'boolean', default: true }) active: boolean
  @Column({ type: 'text', default: '' }) description: string
  @RecordVersion() version: number
}

@Entity('activity_period')
export class ActivityPeriod {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'activity_id', type: 'integer' }) activityId: number
  @Column({ type: 'text' }) name: string
  @Column({ name: 'start_date', type: 'text' }) startDate: string
  @Column({ name: 'end_date', type: 'text' }) endDate: string
  /** Enrolment window, inclusive days. */
  @Column({ name: 'window_start', type: 'text' }) windowStart: string
  @Column({ name: 'window_end', type: 'text' }) windowEnd: string
  @RecordVersion() version: number
}

@Entity('activity_group')
export class ActivityGroup {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'activity_id', type: 'integer' }) activityId: number
  @Column({ type: 'text' }) name: string
  /** Age in whole years on the first day of the period; null = no bound. */
  @Column({ name: 'age_min', type: 'integer', nullable: true }) ageMin: number | null
  @Column({ name: 'age_max', type: 'integer', nullable: true }) ageMax: number | null
  /** '' or a comma list of school levels (PS,MS,GS,CP,CE1…). */
  @Column({ type: 'text', default: '' }) levels: string
  /** Enrolment places; null = the smallest default unit capacity of the group (none = unlimited). */
  @Column({ type: 'integer', nullable: true }) places: number | null
  @RecordVersion() version: number
}

/** Unité de consommation. */
@Entity('unit')
export class Unit {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'activity_id', type: 'integer' }) activityId: number
  @Column({ type: 'text' }) name: string
  @Column({ name: 'start_time', type: 'text' }) startTime: string
  @Column({ name: 'end_time', type: 'text' }) endTime: string
  /** Placeholder price used by bookings until billing's tariffs exist. */
  @Column({ name: 'price_cents', type: 'integer', default: 0 }) priceCents: number
  @Column({ type: 'integer', default: 0 }) sort: number
  /** The unit includes a meal: counted on the kitchen sheet (per diet, PAI named). */
  @Column({ type: 'boolean', default: false }) meal: boolean
  @RecordVersion() version: number
}

/** Stored both ways (a,b) and (b,a) so a lookup by either unit is one index read. */
@Entity('unit_exclusion')
export class UnitExclusion {
  @PrimaryColumn({ name: 'unit_id', type: 'integer' }) unitId: number
  @PrimaryColumn({ name: 'excluded_unit_id', type: 'integer' }) excludedUnitId: number
}

@Entity('capacity')
export class Capacity {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'group_id', type: 'integer' }) groupId: number
  @Column({ name: 'unit_id', type: 'integer' }) unitId: number
  @Column({ type: 'integer' }) places: number
  /** null = default; a day = exception for that date. */
  @Column({ type: 'text', nullable: true }) day: string | null
  @RecordVersion() version: number
}

export interface TypicalWeekSlot {
  weekday: number
  unitId: number
}

@Entity('enrolment')
export class Enrolment {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'child_id', type: 'integer' }) childId: number
  @Column({ name: 'activity_id', type: 'integer' }) activityId: number
  @Column({ name: 'period_id', type: 'integer' }) periodId: number
  @Column({ name: 'group_id', type: 'integer' }) groupId: number
  @Column({ type: 'text' }) status: EnrolmentStatus
  @Column({ name: 'request_id', type: 'integer', nullable: true }) requestId: number | null
  @Column({ name: 'typical_week', type: 'simple-json' }) typicalWeek: TypicalWeekSlot[]
  @Column({ type: 'text', default: '' }) memo: string
  /** Refusal reason shown to the family. */
  @Column({ type: 'text', default: '' }) reason: string
  @Column({ type: 'text', default: 'family' }) source: 'family' | 'staff'
  /** First day the enrolment applies (null = the period's first day). */
  @Column({ name: 'start_date', type: 'text', nullable: true }) startDate: string | null
  /** Waiting-list order: the rank is the position by this instant, then id. */
  @Column({ name: 'waiting_since', type: 'text', nullable: true }) waitingSince: string | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'decided_at', type: 'text', nullable: true }) decidedAt: string | null
  /** Last day of an ended enrolment. */
  @Column({ name: 'ended_on', type: 'text', nullable: true }) endedOn: string | null
}

/** The entities of activities, registered in core/entities.ts (like its handlers in rpc/). */
export const activitiesEntities: Function[] = [
  Facility,
  ActivityType,
  Activity,
  ActivityPeriod,
  ActivityGroup,
  Unit,
  UnitExclusion,
  Capacity,
  Enrolment
]
