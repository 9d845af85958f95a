import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The streamed invoicing run (#19): invoices are prepared family by family in
 * staging tables, in short transactions, then published in one step that
 * numbers them. Nothing here is visible to families or accountants; a run
 * killed midway leaves only these rows, which « Émettre » resumes and
 * « Abandonner » deletes.
 * - `invoice_stage_run`: at most one run being prepared per régie, and how far it got;
 * - `invoice_stage`, `invoice_stage_line`, `invoice_stage_booking`: a family's
 *   invoice, its lines and the bookings it bills (or that an earlier flat covers),
 *   keyed by N° famille: the order of the invoice numbers, so publication copies
 *   the lines in the order of their invoices without sorting;
 * - `invoice_stage_dirty`: families whose data changed while a run is being
 *   prepared (filled by triggers, only while a staged run exists), restaged
 *   before publication so what is issued is what the database says then.
 */
const DIRTY_TRIGGERS: [name: string, table: string, event: string, familyOf: string][] = [
  ['booking_ins', 'booking', 'INSERT', '(SELECT family_id FROM child WHERE id = NEW.child_id)'],
  ['booking_upd', 'booking', 'UPDATE', '(SELECT family_id FROM child WHERE id = NEW.child_id)'],
  ['booking_del', 'booking', 'DELETE', '(SELECT family_id FROM child WHERE id = OLD.child_id)'],
  ['billed_booking_del', 'billed_booking', 'DELETE', '(SELECT family_id FROM invoice WHERE id = OLD.invoice_id)'],
  ['billed_flat_del', 'billed_flat', 'DELETE', '(SELECT family_id FROM invoice WHERE id = OLD.invoice_id)'],
  ['adjustment_ins', 'billing_adjustment', 'INSERT', 'NEW.family_id'],
  ['adjustment_upd', 'billing_adjustment', 'UPDATE', 'NEW.family_id'],
  ['adjustment_del', 'billing_adjustment', 'DELETE', 'OLD.family_id'],
  ['caf_ins', 'family_caf', 'INSERT', 'NEW.family_id'],
  ['caf_upd', 'family_caf', 'UPDATE', 'NEW.family_id'],
  ['family_upd', 'family', 'UPDATE', 'NEW.id'],
  ['person_upd', 'person', 'UPDATE', 'NEW.family_id'],
  ['child_upd', 'child', 'UPDATE', 'NEW.family_id']
]

export class InvoiceStaging0000000000022 implements MigrationInterface {
  name = 'InvoiceStaging0000000000022'

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      `CREATE TABLE invoice_stage_run (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        regie_id INTEGER NOT NULL UNIQUE REFERENCES regie(id),
        month TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        backup_name TEXT NOT NULL DEFAULT '',
        cursor_number INTEGER NOT NULL DEFAULT 0,
        staged INTEGER NOT NULL DEFAULT 0,
        dirty_seen INTEGER NOT NULL DEFAULT 0,
        published_run_id INTEGER REFERENCES invoicing_run(id),
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL)`,
      `CREATE TABLE invoice_stage (
        stage_id INTEGER NOT NULL REFERENCES invoice_stage_run(id),
        family_id INTEGER NOT NULL,
        family_number INTEGER NOT NULL,
        total_cents INTEGER NOT NULL,
        line_count INTEGER NOT NULL,
        snapshot TEXT NOT NULL,
        will_issue INTEGER NOT NULL,
        PRIMARY KEY (stage_id, family_number)) WITHOUT ROWID`,
      `CREATE TABLE invoice_stage_line (
        stage_id INTEGER NOT NULL,
        family_number INTEGER NOT NULL,
        sort INTEGER NOT NULL,
        kind TEXT NOT NULL, child_id INTEGER, child_name TEXT NOT NULL, activity_id INTEGER, activity_name TEXT NOT NULL,
        unit_id INTEGER, label TEXT NOT NULL, day TEXT, quantity INTEGER NOT NULL, quantity_label TEXT NOT NULL,
        unit_price_cents INTEGER NOT NULL, amount_cents INTEGER NOT NULL, booking_id INTEGER, booking_state TEXT,
        tariff_id INTEGER, bracket TEXT NOT NULL, explanation_no INTEGER, meal_cents INTEGER NOT NULL,
        flat_key TEXT, adjustment_id INTEGER,
        PRIMARY KEY (stage_id, family_number, sort)) WITHOUT ROWID`,
      // Publication finds the few adjustments and flat rates without scanning every line.
      `CREATE INDEX invoice_stage_line_adjustment ON invoice_stage_line(stage_id, adjustment_id) WHERE adjustment_id IS NOT NULL`,
      `CREATE INDEX invoice_stage_line_flat ON invoice_stage_line(stage_id, flat_key) WHERE flat_key IS NOT NULL`,
      // "Why this price" texts of the run, numbered once: lines carry the number, publication maps numbers to ids.
      `CREATE TABLE invoice_stage_explanation (
        no INTEGER PRIMARY KEY AUTOINCREMENT,
        stage_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        UNIQUE (stage_id, text))`,
      // covered_by: the invoice of an earlier flat that already covers the booking (no new line).
      `CREATE TABLE invoice_stage_booking (
        stage_id INTEGER NOT NULL,
        booking_id INTEGER NOT NULL,
        family_number INTEGER NOT NULL,
        covered_by INTEGER,
        PRIMARY KEY (stage_id, booking_id)) WITHOUT ROWID`,
      `CREATE INDEX invoice_stage_booking_family ON invoice_stage_booking(stage_id, family_number)`,
      `CREATE TABLE invoice_stage_dirty (id INTEGER PRIMARY KEY AUTOINCREMENT, family_id INTEGER NOT NULL)`,
      `CREATE INDEX invoice_stage_dirty_family ON invoice_stage_dirty(family_id)`,
      ...DIRTY_TRIGGERS.map(
        ([name, table, event, familyOf]) =>
          `CREATE TRIGGER stage_dirty_${name} AFTER ${event} ON ${table} WHEN EXISTS (SELECT 1 FROM invoice_stage_run)
           BEGIN INSERT INTO invoice_stage_dirty (family_id) SELECT ${familyOf} WHERE ${familyOf} IS NOT NULL; END`
      )
    ])
      await q.query(sql)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of DIRTY_TRIGGERS) await q.query(`DROP TRIGGER stage_dirty_${name}`)
    for (const t of ['invoice_stage_dirty', 'invoice_stage_explanation', 'invoice_stage_booking', 'invoice_stage_line', 'invoice_stage', 'invoice_stage_run']) await q.query(`DROP TABLE ${t}`)
  }
}
