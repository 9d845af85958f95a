import type { activitiesStaffProcedures } from '@shared/contract/staff-activities'
import type { StaffActor, HandlersFor } from './types'

/** Staff handlers of issue #4. */
export const activitiesStaffHandlers: HandlersFor<typeof activitiesStaffProcedures, StaffActor | null> = {}
