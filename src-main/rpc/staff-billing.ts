import type { billingStaffProcedures } from '@shared/contract/staff-billing'
import type { StaffActor, HandlersFor } from './types'

/** Staff handlers of issue #6. */
export const billingStaffHandlers: HandlersFor<typeof billingStaffProcedures, StaffActor | null> = {}
