import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Meals inside childcare prices (« dont repas »), for the attestation fiscale:
 * CGI art. 200 quater B counts childcare only, never food. A tariff says, per
 * unit it prices, how much of the price is a meal (a « Journée complète » or an
 * « Après-midi avec repas » includes one, a « Matin » does not); each invoice
 * line keeps the meal share it was issued with, frozen like the rest of it.
 * The structure names who signs the attestations.
 */
export class MealShares0000000000014 implements MigrationInterface {
  name = 'MealShares0000000000014'

  async up(q: QueryRunner): Promise<void> {
    for (const s of [
      `CREATE TABLE tariff_meal (
        tariff_id INTEGER NOT NULL REFERENCES tariff(id) ON DELETE CASCADE,
        unit_id INTEGER NOT NULL REFERENCES unit(id) ON DELETE CASCADE,
        meal_cents INTEGER NOT NULL CHECK (meal_cents > 0),
        PRIMARY KEY (tariff_id, unit_id))`,
      `ALTER TABLE invoice_line ADD COLUMN meal_cents INTEGER NOT NULL DEFAULT 0`,
      `CREATE TRIGGER invoice_line_meal_fixed BEFORE UPDATE OF meal_cents ON invoice_line
        BEGIN SELECT RAISE(ABORT, 'invoice_line is immutable once issued'); END`,
      `ALTER TABLE structure ADD COLUMN signatory_name TEXT NOT NULL DEFAULT ''`,
      `ALTER TABLE structure ADD COLUMN signatory_role TEXT NOT NULL DEFAULT ''`
    ]) {
      await q.query(s)
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const s of [
      'ALTER TABLE structure DROP COLUMN signatory_role',
      'ALTER TABLE structure DROP COLUMN signatory_name',
      'DROP TRIGGER invoice_line_meal_fixed',
      'ALTER TABLE invoice_line DROP COLUMN meal_cents',
      'DROP TABLE tariff_meal'
    ]) {
      await q.query(s)
    }
  }
}
