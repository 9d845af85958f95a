import type { EntityManager } from 'typeorm'

/** The family owning an enrolment (through its child), for the portal's ownership check. */
export async function enrolmentFamily(m: EntityManager, id: number): Promise<number | null> {
  const [row] = await m.query(`SELECT c.family_id AS familyId FROM enrolment e JOIN child c ON c.id = e.child_id WHERE e.id = ?`, [id])
  return row ? Number(row.familyId) : null
}
