import type { billingPortalProcedures } from '@shared/contract/portal-billing'
import type { FamilyActor, HandlersFor } from './types'

/** Portal handlers of issue #6. */
export const billingPortalHandlers: HandlersFor<typeof billingPortalProcedures, FamilyActor | null> = {}
