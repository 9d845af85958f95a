import type { systemStaffProcedures } from '@shared/contract/staff-system'
import { systemHealth } from '../system/health'
import type { HandlersFor, StaffActor } from './types'

/** Staff handlers of the system capability (« État du système »). */
export const systemStaffHandlers: HandlersFor<typeof systemStaffProcedures, StaffActor | null> = {
  'system-health': (_i, ctx) => systemHealth(ctx.core)
}
