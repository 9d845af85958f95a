import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * One payment per debt (issue #12 §4):
 * - which provider took an online order (Systempay or PayFiP, real or simulated) and its reference there (PayFiP idOp);
 * - `online_payment_invoice`: the invoices of each order, with a partial unique index so that an invoice is in at
 *   most one open order (a second « Payer » reuses or withdraws the first, never adds a second one);
 * - `payment.review`: money received for invoices already paid stays as the family's credit, marked 'to-check' for
 *   the accountant, and is not applied to other invoices until checked.
 * online_payment.status keeps its CHECK (a table rebuild cannot run with foreign keys on inside the migration's
 * transaction): a withdrawn order is `cancelled_at` set, status still 'pending' at the provider.
 */
export class OnePaymentPerDebt0000000000015 implements MigrationInterface {
  name = 'OnePaymentPerDebt0000000000015'

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      `ALTER TABLE online_payment ADD COLUMN provider TEXT NOT NULL DEFAULT 'systempay' CHECK (provider IN ('systempay','payfip'))`,
      `ALTER TABLE online_payment ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0`,
      `ALTER TABLE online_payment ADD COLUMN provider_ref TEXT NOT NULL DEFAULT ''`,
      `ALTER TABLE online_payment ADD COLUMN cancelled_at TEXT`,
      `ALTER TABLE online_payment ADD COLUMN replaced_by INTEGER REFERENCES online_payment(id)`,
      `CREATE INDEX online_payment_provider_ref ON online_payment(provider, provider_ref) WHERE provider_ref <> ''`,
      `CREATE TABLE online_payment_invoice (
        online_payment_id INTEGER NOT NULL REFERENCES online_payment(id),
        invoice_id INTEGER NOT NULL REFERENCES invoice(id),
        open INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)),
        PRIMARY KEY (online_payment_id, invoice_id))`,
      `CREATE UNIQUE INDEX online_payment_invoice_open ON online_payment_invoice(invoice_id) WHERE open = 1`,
      // Orders taken before this version: their simulator pages are gone, so none of them can be resumed.
      `INSERT INTO online_payment_invoice (online_payment_id, invoice_id, open)
         SELECT DISTINCT o.id, j.value, 0 FROM online_payment o, json_each(o.invoice_ids) j`,
      `ALTER TABLE payment ADD COLUMN review TEXT NOT NULL DEFAULT '' CHECK (review IN ('', 'to-check', 'checked'))`,
      `ALTER TABLE payment ADD COLUMN review_note TEXT NOT NULL DEFAULT ''`,
      `CREATE INDEX payment_review ON payment(review) WHERE review = 'to-check'`
    ]) {
      await q.query(sql)
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of [
      'DROP INDEX payment_review',
      'ALTER TABLE payment DROP COLUMN review_note',
      'ALTER TABLE payment DROP COLUMN review',
      'DROP TABLE online_payment_invoice',
      'DROP INDEX online_payment_provider_ref',
      'ALTER TABLE online_payment DROP COLUMN replaced_by',
      'ALTER TABLE online_payment DROP COLUMN cancelled_at',
      'ALTER TABLE online_payment DROP COLUMN provider_ref',
      'ALTER TABLE online_payment DROP COLUMN simulated',
      'ALTER TABLE online_payment DROP COLUMN provider'
    ]) {
      await q.query(sql)
    }
  }
}
