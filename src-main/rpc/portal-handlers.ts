import { foundationPortalHandlers } from './portal-foundation'
import { familyFilePortalHandlers } from './portal-family-file'
import { activitiesPortalHandlers } from './portal-activities'
import { bookingsPortalHandlers } from './portal-bookings'
import { billingPortalHandlers } from './portal-billing'
import { contactPortalHandlers } from './portal-contact'
import { agendaPortalHandlers } from './portal-agenda'
import { householdsPortalHandlers } from './portal-households'
import type { PortalHandlers } from './types'

/** Every portal procedure's handler; the type makes a missing one a compile error. */
export const portalHandlers: PortalHandlers = {
  ...foundationPortalHandlers,
  ...familyFilePortalHandlers,
  ...activitiesPortalHandlers,
  ...bookingsPortalHandlers,
  ...billingPortalHandlers,
  ...contactPortalHandlers,
  ...agendaPortalHandlers,
  ...householdsPortalHandlers
}
