import type { contactPortalProcedures } from '@shared/contract/portal-contact'
import { publicContact } from '../settings/contact'
import type { FamilyActor, HandlersFor } from './types'

/** The portal's « Contact » page (public). */
export const contactPortalHandlers: HandlersFor<typeof contactPortalProcedures, FamilyActor | null> = {
  'contact-get': async (_i, ctx) => publicContact(ctx.core)
}
