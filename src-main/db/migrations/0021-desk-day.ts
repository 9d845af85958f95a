import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The desk's day (#18):
 * - demo_mail: what the demo's built-in mail catcher (mail/catcher.ts)
 *   received, as sent (the raw RFC 5322 message); the « Boîte de
 *   démonstration » parses it when a message is opened. Empty outside demos.
 * - unit.meal: the unit includes a meal, for the kitchen sheet. Set here for
 *   the units of restauration activities and the units named with a meal
 *   (« repas », « déjeuner », « cantine »…, not « sans repas »); the
 *   direction corrects it in Activités.
 */
export class DeskDay0000000000021 implements MigrationInterface {
  name = 'DeskDay0000000000021'

  async up(q: QueryRunner): Promise<void> {
    for (const s of [
      `CREATE TABLE demo_mail (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        received_at TEXT NOT NULL,
        sender TEXT NOT NULL DEFAULT '',
        recipients TEXT NOT NULL DEFAULT '',
        subject TEXT NOT NULL DEFAULT '',
        attachment_count INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL,
        raw BLOB NOT NULL)`,
      `ALTER TABLE unit ADD COLUMN meal INTEGER NOT NULL DEFAULT 0`,
      `UPDATE unit SET meal = 1
        WHERE activity_id IN (SELECT a.id FROM activity a JOIN activity_type t ON t.id = a.activity_type_id WHERE t.kind = 'restauration')
           OR ((lower(name) LIKE '%repas%' OR lower(name) LIKE '%déjeuner%' OR lower(name) LIKE '%dejeuner%' OR lower(name) LIKE '%cantine%')
               AND lower(name) NOT LIKE '%sans repas%')`
    ]) {
      await q.query(s)
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE unit DROP COLUMN meal')
    await q.query('DROP TABLE demo_mail')
  }
}
