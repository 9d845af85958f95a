import { foundationPortalProcedures } from './portal-foundation'
import { familyFilePortalProcedures } from './portal-family-file'
import { activitiesPortalProcedures } from './portal-activities'
import { bookingsPortalProcedures } from './portal-bookings'
import { billingPortalProcedures } from './portal-billing'
import { contactPortalProcedures } from './portal-contact'
import { agendaPortalProcedures } from './portal-agenda'
import { householdsPortalProcedures } from './portal-households'

export type { PortalUserDto } from './portal-foundation'

/**
 * Family portal API, served only on the portal listener. Every procedure that
 * is not `public` runs for the caller's family; `owns` lists the input ids
 * the dispatcher checks against that family.
 */
export const portalProcedures = {
  ...foundationPortalProcedures,
  ...familyFilePortalProcedures,
  ...activitiesPortalProcedures,
  ...bookingsPortalProcedures,
  ...billingPortalProcedures,
  ...contactPortalProcedures,
  ...agendaPortalProcedures,
  ...householdsPortalProcedures
}

export type PortalProcedures = typeof portalProcedures
export type PortalProcedureName = keyof PortalProcedures
