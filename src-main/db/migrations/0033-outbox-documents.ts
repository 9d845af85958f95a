import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The invoice an e-mail carries, by reference (#19): the mass e-mail of a
 * run's invoices no longer stores each PDF (base64, ~6 KB) in its outbox row,
 * and in every backup; the sender renders it when it sends. `invoice_id` also
 * lets the batch skip the invoices it already queued, so a batch killed
 * midway and started again mails no family twice. No foreign key (SQLite
 * could not drop the column again): an issued invoice is never deleted, and
 * the sender says so clearly on the e-mail if it cannot find one.
 * `invoice_mail_batch` records a run's mass e-mail while it is queued: one
 * left 'running' by a stopped process is finished at the next start.
 */
export class OutboxDocuments0000000000033 implements MigrationInterface {
  name = 'OutboxDocuments0000000000033'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_mail ADD COLUMN invoice_id INTEGER`)
    await q.query(`CREATE INDEX outbox_mail_invoice ON outbox_mail(invoice_id) WHERE invoice_id IS NOT NULL`)
    await q.query(`CREATE TABLE invoice_mail_batch (
      run_id INTEGER PRIMARY KEY REFERENCES invoicing_run(id) ON DELETE CASCADE,
      actor TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('running','done')),
      started_at TEXT NOT NULL,
      finished_at TEXT)`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE invoice_mail_batch`)
    await q.query(`DROP INDEX outbox_mail_invoice`)
    await q.query(`ALTER TABLE outbox_mail DROP COLUMN invoice_id`)
  }
}
