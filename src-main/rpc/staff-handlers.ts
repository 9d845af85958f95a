import { foundationStaffHandlers } from './staff-foundation'
import { familyFileStaffHandlers } from './staff-family-file'
import { activitiesStaffHandlers } from './staff-activities'
import { bookingsStaffHandlers } from './staff-bookings'
import { billingStaffHandlers } from './staff-billing'
import { sepaStaffHandlers } from './staff-sepa'
import { systemStaffHandlers } from './staff-system'
import { importsStaffHandlers } from './staff-imports'
import { accessStaffHandlers } from './staff-access'
import { deskStaffHandlers } from './staff-desk'
import { householdsStaffHandlers } from './staff-households'
import type { StaffHandlers } from './types'

/** Every staff procedure's handler; the type makes a missing one a compile error. */
export const staffHandlers: StaffHandlers = {
  ...foundationStaffHandlers,
  ...familyFileStaffHandlers,
  ...activitiesStaffHandlers,
  ...bookingsStaffHandlers,
  ...billingStaffHandlers,
  ...sepaStaffHandlers,
  ...systemStaffHandlers,
  ...importsStaffHandlers,
  ...accessStaffHandlers,
  ...deskStaffHandlers,
  ...householdsStaffHandlers
}
