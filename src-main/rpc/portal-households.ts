import type { householdsPortalProcedures } from '@shared/contract/portal-households'
import { requestCoparentLink } from '../families/coparent-requests'
import { requireActor, type FamilyActor, type HandlersFor } from './types'

/** Portal handlers of issue 16 (households). */
export const householdsPortalHandlers: HandlersFor<typeof householdsPortalProcedures, FamilyActor | null> = {
  'coparent-request': async (i, ctx) => requestCoparentLink(ctx.core, requireActor(ctx), i)
}
