import type { bookingsPortalProcedures } from '@shared/contract/portal-bookings'
import type { FamilyActor, HandlersFor } from './types'

/** Portal handlers of issue #5. */
export const bookingsPortalHandlers: HandlersFor<typeof bookingsPortalProcedures, FamilyActor | null> = {}
