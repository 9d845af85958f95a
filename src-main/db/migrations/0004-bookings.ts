import type { MigrationInterface, QueryRunner } from 'typeorm'

/** Capacity states (src-shared/bookings/state-machine.ts CAPACITY_STATES), frozen here as SQL: a migration never changes. */
const TAKEN = "('DR','R','DA','PRESENT')"

/**
 * Bookings (#5): deadline rules per activity and the change lines families
 * and staff make on `booking` rows (created by 0003). A change line is what
 * the validation queue, "Mes demandes" and the grouped reply e-mails read;
 * the booking row always holds the current state.
 */
export class Bookings0000000000004 implements MigrationInterface {
  name = 'Bookings0000000000004'

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      // JSON deadline rules (src-shared/bookings/deadlines.ts); no row = the defaults for the activity's kind.
      `CREATE TABLE booking_rule (
        activity_id INTEGER PRIMARY KEY REFERENCES activity(id) ON DELETE CASCADE,
        booking TEXT NOT NULL,
        cancellation TEXT NOT NULL,
        family_changes INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT NOT NULL)`,
      `CREATE TABLE booking_change (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        booking_id INTEGER NOT NULL REFERENCES booking(id) ON DELETE CASCADE,
        family_id INTEGER NOT NULL REFERENCES family(id) ON DELETE CASCADE,
        request_id INTEGER REFERENCES request(id) ON DELETE SET NULL,
        kind TEXT NOT NULL CHECK (kind IN ('reservation','cancellation','absence')),
        status TEXT NOT NULL CHECK (status IN ('pending','accepted','refused','excused','billed','withdrawn')),
        from_state TEXT,
        to_state TEXT,
        late INTEGER NOT NULL DEFAULT 0,
        absence_reason TEXT CHECK (absence_reason IS NULL OR absence_reason IN ('maladie','convenance','autre')),
        certificate_document_id INTEGER REFERENCES family_document(id) ON DELETE SET NULL,
        comment TEXT NOT NULL DEFAULT '',
        price_cents INTEGER NOT NULL DEFAULT 0,
        reason TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        decided_at TEXT,
        decided_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL)`,
      `CREATE INDEX booking_change_queue ON booking_change(status, kind, created_at)`,
      `CREATE INDEX booking_change_family ON booking_change(family_id, created_at)`,
      `CREATE INDEX booking_change_request ON booking_change(request_id)`,
      `CREATE INDEX booking_change_booking ON booking_change(booking_id, status)`,
      // (No extra (child_id, day) index: UNIQUE (child_id, unit_id, day) already serves the per-child reads, and
      // every index is one more B-tree write per booking during the rush and #4's auto-booking.)
      // Places taken per group × unit × day, kept by triggers so that every writer (auto-booking of #4, billing,
      // this module) keeps it exact, and the capacity check under the rush is one key lookup instead of a count
      // over thousands of bookings. States are the schema agreement's capacity states.
      `CREATE TABLE booking_load (
        group_id INTEGER NOT NULL, unit_id INTEGER NOT NULL, day TEXT NOT NULL, taken INTEGER NOT NULL,
        PRIMARY KEY (group_id, unit_id, day)) WITHOUT ROWID`,
      `INSERT INTO booking_load (group_id, unit_id, day, taken)
        SELECT group_id, unit_id, day, COUNT(*) FROM booking
        WHERE group_id IS NOT NULL AND state IN ${TAKEN} GROUP BY group_id, unit_id, day`,
      `CREATE TRIGGER booking_load_insert AFTER INSERT ON booking
        WHEN NEW.state IN ${TAKEN} AND NEW.group_id IS NOT NULL
        BEGIN
          INSERT INTO booking_load (group_id, unit_id, day, taken) VALUES (NEW.group_id, NEW.unit_id, NEW.day, 1)
            ON CONFLICT (group_id, unit_id, day) DO UPDATE SET taken = taken + 1;
        END`,
      `CREATE TRIGGER booking_load_delete AFTER DELETE ON booking
        WHEN OLD.state IN ${TAKEN} AND OLD.group_id IS NOT NULL
        BEGIN
          UPDATE booking_load SET taken = taken - 1 WHERE group_id = OLD.group_id AND unit_id = OLD.unit_id AND day = OLD.day;
        END`,
      `CREATE TRIGGER booking_load_update AFTER UPDATE OF state, group_id, unit_id, day ON booking
        BEGIN
          UPDATE booking_load SET taken = taken - 1
            WHERE OLD.state IN ${TAKEN} AND OLD.group_id IS NOT NULL
              AND group_id = OLD.group_id AND unit_id = OLD.unit_id AND day = OLD.day;
          INSERT INTO booking_load (group_id, unit_id, day, taken)
            SELECT NEW.group_id, NEW.unit_id, NEW.day, 1 WHERE NEW.state IN ${TAKEN} AND NEW.group_id IS NOT NULL
            ON CONFLICT (group_id, unit_id, day) DO UPDATE SET taken = taken + 1;
        END`
    ]
    for (const s of statements) await q.query(s)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['booking_load_update', 'booking_load_delete', 'booking_load_insert']) await q.query(`DROP TRIGGER ${t}`)
    await q.query('DROP TABLE booking_load')
    await q.query('DROP TABLE booking_change')
    await q.query('DROP TABLE booking_rule')
  }
}
