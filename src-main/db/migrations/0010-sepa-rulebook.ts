import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * SEPA direct debit by the rulebook (#13).
 * - invoice.notified_on: the day the invoice (the debtor's pre-notification)
 *   was first sent, by e-mail or in the print file; the collection date keeps
 *   the pre-notification period after it.
 * - sepa_mandate.amendment: the original RUM / IBAN / bank a used mandate's
 *   next collection must declare (JSON), cleared when a file carries it.
 * - sepa_export.format: pain.008.001.02 or .08.
 * - sepa_collection: one row per transaction of a file (one per mandate),
 *   what was sent, immutable: the mandate's collection history, the
 *   EndToEndId a bank's reject refers to, and the payment it created.
 * Existing files get their rows back from their XML (one per invoice then).
 */
export class SepaRulebook0000000000010 implements MigrationInterface {
  name = 'SepaRulebook0000000000010'

  async up(q: QueryRunner): Promise<void> {
    for (const s of [
      `ALTER TABLE invoice ADD COLUMN notified_on TEXT`,
      `ALTER TABLE sepa_mandate ADD COLUMN amendment TEXT`,
      `ALTER TABLE sepa_export ADD COLUMN format TEXT NOT NULL DEFAULT 'pain.008.001.02' CHECK (format IN ('pain.008.001.02','pain.008.001.08'))`,
      `CREATE TABLE sepa_collection (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        export_id INTEGER NOT NULL REFERENCES sepa_export(id),
        mandate_id INTEGER NOT NULL REFERENCES sepa_mandate(id),
        family_id INTEGER NOT NULL REFERENCES family(id),
        payment_id INTEGER NOT NULL UNIQUE REFERENCES payment(id),
        end_to_end_id TEXT NOT NULL UNIQUE,
        sequence_type TEXT NOT NULL CHECK (sequence_type IN ('FRST','RCUR','OOFF','FNAL')),
        collection_date TEXT NOT NULL,
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        rum TEXT NOT NULL, iban TEXT NOT NULL, bic TEXT NOT NULL DEFAULT '',
        ics TEXT NOT NULL, creditor_name TEXT NOT NULL,
        amendment TEXT,
        created_at TEXT NOT NULL)`,
      `CREATE INDEX sepa_collection_mandate ON sepa_collection(mandate_id, collection_date)`,
      `CREATE INDEX sepa_collection_export ON sepa_collection(export_id)`,
      `CREATE TRIGGER sepa_collection_no_update BEFORE UPDATE ON sepa_collection
        BEGIN SELECT RAISE(ABORT, 'sepa_collection is what was sent: never changed'); END`,
      `CREATE TRIGGER sepa_collection_no_delete BEFORE DELETE ON sepa_collection
        BEGIN SELECT RAISE(ABORT, 'sepa_collection rows are never deleted'); END`,
      `CREATE INDEX payment_mode_received ON payment(mode, received_on)`
    ]) {
      await q.query(s)
    }
    await backfillCollections(q)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const s of [
      'DROP INDEX payment_mode_received',
      'DROP TABLE sepa_collection',
      'ALTER TABLE sepa_export DROP COLUMN format',
      'ALTER TABLE sepa_mandate DROP COLUMN amendment',
      'ALTER TABLE invoice DROP COLUMN notified_on'
    ]) {
      await q.query(s)
    }
  }
}

/**
 * The files written before this migration get their collection rows back from
 * their XML: one transaction per invoice then, EndToEndId = the invoice
 * number, the sequence type of its PmtInf. Exported for its test.
 */
export async function backfillCollections(q: Pick<QueryRunner, 'query'>): Promise<void> {
  const exports = (await q.query(`SELECT e.id, e.xml, e.collection_date, e.created_at, r.ics, r.creditor_name FROM sepa_export e JOIN regie r ON r.id = e.regie_id
      WHERE NOT EXISTS (SELECT 1 FROM sepa_collection c WHERE c.export_id = e.id)`)) as {
    id: number
    xml: string
    collection_date: string
    created_at: string
    ics: string
    creditor_name: string
  }[]
  for (const e of exports) {
    const seqOf = new Map<string, string>()
    for (const pi of e.xml.matchAll(/<PmtInf>([\s\S]*?)<\/PmtInf>/g)) {
      const seq = /<SeqTp>(\w{4})<\/SeqTp>/.exec(pi[1])?.[1] ?? 'RCUR'
      for (const t of pi[1].matchAll(/<EndToEndId>([^<]+)<\/EndToEndId>/g)) seqOf.set(t[1], seq)
    }
    const payments = (await q.query(
      `SELECT p.id, p.family_id, p.mandate_id, p.amount_cents, m.rum, m.iban, m.bic,
              (SELECT i.number FROM payment_allocation a JOIN invoice i ON i.id = a.invoice_id WHERE a.payment_id = p.id AND a.amount_cents > 0 ORDER BY a.id LIMIT 1) AS invoice
         FROM payment p JOIN sepa_mandate m ON m.id = p.mandate_id WHERE p.sepa_export_id = ?`,
      [e.id]
    )) as { id: number; family_id: number; mandate_id: number; amount_cents: number; rum: string; iban: string; bic: string; invoice: string | null }[]
    for (const p of payments) {
      const e2e = p.invoice ?? `P${p.id}`
      await q.query(
        `INSERT INTO sepa_collection (export_id, mandate_id, family_id, payment_id, end_to_end_id, sequence_type, collection_date, amount_cents, rum, iban, bic, ics, creditor_name, amendment, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
        [e.id, p.mandate_id, p.family_id, p.id, e2e, seqOf.get(e2e) ?? 'RCUR', e.collection_date, p.amount_cents, p.rum, p.iban, p.bic, e.ics, e.creditor_name, e.created_at]
      )
    }
  }
}
