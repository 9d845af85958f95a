import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Separated parents (issue 16). Today's `family` row is a household (foyer)
 * and `child.family_id` stays the child's first household, so nothing changes
 * for families without a second one. `child_household` links a child to its
 * second household (one at most); `custody_rule` and `custody_exception` say
 * which household has the child on a day; `booking.family_id` is the household
 * that booked (and is billed), filled from the child's household for existing
 * bookings and by a trigger for any writer that does not say.
 */
export class Households0000000000027 implements MigrationInterface {
  name = 'Households0000000000027'

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE child_household (
        child_id INTEGER PRIMARY KEY REFERENCES child(id) ON DELETE CASCADE,
        family_id INTEGER NOT NULL REFERENCES family(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL)`,
      `CREATE INDEX child_household_family ON child_household(family_id)`,
      // Every (household, child) pair: what portal lists and audiences read instead of child.family_id.
      `CREATE VIEW household_child AS
        SELECT family_id, id AS child_id, 1 AS first FROM child
        UNION ALL SELECT family_id, child_id, 0 AS first FROM child_household`,
      `CREATE TABLE custody_rule (
        child_id INTEGER PRIMARY KEY REFERENCES child(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('none','alternate-weeks','weekdays')),
        odd_weeks_family_id INTEGER REFERENCES family(id) ON DELETE SET NULL,
        weekdays TEXT NOT NULL DEFAULT '[]',
        holidays TEXT NOT NULL DEFAULT 'none' CHECK (holidays IN ('none','halves','halves-alternating')),
        first_half_family_id INTEGER REFERENCES family(id) ON DELETE SET NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 0, version_by TEXT NOT NULL DEFAULT '', version_at TEXT)`,
      `CREATE TABLE custody_exception (
        child_id INTEGER NOT NULL REFERENCES child(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        family_id INTEGER NOT NULL REFERENCES family(id) ON DELETE CASCADE,
        PRIMARY KEY (child_id, day))`,
      `ALTER TABLE booking ADD COLUMN family_id INTEGER REFERENCES family(id) ON DELETE SET NULL`,
      `UPDATE booking SET family_id = (SELECT c.family_id FROM child c WHERE c.id = booking.child_id)`,
      `CREATE INDEX booking_household ON booking(family_id, day)`,
      // Writers that know no household (desk, autobook, imports) book for the child's first one.
      `CREATE TRIGGER booking_household_default AFTER INSERT ON booking WHEN NEW.family_id IS NULL
        BEGIN UPDATE booking SET family_id = (SELECT c.family_id FROM child c WHERE c.id = NEW.child_id) WHERE id = NEW.id; END`
    ]
    for (const s of statements) await q.query(s)
    // The staged invoicing run (0022) restages the families whose data changed: a booking now belongs to its household.
    const dirty = (x: string) => `INSERT INTO invoice_stage_dirty (family_id) SELECT ${x} WHERE ${x} IS NOT NULL;`
    const household = (row: 'NEW' | 'OLD') => `COALESCE(${row}.family_id, (SELECT family_id FROM child WHERE id = ${row}.child_id))`
    // As 0024 made them: a booking outside the month being prepared changes nothing the run reads.
    const inStagedMonth = (day: string) => `EXISTS (SELECT 1 FROM invoice_stage_run s WHERE substr(${day}, 1, 7) = s.month)`
    for (const [name, event, body, when] of [
      ['booking_ins', 'INSERT', dirty(household('NEW')), inStagedMonth('NEW.day')],
      ['booking_upd', 'UPDATE', `${dirty(household('NEW'))} ${dirty('(CASE WHEN OLD.family_id IS NOT NEW.family_id THEN OLD.family_id END)')}`, `(${inStagedMonth('NEW.day')} OR ${inStagedMonth('OLD.day')})`],
      ['booking_del', 'DELETE', dirty(household('OLD')), inStagedMonth('OLD.day')]
    ]) {
      await q.query(`DROP TRIGGER stage_dirty_${name}`)
      await q.query(`CREATE TRIGGER stage_dirty_${name} AFTER ${event} ON booking WHEN EXISTS (SELECT 1 FROM invoice_stage_run) AND ${when} BEGIN ${body} END`)
    }
    // A shared child's change (its birth date ranks siblings) concerns its second household too.
    await q.query(
      `CREATE TRIGGER stage_dirty_child_second_upd AFTER UPDATE ON child WHEN EXISTS (SELECT 1 FROM invoice_stage_run)
       BEGIN INSERT INTO invoice_stage_dirty (family_id) SELECT family_id FROM child_household WHERE child_id = NEW.id; END`
    )
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER stage_dirty_child_second_upd`)
    const childFamily = (row: 'NEW' | 'OLD') => `(SELECT family_id FROM child WHERE id = ${row}.child_id)`
    const inStagedMonth = (day: string) => `EXISTS (SELECT 1 FROM invoice_stage_run s WHERE substr(${day}, 1, 7) = s.month)`
    for (const [name, event, row, when] of [
      ['booking_ins', 'INSERT', 'NEW', inStagedMonth('NEW.day')],
      ['booking_upd', 'UPDATE', 'NEW', `(${inStagedMonth('NEW.day')} OR ${inStagedMonth('OLD.day')})`],
      ['booking_del', 'DELETE', 'OLD', inStagedMonth('OLD.day')]
    ] as const) {
      await q.query(`DROP TRIGGER stage_dirty_${name}`)
      await q.query(
        `CREATE TRIGGER stage_dirty_${name} AFTER ${event} ON booking WHEN EXISTS (SELECT 1 FROM invoice_stage_run) AND ${when}
         BEGIN INSERT INTO invoice_stage_dirty (family_id) SELECT ${childFamily(row)} WHERE ${childFamily(row)} IS NOT NULL; END`
      )
    }
    await q.query(`DROP TRIGGER booking_household_default`)
    await q.query(`DROP INDEX booking_household`)
    await q.query(`ALTER TABLE booking DROP COLUMN family_id`)
    await q.query(`DROP VIEW household_child`)
    for (const t of ['custody_exception', 'custody_rule', 'child_household']) await q.query(`DROP TABLE ${t}`)
  }
}
