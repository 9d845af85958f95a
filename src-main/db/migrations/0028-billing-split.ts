import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * A shared child's billing mode (issue 16). Without a row, or with mode
 * 'booking', a booking is billed to the household that made it (0027). With
 * mode 'fixed', every billable line of the child from `from_day` on is billed
 * to both households: the first one (`child.family_id`) pays `first_share_bp`
 * basis points (5000 = 50 %), the second the rest (see
 * billing/invoicing/split.ts for the rounding).
 *
 * `billed_share` locks a share of a booking to the invoice of one household,
 * as `billed_booking` locks a whole booking: a booking billed by shares has
 * one row per household (and its `billed_booking` row points at the booking
 * household's invoice, so closure credits and cancellations keep working).
 * Cancelling one household's invoice releases only that household's share.
 */
const DIRTY_BOTH = (child: string) =>
  `INSERT INTO invoice_stage_dirty (family_id) SELECT family_id FROM household_child WHERE child_id = ${child};`

export class BillingSplit0000000000028 implements MigrationInterface {
  name = 'BillingSplit0000000000028'

  async up(q: QueryRunner): Promise<void> {
    for (const sql of [
      `CREATE TABLE child_billing_split (
        child_id INTEGER PRIMARY KEY REFERENCES child(id) ON DELETE CASCADE,
        mode TEXT NOT NULL CHECK (mode IN ('booking','fixed')),
        first_share_bp INTEGER NOT NULL DEFAULT 5000 CHECK (first_share_bp BETWEEN 100 AND 9900),
        from_day TEXT,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 0, version_by TEXT NOT NULL DEFAULT '', version_at TEXT)`,
      `CREATE TABLE billed_share (
        booking_id INTEGER NOT NULL,
        family_id INTEGER NOT NULL,
        invoice_id INTEGER NOT NULL REFERENCES invoice_row(id),
        PRIMARY KEY (booking_id, family_id))`,
      `CREATE INDEX billed_share_invoice ON billed_share(invoice_id)`,
      // A run being prepared restages both households of a child whose split changes.
      ...['INSERT', 'UPDATE', 'DELETE'].map(
        (event) =>
          `CREATE TRIGGER stage_dirty_billing_split_${event.toLowerCase()} AFTER ${event} ON child_billing_split WHEN EXISTS (SELECT 1 FROM invoice_stage_run)
           BEGIN ${DIRTY_BOTH(event === 'DELETE' ? 'OLD.child_id' : 'NEW.child_id')} END`
      ),
      // A shared child's booking concerns both households (a split share, or a flat rate billed to the household
      // that has the child most): the booking household is marked by 0027's triggers, the other one here.
      ...[
        ['ins', 'INSERT', 'NEW'],
        ['upd', 'UPDATE', 'NEW'],
        ['del', 'DELETE', 'OLD']
      ].map(
        ([name, event, row]) =>
          `CREATE TRIGGER stage_dirty_shared_booking_${name} AFTER ${event} ON booking
           WHEN EXISTS (SELECT 1 FROM invoice_stage_run s WHERE substr(${row}.day, 1, 7) = s.month) AND EXISTS (SELECT 1 FROM child_household WHERE child_id = ${row}.child_id)
           BEGIN ${DIRTY_BOTH(`${row}.child_id`)} END`
      ),
      // Cancelling an invoice releases its shares (0022's family is marked through its billed_booking rows).
      `CREATE TRIGGER stage_dirty_billed_share_del AFTER DELETE ON billed_share WHEN EXISTS (SELECT 1 FROM invoice_stage_run)
       BEGIN INSERT INTO invoice_stage_dirty (family_id) SELECT family_id FROM invoice WHERE id = OLD.invoice_id; END`
    ])
      await q.query(sql)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['stage_dirty_billed_share_del', 'stage_dirty_shared_booking_ins', 'stage_dirty_shared_booking_upd', 'stage_dirty_shared_booking_del'])
      await q.query(`DROP TRIGGER ${t}`)
    for (const e of ['insert', 'update', 'delete']) await q.query(`DROP TRIGGER stage_dirty_billing_split_${e}`)
    await q.query('DROP TABLE billed_share')
    await q.query('DROP TABLE child_billing_split')
  }
}
