import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Imports (#14): files waiting for their preview, committed batches and what
 * each created (so a batch can be undone), portal invitations sent to
 * imported families, and the column mapping remembered for spreadsheets.
 */
export class Imports0000000000018 implements MigrationInterface {
  name = 'Imports0000000000018'

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      // A file received but not imported yet (preview, mapping). Swept after a day; the bytes live under imports/.
      `CREATE TABLE import_upload (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        storage_name TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
        format TEXT NOT NULL,
        uploaded_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL)`,
      `CREATE TABLE import_batch (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT NOT NULL CHECK (source IN ('noethys','csv','xlsx')),
        file_name TEXT NOT NULL, file_size INTEGER NOT NULL, file_sha256 TEXT NOT NULL,
        counts TEXT NOT NULL DEFAULT '{}',
        backup_name TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN ('committed','undone')),
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_by_label TEXT NOT NULL,
        created_at TEXT NOT NULL,
        undone_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        undone_by_label TEXT, undone_at TEXT)`,
      // Every top-level row a batch created (families, activities, mandates, opening entries, photos, accounts):
      // what an undo removes, and what "built on it" is checked against. Ids are never reused (AUTOINCREMENT).
      `CREATE TABLE import_item (
        batch_id INTEGER NOT NULL REFERENCES import_batch(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        item_id INTEGER NOT NULL,
        PRIMARY KEY (kind, item_id)) WITHOUT ROWID`,
      `CREATE INDEX import_item_batch ON import_item(batch_id, kind)`,
      `CREATE TABLE import_invitation (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        batch_id INTEGER NOT NULL REFERENCES import_batch(id) ON DELETE CASCADE,
        family_id INTEGER NOT NULL,
        account_id INTEGER NOT NULL,
        outbox_id INTEGER REFERENCES outbox_mail(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL)`,
      `CREATE INDEX import_invitation_batch ON import_invitation(batch_id, family_id)`,
      // Spreadsheet column title (normalised) → field chosen last time.
      `CREATE TABLE import_column_memory (header TEXT PRIMARY KEY, field TEXT NOT NULL, updated_at TEXT NOT NULL)`,
      // Undoing a batch deletes its children: these foreign keys (ON DELETE SET NULL) would otherwise scan the whole table per child.
      `CREATE INDEX IF NOT EXISTS invoice_line_child ON invoice_line(child_id)`,
      `CREATE INDEX IF NOT EXISTS billing_adjustment_child ON billing_adjustment(child_id)`,
      `CREATE INDEX IF NOT EXISTS family_document_child ON family_document(child_id)`,
      `CREATE INDEX IF NOT EXISTS stored_file_owner ON stored_file(owner_family_id)`,
      `CREATE INDEX IF NOT EXISTS request_account ON request(account_id)`
    ]
    for (const s of statements) await q.query(s)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const i of ['request_account', 'stored_file_owner', 'family_document_child', 'billing_adjustment_child', 'invoice_line_child']) {
      await q.query(`DROP INDEX IF EXISTS ${i}`)
    }
    for (const t of ['import_column_memory', 'import_invitation', 'import_item', 'import_batch', 'import_upload']) await q.query(`DROP TABLE ${t}`)
  }
}
