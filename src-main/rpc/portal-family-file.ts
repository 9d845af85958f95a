import type { familyFilePortalProcedures } from '@shared/contract/portal-family-file'
import type { FamilyActor, HandlersFor } from './types'

/** Portal handlers of issue #3. */
export const familyFilePortalHandlers: HandlersFor<typeof familyFilePortalProcedures, FamilyActor | null> = {}
