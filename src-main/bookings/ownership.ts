import type { EntityManager } from 'typeorm'
import { dbOf, stmt } from './sql'

/** The household that made a booking (issue 16: a shared child's bookings are each household's own). */
export async function bookingFamily(m: EntityManager, id: number): Promise<number | null> {
  const r = stmt(dbOf(m), 'SELECT family_id AS familyId FROM booking WHERE id = ?').get(id) as { familyId: number | null } | undefined
  return r?.familyId ?? null
}
