import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Allocations get the day they take effect (`effective_on`), so the accounts
 * can be read as of any past date: a payment settles an invoice from the day
 * it is received (never before the invoice exists), a cancellation frees it
 * on the credit note's day, a rejected debit re-opens it on the rejection day.
 *
 * Writers set it (billing/payments/allocations.ts). A writer that does not
 * gets the conservative default from the trigger: the latest of the payment's
 * day, the invoice's day and the day the row was written. Once set, it never
 * changes, like the rest of the row.
 */
export class AllocationDates0000000000013 implements MigrationInterface {
  name = 'AllocationDates0000000000013'

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE payment_allocation ADD COLUMN effective_on TEXT`,
      // Existing rows: a reversal written with a credit note takes the credit note's day; a reversal of a rejected
      // payment the rejection day; a row written with its payment the payment's day; a later one (credit applied
      // afterwards) the day it was written. Never before the payment nor the invoice.
      `UPDATE payment_allocation SET effective_on = max(
         (SELECT received_on FROM payment p WHERE p.id = payment_allocation.payment_id),
         (SELECT issue_date FROM invoice i WHERE i.id = payment_allocation.invoice_id),
         CASE
           WHEN amount_cents < 0 AND EXISTS (SELECT 1 FROM credit_note c WHERE c.invoice_id = payment_allocation.invoice_id AND c.created_at = payment_allocation.created_at)
             THEN (SELECT issue_date FROM credit_note c WHERE c.invoice_id = payment_allocation.invoice_id)
           WHEN amount_cents < 0 AND (SELECT status FROM payment p WHERE p.id = payment_allocation.payment_id) = 'rejected'
             THEN COALESCE((SELECT rejected_on FROM payment p WHERE p.id = payment_allocation.payment_id), substr(created_at, 1, 10))
           WHEN created_at = (SELECT created_at FROM payment p WHERE p.id = payment_allocation.payment_id) THEN ''
           ELSE substr(created_at, 1, 10)
         END)`,
      `CREATE TRIGGER payment_allocation_default_day AFTER INSERT ON payment_allocation WHEN NEW.effective_on IS NULL
        BEGIN
          UPDATE payment_allocation SET effective_on = max(
            (SELECT received_on FROM payment WHERE id = NEW.payment_id),
            (SELECT issue_date FROM invoice WHERE id = NEW.invoice_id),
            substr(NEW.created_at, 1, 10))
          WHERE id = NEW.id;
        END`,
      `CREATE TRIGGER payment_allocation_day_fixed BEFORE UPDATE OF effective_on ON payment_allocation WHEN OLD.effective_on IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'payment_allocation is immutable once recorded'); END`,
      // The aged balance sums, per invoice and per payment, the rows effective up to a day.
      `CREATE INDEX payment_allocation_invoice_day ON payment_allocation(invoice_id, effective_on)`,
      `CREATE INDEX payment_allocation_payment_day ON payment_allocation(payment_id, effective_on)`,
      `DROP INDEX payment_allocation_invoice`,
      `DROP INDEX payment_allocation_payment`
    ]
    for (const s of statements) await q.query(s)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const s of [
      `CREATE INDEX payment_allocation_invoice ON payment_allocation(invoice_id)`,
      `CREATE INDEX payment_allocation_payment ON payment_allocation(payment_id)`,
      `DROP INDEX payment_allocation_invoice_day`,
      `DROP INDEX payment_allocation_payment_day`,
      `DROP TRIGGER payment_allocation_day_fixed`,
      `DROP TRIGGER payment_allocation_default_day`,
      `ALTER TABLE payment_allocation DROP COLUMN effective_on`
    ]) {
      await q.query(s)
    }
  }
}
