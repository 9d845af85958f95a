import type { familyFileStaffProcedures } from '@shared/contract/staff-family-file'
import type { StaffActor, HandlersFor } from './types'

/** Staff handlers of issue #3. */
export const familyFileStaffHandlers: HandlersFor<typeof familyFileStaffProcedures, StaffActor | null> = {}
