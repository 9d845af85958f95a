import type { householdsStaffProcedures } from '@shared/contract/staff-households'
import { acceptCoparentLink, coparentCandidates, refuseCoparentLink } from '../families/coparent-requests'
import { requireActor, type HandlersFor, type StaffActor } from './types'

const OK = { ok: true as const }

/** Staff handlers of issue 16 (households). */
export const householdsStaffHandlers: HandlersFor<typeof householdsStaffProcedures, StaffActor | null> = {
  'coparent-request-candidates': async (i, ctx) => coparentCandidates(ctx.core, i.requestId),
  'coparent-request-accept': async (i, ctx) => {
    await acceptCoparentLink(ctx.core, requireActor(ctx), i.requestId, i.childId)
    return OK
  },
  'coparent-request-refuse': async (i, ctx) => {
    await refuseCoparentLink(ctx.core, requireActor(ctx), i.requestId, i.reason)
    return OK
  }
}
