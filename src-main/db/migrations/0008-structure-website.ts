import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The collectivité's own website: where the portal sends a family after
 * « Se déconnecter » (as the vendors' portals do), instead of its login page.
 * Empty keeps the login page.
 */
export class StructureWebsite0000000000008 implements MigrationInterface {
  name = 'StructureWebsite0000000000008'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE structure ADD COLUMN website_url TEXT NOT NULL DEFAULT ''`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE structure DROP COLUMN website_url')
  }
}
