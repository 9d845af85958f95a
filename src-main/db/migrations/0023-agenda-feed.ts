import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * A family's secret agenda feed (issue 18): one row per family. The URL's
 * token is never stored: only its SHA-256 (for the lookup) and the random
 * seed it is derived from with the installation secret (kept outside the
 * database), so a copied database alone opens no feed. Regenerating replaces
 * the row, which kills the old URL at once.
 */
export class AgendaFeed0000000000023 implements MigrationInterface {
  name = 'AgendaFeed0000000000023'

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE agenda_feed (
        family_id INTEGER PRIMARY KEY REFERENCES family(id) ON DELETE CASCADE,
        seed TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        created_by INTEGER REFERENCES portal_account(id) ON DELETE SET NULL)`
    )
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agenda_feed`)
  }
}
