import type { EntityManager } from 'typeorm'
import { childHouseholds } from '../families/households'

/**
 * The households owning an enrolment: those of its child, since an
 * enrolment is part of a shared child's common file (issue 16).
 */
export async function enrolmentFamily(m: EntityManager, id: number): Promise<number[] | null> {
  const [row] = await m.query(`SELECT child_id AS childId FROM enrolment WHERE id = ?`, [id])
  return row ? childHouseholds(m, Number(row.childId)) : null
}
