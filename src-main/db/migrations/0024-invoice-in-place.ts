import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Invoices written in place while a run is prepared, published by flipping
 * one flag (#19). The publication of 0022 copied a city's month (880,000
 * lines) in one transaction; now the staging chunks write the real invoice,
 * line, billed-booking and billed-flat rows, under an `invoicing_run` whose
 * `published` is 0, and the publication numbers them in short chunks, then
 * sets `published = 1` in one tiny transaction.
 *
 * So that no reader can forget the flag, the table is renamed `invoice_row`
 * and `invoice` becomes a VIEW of the invoices of published runs (and of
 * invoices without a run). Every existing `FROM invoice` / `JOIN invoice` and
 * the TypeORM entity read the view unchanged; only the run's own code writes
 * `invoice_row`. Updates and deletes through the view are forwarded to the
 * table (INSTEAD OF triggers), where the immutability triggers judge them.
 * **A later migration adding a column to invoices must ALTER `invoice_row`
 * and recreate the view's update trigger (see `viewTriggers`).**
 *
 * Immutability: an invoice of an unpublished run has never been visible, so
 * its rows may be changed or deleted (restaging a family, discarding a run);
 * once `published` is 1 the triggers of 0005 hold again, and `published`
 * never goes back to 0.
 */
const VISIBLE = 'run_id IS NULL OR run_id NOT IN (SELECT id FROM invoicing_run WHERE published = 0)'
const UNPUBLISHED_RUN = (runId: string) => `EXISTS (SELECT 1 FROM invoicing_run r WHERE r.id = ${runId} AND r.published = 0)`
const INVOICE_IMMUTABLE = 'regie_id, run_id, family_id, number, seq, issue_date, due_date, period_start, period_end, total_cents, collection, snapshot, created_at'
const LINE_IMMUTABLE =
  'invoice_id, sort, kind, child_id, child_name, activity_id, activity_name, unit_id, label, day, quantity, quantity_label, unit_price_cents, amount_cents, booking_id, booking_state, tariff_id, bracket, explanation_id'
const LINE_UNPUBLISHED = `EXISTS (SELECT 1 FROM invoice_row i JOIN invoicing_run r ON r.id = i.run_id WHERE i.id = OLD.invoice_id AND r.published = 0)`

async function viewTriggers(q: QueryRunner): Promise<string[]> {
  const fixed = INVOICE_IMMUTABLE.split(', ')
  const cols = ((await q.query('PRAGMA table_info(invoice_row)')) as { name: string }[]).map((c) => c.name).filter((c) => c !== 'id' && !fixed.includes(c))
  // The table's own trigger fires on any UPDATE naming a fixed column, changed or not: the view names only the others.
  return [
    `CREATE TRIGGER invoice_view_update INSTEAD OF UPDATE ON invoice
     BEGIN
       SELECT RAISE(ABORT, 'invoice is immutable once issued') WHERE ${['id', ...fixed].map((c) => `NEW.${c} IS NOT OLD.${c}`).join(' OR ')};
       UPDATE invoice_row SET ${cols.map((c) => `${c} = NEW.${c}`).join(', ')} WHERE id = OLD.id;
     END`,
    `CREATE TRIGGER invoice_view_delete INSTEAD OF DELETE ON invoice BEGIN DELETE FROM invoice_row WHERE id = OLD.id; END`
  ]
}

/** A day ('YYYY-MM-DD') in the month of a run being prepared. */
const IN_STAGED_MONTH = (day: string) => `EXISTS (SELECT 1 FROM invoice_stage_run s WHERE substr(${day}, 1, 7) = s.month)`

/** 0022's dirty-family triggers that read invoices: through the view, so unstaging a family does not mark it dirty again. */
const DIRTY = (name: string, table: string, event: string, familyOf: string, when = '') =>
  `CREATE TRIGGER stage_dirty_${name} AFTER ${event} ON ${table} WHEN EXISTS (SELECT 1 FROM invoice_stage_run)${when}
   BEGIN INSERT INTO invoice_stage_dirty (family_id) SELECT ${familyOf} WHERE ${familyOf} IS NOT NULL; END`

