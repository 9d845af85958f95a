import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The portal's « Contact » page: opening hours per service (« Accueil
 * périscolaire : lundi, mardi, jeudi, vendredi 7h30-18h30 ») and the
 * structure's other phone lines (cantine, centre de loisirs…), each a JSON
 * list edited in Paramètres → Structure. The address, main phone and e-mail
 * were already there.
 */
export class StructureContact0000000000017 implements MigrationInterface {
  name = 'StructureContact0000000000017'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE structure ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '[]'`)
    await q.query(`ALTER TABLE structure ADD COLUMN contact_phones TEXT NOT NULL DEFAULT '[]'`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE structure DROP COLUMN contact_phones')
    await q.query('ALTER TABLE structure DROP COLUMN opening_hours')
  }
}
