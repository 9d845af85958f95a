import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm'
import { RecordVersion } from '../db/version-column'

/** Fermeture: a date range with a reason, for one facility, one activity, or everything (both null). */
@Entity('closure')
export class Closure {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'facility_id', type: 'integer', nullable: true }) facilityId: number | null
  @Column({ name: 'activity_id', type: 'integer', nullable: true }) activityId: number | null
  @Column({ name: 'start_date', type: 'text' }) startDate: string
  @Column({ name: 'end_date', type: 'text' }) endDate: string
  @Column({ type: 'text', default: '' }) reason: string
  @RecordVersion() version: number
}

export type HolidayKind = 'petites' | 'grandes' | 'pont'

/**
 * School holidays of one zone: from `firstDayOff` (the Saturday) to the day
 * before `backDay` (classes resume that morning). Loaded from
 * resources/calendar/ and editable in the back-office.
 */
@Entity('school_holiday')
export class SchoolHoliday {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text' }) zone: 'A' | 'B' | 'C'
  @Column({ name: 'school_year', type: 'text' }) schoolYear: string
  @Column({ type: 'text' }) name: string
  @Column({ type: 'text', default: 'petites' }) kind: HolidayKind
  @Column({ name: 'first_day_off', type: 'text' }) firstDayOff: string
  /** null when not yet published (e.g. rentrée 2027). */
  @Column({ name: 'back_day', type: 'text', nullable: true }) backDay: string | null
  @RecordVersion() version: number
}

/** The entities of the calendar, registered in core/entities.ts (like its handlers in rpc/). */
export const calendarEntities: Function[] = [
  Closure,
  SchoolHoliday
]
