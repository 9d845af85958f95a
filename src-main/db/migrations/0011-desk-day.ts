import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The desk's day (#18):
 * - demo_mail: what the demo's built-in mail catcher (mail/catcher.ts)
 *   received, as sent (the raw RFC 5322 message); the « Boîte de
 *   démonstration » parses it when a message is opened. Empty outside demos.
 */
export class DeskDay0000000000011 implements MigrationInterface {
  name = 'DeskDay0000000000011'

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
        raw BLOB NOT NULL)`
    ]) {
      await q.query(s)
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE demo_mail')
  }
}
