import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The outbox sends each e-mail once (see mail/outbox.ts):
 * - status 'sending': claimed by the sender before any SMTP traffic;
 * - handed_at: set once the server has accepted the envelope and the whole
 *   body, just before the final "." that commits the server to deliver it;
 * - message_id: fixed at the first attempt, the same on every later one.
 * SQLite cannot change a CHECK constraint in place: the table is rebuilt
 * (foreign keys are off during migrations; broadcast_mail keeps pointing at
 * "outbox_mail" by name).
 */
export class OutboxSending0000000000011 implements MigrationInterface {
  name = 'OutboxSending0000000000011'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE outbox_mail_new (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient TEXT NOT NULL, subject TEXT NOT NULL, text_body TEXT NOT NULL, html_body TEXT,
        attachments TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL CHECK (status IN ('pending','sending','sent','failed')),
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, last_error TEXT,
        created_at TEXT NOT NULL, sent_at TEXT,
        message_id TEXT, handed_at TEXT)`)
    await q.query(`INSERT INTO outbox_mail_new (id, recipient, subject, text_body, html_body, attachments, status, attempts, next_attempt_at, last_error, created_at, sent_at)
        SELECT id, recipient, subject, text_body, html_body, attachments, status, attempts, next_attempt_at, last_error, created_at, sent_at FROM outbox_mail`)
    await q.query(`DROP TABLE outbox_mail`)
    await q.query(`ALTER TABLE outbox_mail_new RENAME TO outbox_mail`)
    await q.query(`CREATE INDEX outbox_due ON outbox_mail(status, next_attempt_at)`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE outbox_mail_old (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient TEXT NOT NULL, subject TEXT NOT NULL, text_body TEXT NOT NULL, html_body TEXT,
        attachments TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL CHECK (status IN ('pending','sent','failed')),
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, last_error TEXT,
        created_at TEXT NOT NULL, sent_at TEXT)`)
    await q.query(`INSERT INTO outbox_mail_old (id, recipient, subject, text_body, html_body, attachments, status, attempts, next_attempt_at, last_error, created_at, sent_at)
        SELECT id, recipient, subject, text_body, html_body, attachments, CASE status WHEN 'sending' THEN 'pending' ELSE status END,
               attempts, next_attempt_at, last_error, created_at, sent_at FROM outbox_mail`)
    await q.query(`DROP TABLE outbox_mail`)
    await q.query(`ALTER TABLE outbox_mail_old RENAME TO outbox_mail`)
    await q.query(`CREATE INDEX outbox_due ON outbox_mail(status, next_attempt_at)`)
  }
}
