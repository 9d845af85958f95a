import type { bookingsStaffProcedures } from '@shared/contract/staff-bookings'
import type { StaffActor, HandlersFor } from './types'

/** Staff handlers of issue #5. */
export const bookingsStaffHandlers: HandlersFor<typeof bookingsStaffProcedures, StaffActor | null> = {}
