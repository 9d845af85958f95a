import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The history of a shared child's billing mode (issue 16). 0028 kept only the
 * mode in force: once the direction changed a split, an invoice of an earlier
 * month cancelled and billed again took the new mode (or, before its start
 * date, no split at all, losing the cancelled household's shares). Each save
 * now also writes a period starting on `from_day` ('' = since always) that
 * replaces the periods starting on or after it; billing reads the period in
 * force on each billed day (billing/invoicing/split.ts). `child_billing_split`
 * stays the editor's current mode (versioned, and its 0028 triggers restage).
 */
export class BillingSplitHistory0000000000034 implements MigrationInterface {
  name = 'BillingSplitHistory0000000000034'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE child_billing_split_period (
      child_id INTEGER NOT NULL REFERENCES child(id) ON DELETE CASCADE,
      from_day TEXT NOT NULL DEFAULT '',
      mode TEXT NOT NULL CHECK (mode IN ('booking','fixed')),
      first_share_bp INTEGER NOT NULL CHECK (first_share_bp BETWEEN 100 AND 9900),
      saved_at TEXT NOT NULL,
      PRIMARY KEY (child_id, from_day))`)
    await q.query(`INSERT INTO child_billing_split_period (child_id, from_day, mode, first_share_bp, saved_at)
      SELECT child_id, COALESCE(from_day, ''), mode, first_share_bp, updated_at FROM child_billing_split`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE child_billing_split_period')
  }
}
