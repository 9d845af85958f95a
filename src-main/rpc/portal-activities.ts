import type { activitiesPortalProcedures } from '@shared/contract/portal-activities'
import type { FamilyActor, HandlersFor } from './types'

/** Portal handlers of issue #4. */
export const activitiesPortalHandlers: HandlersFor<typeof activitiesPortalProcedures, FamilyActor | null> = {}
