import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Two authorisations of a child's file that the « fiche sanitaire » needs
 * (issue 18): outings and transport, emergency care and hospitalisation.
 * Three answers, not a box: '' means the family has not answered yet, so no
 * existing file is assumed to say yes (or no).
 */
export class ChildConsents0000000000026 implements MigrationInterface {
  name = 'ChildConsents0000000000026'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE child_file ADD COLUMN outings TEXT NOT NULL DEFAULT '' CHECK (outings IN ('', 'yes', 'no'))`)
    await q.query(`ALTER TABLE child_file ADD COLUMN emergency_care TEXT NOT NULL DEFAULT '' CHECK (emergency_care IN ('', 'yes', 'no'))`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE child_file DROP COLUMN emergency_care`)
    await q.query(`ALTER TABLE child_file DROP COLUMN outings`)
  }
}
