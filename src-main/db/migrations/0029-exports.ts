import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Commune-wide direct-debit files in short transactions (issue 19). A
 * pain.008 file is written to disk (data directory, `exports/`) instead of a
 * TEXT column, and its debits are recorded in chunks:
 * - `state` 'preparing': the export row and its items are being written; no
 *   invoice, payment or mandate is touched yet (killed here, it is discarded);
 * - 'marking': the file is complete on disk; the items are turned into
 *   payments, collections, marked invoices, chunk by chunk (killed here, the
 *   next export or preview finishes it);
 * - 'done': as every export before this migration.
 * `sepa_export_item` holds each debit as planned, so marking resumes exactly.
 */
export class Exports0000000000029 implements MigrationInterface {
  name = 'Exports0000000000029'

  async up(q: QueryRunner): Promise<void> {
    for (const s of [
      `ALTER TABLE sepa_export ADD COLUMN state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('preparing','marking','done'))`,
      `ALTER TABLE sepa_export ADD COLUMN file_name TEXT`,
      `CREATE TABLE sepa_export_item (
        export_id INTEGER NOT NULL REFERENCES sepa_export(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        data TEXT NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (export_id, idx))`
    ]) await q.query(s)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sepa_export_item')
    await q.query('ALTER TABLE sepa_export DROP COLUMN file_name')
    await q.query('ALTER TABLE sepa_export DROP COLUMN state')
  }
}