export class InvoiceInPlace0000000000024 implements MigrationInterface {
  name = 'InvoiceInPlace0000000000024'

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      'ALTER TABLE invoicing_run ADD COLUMN published INTEGER NOT NULL DEFAULT 1',
      `CREATE TRIGGER invoicing_run_published_once BEFORE UPDATE OF published ON invoicing_run WHEN OLD.published = 1
       BEGIN SELECT RAISE(ABORT, 'a published run stays published'); END`,
      'ALTER TABLE invoice RENAME TO invoice_row',
      `CREATE VIEW invoice AS SELECT * FROM invoice_row WHERE ${VISIBLE}`,
      'DROP TRIGGER invoice_no_update',
      'DROP TRIGGER invoice_no_delete',
      `CREATE TRIGGER invoice_no_update BEFORE UPDATE OF ${INVOICE_IMMUTABLE} ON invoice_row WHEN NOT ${UNPUBLISHED_RUN('OLD.run_id')}
       BEGIN SELECT RAISE(ABORT, 'invoice is immutable once issued'); END`,
      `CREATE TRIGGER invoice_no_delete BEFORE DELETE ON invoice_row WHEN NOT ${UNPUBLISHED_RUN('OLD.run_id')}
       BEGIN SELECT RAISE(ABORT, 'invoice rows are never deleted'); END`,
      'DROP TRIGGER invoice_line_no_update',
      'DROP TRIGGER invoice_line_no_delete',
      `CREATE TRIGGER invoice_line_no_update BEFORE UPDATE OF ${LINE_IMMUTABLE} ON invoice_line WHEN NOT ${LINE_UNPUBLISHED}
       BEGIN SELECT RAISE(ABORT, 'invoice_line is immutable once issued'); END`,
      `CREATE TRIGGER invoice_line_no_delete BEFORE DELETE ON invoice_line WHEN NOT ${LINE_UNPUBLISHED}
       BEGIN SELECT RAISE(ABORT, 'invoice_line rows are never deleted'); END`,
      'DROP TRIGGER stage_dirty_billed_booking_del',
      'DROP TRIGGER stage_dirty_billed_flat_del',
      'DROP TRIGGER stage_dirty_adjustment_upd',
      DIRTY('billed_booking_del', 'billed_booking', 'DELETE', '(SELECT family_id FROM invoice WHERE id = OLD.invoice_id)'),
      DIRTY('billed_flat_del', 'billed_flat', 'DELETE', '(SELECT family_id FROM invoice WHERE id = OLD.invoice_id)'),
      // Linking an adjustment to a staged invoice (or unlinking it) is the run's own work; a change of the
      // adjustment itself, or its release from an issued invoice by a credit note, is not.
      DIRTY('adjustment_upd', 'billing_adjustment', 'UPDATE', 'NEW.family_id', ' AND (NEW.invoice_id IS OLD.invoice_id OR EXISTS (SELECT 1 FROM invoice WHERE id = OLD.invoice_id))'),
      // A booking outside the month being prepared changes nothing the run reads (it bills that month's bookings
      // only): on the 1st, families booking the next month no longer send their family back to be restaged.
      'DROP TRIGGER stage_dirty_booking_ins',
      'DROP TRIGGER stage_dirty_booking_upd',
      'DROP TRIGGER stage_dirty_booking_del',
      DIRTY('booking_ins', 'booking', 'INSERT', '(SELECT family_id FROM child WHERE id = NEW.child_id)', ` AND ${IN_STAGED_MONTH('NEW.day')}`),
      DIRTY('booking_upd', 'booking', 'UPDATE', '(SELECT family_id FROM child WHERE id = NEW.child_id)', ` AND (${IN_STAGED_MONTH('NEW.day')} OR ${IN_STAGED_MONTH('OLD.day')})`),
      DIRTY('booking_del', 'booking', 'DELETE', '(SELECT family_id FROM child WHERE id = OLD.child_id)', ` AND ${IN_STAGED_MONTH('OLD.day')}`),
      // The stage now points at the run it writes under, and records how far the numbering got.
      'ALTER TABLE invoice_stage_run ADD COLUMN run_id INTEGER REFERENCES invoicing_run(id)',
      'ALTER TABLE invoice_stage_run ADD COLUMN first_seq INTEGER',
      'ALTER TABLE invoice_stage_run ADD COLUMN numbered_cursor INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE invoice_stage_run ADD COLUMN numbered_count INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE invoice_stage ADD COLUMN invoice_id INTEGER',
      `CREATE INDEX invoice_stage_issue ON invoice_stage(stage_id, will_issue, family_number)`
    ])
      await q.query(sql)
    // After the rename: the forwarding trigger lists the table's columns.
    for (const sql of await viewTriggers(q)) await q.query(sql)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of [
      'DROP INDEX invoice_stage_issue',
      'ALTER TABLE invoice_stage DROP COLUMN invoice_id',
      'ALTER TABLE invoice_stage_run DROP COLUMN numbered_count',
      'ALTER TABLE invoice_stage_run DROP COLUMN numbered_cursor',
      'ALTER TABLE invoice_stage_run DROP COLUMN first_seq',
      'ALTER TABLE invoice_stage_run DROP COLUMN run_id',
      'DROP TRIGGER stage_dirty_billed_booking_del',
      'DROP TRIGGER stage_dirty_billed_flat_del',
      'DROP TRIGGER stage_dirty_adjustment_upd',
      'DROP TRIGGER stage_dirty_booking_ins',
      'DROP TRIGGER stage_dirty_booking_upd',
      'DROP TRIGGER stage_dirty_booking_del',
      DIRTY('booking_ins', 'booking', 'INSERT', '(SELECT family_id FROM child WHERE id = NEW.child_id)'),
      DIRTY('booking_upd', 'booking', 'UPDATE', '(SELECT family_id FROM child WHERE id = NEW.child_id)'),
      DIRTY('booking_del', 'booking', 'DELETE', '(SELECT family_id FROM child WHERE id = OLD.child_id)'),
      DIRTY('billed_booking_del', 'billed_booking', 'DELETE', '(SELECT family_id FROM invoice_row WHERE id = OLD.invoice_id)'),
      DIRTY('billed_flat_del', 'billed_flat', 'DELETE', '(SELECT family_id FROM invoice_row WHERE id = OLD.invoice_id)'),
      DIRTY('adjustment_upd', 'billing_adjustment', 'UPDATE', 'NEW.family_id'),
      'DROP TRIGGER invoice_line_no_update',
      'DROP TRIGGER invoice_line_no_delete',
      `CREATE TRIGGER invoice_line_no_update BEFORE UPDATE OF ${LINE_IMMUTABLE} ON invoice_line BEGIN SELECT RAISE(ABORT, 'invoice_line is immutable once issued'); END`,
      `CREATE TRIGGER invoice_line_no_delete BEFORE DELETE ON invoice_line BEGIN SELECT RAISE(ABORT, 'invoice_line rows are never deleted'); END`,
      'DROP TRIGGER invoice_no_update',
      'DROP TRIGGER invoice_no_delete',
      'DROP TRIGGER invoice_view_update',
      'DROP TRIGGER invoice_view_delete',
      'DROP VIEW invoice',
      'ALTER TABLE invoice_row RENAME TO invoice',
      `CREATE TRIGGER invoice_no_update BEFORE UPDATE OF ${INVOICE_IMMUTABLE} ON invoice BEGIN SELECT RAISE(ABORT, 'invoice is immutable once issued'); END`,
      `CREATE TRIGGER invoice_no_delete BEFORE DELETE ON invoice BEGIN SELECT RAISE(ABORT, 'invoice rows are never deleted'); END`,
      'DROP TRIGGER invoicing_run_published_once',
      'ALTER TABLE invoicing_run DROP COLUMN published'
    ])
      await q.query(sql)
  }
}
