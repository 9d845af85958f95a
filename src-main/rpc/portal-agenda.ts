import type { agendaPortalProcedures } from '@shared/contract/portal-agenda'
import { getFeedLink, renewFeedLink } from '../agenda/feed-token'
import { requireActor, type FamilyActor, type HandlersFor } from './types'

/** The agenda feed link of « Mon compte ». */
export const agendaPortalHandlers: HandlersFor<typeof agendaPortalProcedures, FamilyActor | null> = {
  'agenda-feed-get': async (_i, ctx) => getFeedLink(ctx.core, requireActor(ctx).familyId),
  'agenda-feed-regenerate': async (_i, ctx) => renewFeedLink(ctx.core, requireActor(ctx))
}
