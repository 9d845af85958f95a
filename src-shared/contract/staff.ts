import { foundationStaffProcedures } from './staff-foundation'
import { familyFileStaffProcedures } from './staff-family-file'
import { activitiesStaffProcedures } from './staff-activities'
import { bookingsStaffProcedures } from './staff-bookings'
import { billingStaffProcedures } from './staff-billing'
import { sepaStaffProcedures } from './staff-sepa'
import { systemStaffProcedures } from './staff-system'
import { importsStaffProcedures } from './staff-imports'
import { accessStaffProcedures } from './staff-access'
import { deskStaffProcedures } from './staff-desk'
import { householdsStaffProcedures } from './staff-households'

export { ALL, DESK, DIRECTION, FAMILY_READERS } from './staff-foundation'

/**
 * Staff API: served on 127.0.0.1 (HTTP) and over Electron IPC, never on the
 * portal listener. Names are `domain-verb`; each capability keeps its own
 * file and this map only gathers them.
 */
export const staffProcedures = {
  ...foundationStaffProcedures,
  ...familyFileStaffProcedures,
  ...activitiesStaffProcedures,
  ...bookingsStaffProcedures,
  ...billingStaffProcedures,
  ...sepaStaffProcedures,
  ...systemStaffProcedures,
  ...importsStaffProcedures,
  ...accessStaffProcedures,
  ...deskStaffProcedures,
  ...householdsStaffProcedures
}

export type StaffProcedures = typeof staffProcedures
export type StaffProcedureName = keyof StaffProcedures
