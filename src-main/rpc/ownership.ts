import type { EntityManager } from 'typeorm'
import { Child, Person } from '../families/entities'
import { FamilyRequest } from '../requests/entities'
import { enrolmentFamily } from '../activities/ownership'
import { bookingFamily } from '../bookings/ownership'
import { familyFileOwnership } from '../families/ownership'
import { Invoice } from '../billing/entities'

/**
 * For each entity a portal input can point at, how to find the family that
 * owns a given id. The portal dispatcher refuses any id whose owner is not
 * the caller's family; later modules add their entities here.
 */
export const ownershipResolvers: Record<string, (m: EntityManager, id: number) => Promise<number | null>> = {
  child: async (m, id) => (await m.findOneBy(Child, { id }))?.familyId ?? null,
  person: async (m, id) => (await m.findOneBy(Person, { id }))?.familyId ?? null,
  request: async (m, id) => (await m.findOneBy(FamilyRequest, { id }))?.familyId ?? null,
  enrolment: enrolmentFamily,
  booking: bookingFamily,
  ...familyFileOwnership,
  invoice: async (m, id) => (await m.findOneBy(Invoice, { id }))?.familyId ?? null
}
