import type { EntityManager } from 'typeorm'
import { Person } from '../families/entities'
import { FamilyRequest } from '../requests/entities'
import { enrolmentFamily } from '../activities/ownership'
import { bookingFamily } from '../bookings/ownership'
import { familyFileOwnership } from '../families/ownership'
import { Invoice } from '../billing/entities'
import { childHouseholds } from '../families/households'
import { PortalAccount, PortalInvitation } from '../accounts/entities'

/** A resolver's answer: the owning family, the households of a shared child, or null (no such row). */
export type Owners = number | readonly number[] | null
export const ownerIds = (o: Owners): readonly number[] => (o === null ? [] : typeof o === 'number' ? [o] : o)

/**
 * For each entity a portal input can point at, how to find the family that
 * owns a given id. The portal dispatcher refuses any id whose owner is not
 * the caller's family (or, for a shared child, one of its households); later
 * modules add their entities here.
 */
export const ownershipResolvers: Record<string, (m: EntityManager, id: number) => Promise<Owners>> = {
  /** A shared child belongs to both its households (its common file); what each household did with it is its own. */
  child: async (m, id) => childHouseholds(m, id),
  person: async (m, id) => (await m.findOneBy(Person, { id }))?.familyId ?? null,
  request: async (m, id) => (await m.findOneBy(FamilyRequest, { id }))?.familyId ?? null,
  enrolment: enrolmentFamily,
  booking: bookingFamily,
  ...familyFileOwnership,
  invoice: async (m, id) => (await m.findOneBy(Invoice, { id }))?.familyId ?? null,
  /** Another adult's login of the household, and its invitations (accounts/logins.ts). */
  portal_account: async (m, id) => (await m.findOneBy(PortalAccount, { id }))?.familyId ?? null,
  invitation: async (m, id) => (await m.findOneBy(PortalInvitation, { id }))?.familyId ?? null
}
