import { Activity, ActivityGroup, ActivityPeriod, ActivityType, Capacity, Enrolment, Facility, Unit, UnitExclusion } from '../activities/entities'
import { Closure, SchoolHoliday } from '../calendar/entities'
import { Booking } from '../bookings/entities'

/** Entities of issue #4, registered in entities.ts. `Booking` lives in bookings/ because #5 extends it. */
export const activitiesEntities: Function[] = [
  Facility,
  ActivityType,
  Activity,
  ActivityPeriod,
  ActivityGroup,
  Unit,
  UnitExclusion,
  Capacity,
  Enrolment,
  Closure,
  SchoolHoliday,
  Booking
]
