import type { EntityManager } from 'typeorm'
import { dbOf, stmt } from './sql'

/** The family owning a booking (through its child), for the portal's `owns` checks. */
export async function bookingFamily(m: EntityManager, id: number): Promise<number | null> {
  const r = stmt(dbOf(m), 'SELECT c.family_id AS familyId FROM booking b JOIN child c ON c.id = b.child_id WHERE b.id = ?').get(id) as { familyId: number } | undefined
  return r?.familyId ?? null
}
