import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Billing (#6): régies and their numbering, tariffs with QF brackets,
 * invoicing runs, invoices and lines, credit notes, payments and their
 * allocation, deposits, reminders, SEPA mandates and exports, online payment
 * orders. Money is INTEGER cents, days 'YYYY-MM-DD'.
 *
 * Issued documents are immutable: triggers refuse any change to what an
 * invoice, a line or a credit note says, and any deletion. What changes over
 * time (payments, cancellation, direct-debit status) lives in other rows or in
 * the few status columns the triggers leave open.
 */
export class Billing0000000000005 implements MigrationInterface {
  name = 'Billing0000000000005'

  async up(q: QueryRunner): Promise<void> {
    const immutable = (table: string, columns: string) => [
      `CREATE TRIGGER ${table}_no_update BEFORE UPDATE OF ${columns} ON ${table}
        BEGIN SELECT RAISE(ABORT, '${table} is immutable once issued'); END`,
      `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
        BEGIN SELECT RAISE(ABORT, '${table} rows are never deleted'); END`
    ]
    const statements = [
      `CREATE TABLE regie (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        code TEXT NOT NULL UNIQUE COLLATE NOCASE,
        invoice_format TEXT NOT NULL,
        credit_format TEXT NOT NULL,
        payment_format TEXT NOT NULL,
        is_default INTEGER NOT NULL DEFAULT 0,
        due_days INTEGER NOT NULL DEFAULT 20 CHECK (due_days BETWEEN 0 AND 120),
        payment_methods TEXT NOT NULL DEFAULT '',
        creditor_name TEXT NOT NULL DEFAULT '', ics TEXT NOT NULL DEFAULT '',
        creditor_iban TEXT NOT NULL DEFAULT '', creditor_bic TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
      `CREATE UNIQUE INDEX regie_one_default ON regie(is_default) WHERE is_default = 1`,
      // Which régie bills an activity; activities without a row go to the default régie.
      `CREATE TABLE regie_activity (
        activity_id INTEGER PRIMARY KEY REFERENCES activity(id) ON DELETE CASCADE,
        regie_id INTEGER NOT NULL REFERENCES regie(id))`,

      `CREATE TABLE tariff (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        activity_id INTEGER REFERENCES activity(id) ON DELETE CASCADE,
        unit_id INTEGER REFERENCES unit(id) ON DELETE CASCADE,
        mode TEXT NOT NULL CHECK (mode IN ('unit','hourly','flat','day')),
        step_minutes INTEGER NOT NULL DEFAULT 15 CHECK (step_minutes IN (5,10,15,30,60)),
        flat_period TEXT NOT NULL DEFAULT 'month' CHECK (flat_period IN ('month','period')),
        day_threshold_minutes INTEGER NOT NULL DEFAULT 300,
        valid_from TEXT NOT NULL, valid_to TEXT,
        absence_rate_pct REAL NOT NULL DEFAULT 100 CHECK (absence_rate_pct BETWEEN 0 AND 1000),
        walkin_surcharge_cents INTEGER NOT NULL DEFAULT 0 CHECK (walkin_surcharge_cents >= 0),
        sibling2_kind TEXT NOT NULL DEFAULT 'none' CHECK (sibling2_kind IN ('none','pct','amount')),
        sibling2_value REAL NOT NULL DEFAULT 0,
        sibling3_kind TEXT NOT NULL DEFAULT 'none' CHECK (sibling3_kind IN ('none','pct','amount')),
        sibling3_value REAL NOT NULL DEFAULT 0,
        outside_kind TEXT NOT NULL DEFAULT 'none' CHECK (outside_kind IN ('none','pct','amount')),
        outside_value REAL NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        CHECK (activity_id IS NOT NULL OR unit_id IS NOT NULL),
        CHECK (valid_to IS NULL OR valid_to >= valid_from))`,
      `CREATE INDEX tariff_unit ON tariff(unit_id, valid_from)`,
      `CREATE INDEX tariff_activity ON tariff(activity_id, valid_from)`,
      `CREATE TABLE tariff_bracket (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tariff_id INTEGER NOT NULL REFERENCES tariff(id) ON DELETE CASCADE,
        qf_min INTEGER NOT NULL DEFAULT 0, qf_max INTEGER,
        price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
        half_day_price_cents INTEGER CHECK (half_day_price_cents IS NULL OR half_day_price_cents >= 0),
        sort INTEGER NOT NULL DEFAULT 0,
        CHECK (qf_max IS NULL OR qf_max >= qf_min))`,
      `CREATE INDEX tariff_bracket_tariff ON tariff_bracket(tariff_id, sort)`,

      `CREATE TABLE invoicing_run (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        regie_id INTEGER NOT NULL REFERENCES regie(id),
        month TEXT NOT NULL,
        period_start TEXT NOT NULL, period_end TEXT NOT NULL,
        issue_date TEXT NOT NULL, due_date TEXT NOT NULL,
        invoice_count INTEGER NOT NULL, line_count INTEGER NOT NULL, total_cents INTEGER NOT NULL,
        first_number TEXT, last_number TEXT,
        backup_name TEXT NOT NULL DEFAULT '',
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL)`,
      `CREATE INDEX invoicing_run_regie ON invoicing_run(regie_id, month)`,

      `CREATE TABLE invoice (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        regie_id INTEGER NOT NULL REFERENCES regie(id),
        run_id INTEGER REFERENCES invoicing_run(id),
        family_id INTEGER NOT NULL REFERENCES family(id),
        number TEXT NOT NULL UNIQUE,
        seq INTEGER NOT NULL,
        issue_date TEXT NOT NULL, due_date TEXT NOT NULL,
        period_start TEXT NOT NULL, period_end TEXT NOT NULL,
        total_cents INTEGER NOT NULL,
        collection TEXT NOT NULL CHECK (collection IN ('direct','debit')),
        snapshot TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued','cancelled')),
        debit_status TEXT CHECK (debit_status IS NULL OR debit_status IN ('prelevee','rejected')),
        created_at TEXT NOT NULL,
        UNIQUE (regie_id, seq))`,
      `CREATE INDEX invoice_family ON invoice(family_id, issue_date)`,
      `CREATE INDEX invoice_run ON invoice(run_id)`,
      `CREATE INDEX invoice_issue ON invoice(issue_date)`,
      ...immutable('invoice', 'regie_id, run_id, family_id, number, seq, issue_date, due_date, period_start, period_end, total_cents, collection, snapshot, created_at'),

      // "Why this price" texts repeat a lot (same tariff, bracket, rank): stored once.
      `CREATE TABLE price_explanation (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL UNIQUE)`,
      `CREATE TABLE invoice_line (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        invoice_id INTEGER NOT NULL REFERENCES invoice(id),
        sort INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('unit','hourly','flat','day','half-day','walkin','adjustment')),
        child_id INTEGER REFERENCES child(id) ON DELETE SET NULL,
        child_name TEXT NOT NULL DEFAULT '',
        activity_id INTEGER, activity_name TEXT NOT NULL DEFAULT '',
        unit_id INTEGER,
        label TEXT NOT NULL,
        day TEXT,
        quantity INTEGER NOT NULL,
        quantity_label TEXT NOT NULL DEFAULT '',
        unit_price_cents INTEGER NOT NULL,
        amount_cents INTEGER NOT NULL,
        booking_id INTEGER, booking_state TEXT,
        tariff_id INTEGER, bracket TEXT NOT NULL DEFAULT '',
        explanation_id INTEGER REFERENCES price_explanation(id))`,
      `CREATE INDEX invoice_line_invoice ON invoice_line(invoice_id, sort)`,
      `CREATE INDEX invoice_line_child ON invoice_line(child_id, day)`,
      ...immutable('invoice_line', 'invoice_id, sort, kind, child_id, child_name, activity_id, activity_name, unit_id, label, day, quantity, quantity_label, unit_price_cents, amount_cents, booking_id, booking_state, tariff_id, bracket, explanation_id'),

      // What is already billed: a booking (or flat period) is billed at most once while its invoice stands.
      // A credit note releases them (these rows are an index, not a record: the invoice lines are the record).
      `CREATE TABLE billed_booking (booking_id INTEGER PRIMARY KEY, invoice_id INTEGER NOT NULL REFERENCES invoice(id))`,
      `CREATE INDEX billed_booking_invoice ON billed_booking(invoice_id)`,
      `CREATE TABLE billed_flat (key TEXT PRIMARY KEY, invoice_id INTEGER NOT NULL REFERENCES invoice(id))`,
      `CREATE INDEX billed_flat_invoice ON billed_flat(invoice_id)`,

      `CREATE TABLE billing_adjustment (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        regie_id INTEGER NOT NULL REFERENCES regie(id),
        family_id INTEGER NOT NULL REFERENCES family(id),
        child_id INTEGER REFERENCES child(id) ON DELETE SET NULL,
        month TEXT NOT NULL,
        label TEXT NOT NULL,
        amount_cents INTEGER NOT NULL CHECK (amount_cents <> 0),
        invoice_id INTEGER REFERENCES invoice(id),
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL)`,
      `CREATE INDEX billing_adjustment_pending ON billing_adjustment(regie_id, month, invoice_id)`,

      `CREATE TABLE credit_note (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        regie_id INTEGER NOT NULL REFERENCES regie(id),
        invoice_id INTEGER NOT NULL UNIQUE REFERENCES invoice(id),
        family_id INTEGER NOT NULL REFERENCES family(id),
        number TEXT NOT NULL UNIQUE,
        seq INTEGER NOT NULL,
        issue_date TEXT NOT NULL,
        amount_cents INTEGER NOT NULL,
        reason TEXT NOT NULL,
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        UNIQUE (regie_id, seq))`,
      `CREATE INDEX credit_note_family ON credit_note(family_id, issue_date)`,
      ...immutable('credit_note', 'regie_id, invoice_id, family_id, number, seq, issue_date, amount_cents, reason, created_by, created_at'),

      `CREATE TABLE deposit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        regie_id INTEGER NOT NULL REFERENCES regie(id),
        number TEXT NOT NULL UNIQUE,
        mode TEXT NOT NULL CHECK (mode IN ('cheque','especes','cesu','ancv')),
        deposited_on TEXT NOT NULL,
        bank_account TEXT NOT NULL DEFAULT '',
        count INTEGER NOT NULL, total_cents INTEGER NOT NULL,
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL)`,

      `CREATE TABLE sepa_mandate (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        family_id INTEGER NOT NULL REFERENCES family(id),
        rum TEXT NOT NULL UNIQUE,
        holder TEXT NOT NULL,
        iban TEXT NOT NULL, bic TEXT NOT NULL DEFAULT '',
        signed_on TEXT NOT NULL,
        sequence_type TEXT NOT NULL CHECK (sequence_type IN ('FRST','RCUR','OOFF','FNAL')),
        status TEXT NOT NULL CHECK (status IN ('active','revoked','used')),
        last_collection_on TEXT, revoked_on TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
      `CREATE UNIQUE INDEX sepa_mandate_one_active ON sepa_mandate(family_id) WHERE status = 'active'`,
      `CREATE TABLE sepa_export (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        regie_id INTEGER NOT NULL REFERENCES regie(id),
        msg_id TEXT NOT NULL UNIQUE,
        run_id INTEGER REFERENCES invoicing_run(id),
        collection_date TEXT NOT NULL,
        nb_txs INTEGER NOT NULL, ctrl_sum_cents INTEGER NOT NULL,
        xml TEXT NOT NULL,
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL)`,

      `CREATE TABLE online_payment (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        family_id INTEGER NOT NULL REFERENCES family(id),
        order_id TEXT NOT NULL UNIQUE,
        trans_id TEXT NOT NULL, trans_date TEXT NOT NULL,
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        invoice_ids TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending','paid','failed')),
        provider_status TEXT NOT NULL DEFAULT '',
        notifications INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, settled_at TEXT)`,
      `CREATE INDEX online_payment_family ON online_payment(family_id, created_at)`,

      `CREATE TABLE payment (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        regie_id INTEGER NOT NULL REFERENCES regie(id),
        family_id INTEGER NOT NULL REFERENCES family(id),
        number TEXT NOT NULL UNIQUE,
        seq INTEGER NOT NULL,
        received_on TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('especes','cheque','cb','virement','cesu','ancv','prelevement','titre')),
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        cheque_number TEXT NOT NULL DEFAULT '', bank TEXT NOT NULL DEFAULT '',
        payer TEXT NOT NULL DEFAULT '', reference TEXT NOT NULL DEFAULT '',
        deposit_id INTEGER REFERENCES deposit(id),
        online_payment_id INTEGER REFERENCES online_payment(id),
        sepa_export_id INTEGER REFERENCES sepa_export(id),
        mandate_id INTEGER REFERENCES sepa_mandate(id),
        status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok','rejected')),
        rejected_on TEXT, reject_reason TEXT NOT NULL DEFAULT '',
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        UNIQUE (regie_id, seq))`,
      `CREATE INDEX payment_family ON payment(family_id, received_on)`,
      `CREATE INDEX payment_received ON payment(received_on)`,
      `CREATE INDEX payment_deposit ON payment(mode, deposit_id)`,
      `CREATE TRIGGER payment_no_delete BEFORE DELETE ON payment BEGIN SELECT RAISE(ABORT, 'payment rows are never deleted'); END`,
      `CREATE TRIGGER payment_no_update BEFORE UPDATE OF regie_id, family_id, number, seq, received_on, mode, amount_cents ON payment
        BEGIN SELECT RAISE(ABORT, 'payment is immutable once recorded'); END`,
      // Append-only: a reversal (cancellation, rejected debit) is a negative row.
      `CREATE TABLE payment_allocation (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        payment_id INTEGER NOT NULL REFERENCES payment(id),
        invoice_id INTEGER NOT NULL REFERENCES invoice(id),
        amount_cents INTEGER NOT NULL CHECK (amount_cents <> 0),
        created_at TEXT NOT NULL)`,
      `CREATE INDEX payment_allocation_invoice ON payment_allocation(invoice_id)`,
      `CREATE INDEX payment_allocation_payment ON payment_allocation(payment_id)`,
      ...immutable('payment_allocation', 'payment_id, invoice_id, amount_cents, created_at'),

      `CREATE TABLE reminder (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        invoice_id INTEGER NOT NULL REFERENCES invoice(id),
        family_id INTEGER NOT NULL REFERENCES family(id),
        level INTEGER NOT NULL CHECK (level IN (1,2)),
        channel TEXT NOT NULL CHECK (channel IN ('email','letter')),
        sent_on TEXT NOT NULL,
        outbox_id INTEGER,
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL)`,
      `CREATE INDEX reminder_invoice ON reminder(invoice_id, level)`
    ]
    for (const s of statements) await q.query(s)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['reminder', 'payment_allocation', 'payment', 'online_payment', 'sepa_export', 'sepa_mandate', 'deposit', 'credit_note',
      'billing_adjustment', 'billed_flat', 'billed_booking', 'invoice_line', 'price_explanation', 'invoice', 'invoicing_run', 'tariff_bracket',
      'tariff', 'regie_activity', 'regie']) {
      await q.query(`DROP TABLE ${t}`)
    }
  }
}
