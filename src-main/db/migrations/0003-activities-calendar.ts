import type { MigrationInterface, QueryRunner } from 'typeorm'
import { loadShippedHolidays } from '../../calendar/holiday-csv'

/**
 * Activities, calendar and enrolment (#4), plus the `booking` table that
 * auto-booking needs (its state machine belongs to #5). Table and column names
 * follow the schema agreement shared with #5 and #6: other migrations may add
 * columns but never rename these.
 */
export class ActivitiesCalendar0000000000003 implements MigrationInterface {
  name = 'ActivitiesCalendar0000000000003'

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE facility (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, sort INTEGER NOT NULL DEFAULT 0)`,
      `CREATE TABLE activity_type (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        facility_id INTEGER NOT NULL REFERENCES facility(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('periscolaire','mercredi','vacances','restauration','petite-enfance')))`,
      `CREATE INDEX activity_type_facility ON activity_type(facility_id)`,
      `CREATE TABLE activity (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        activity_type_id INTEGER NOT NULL REFERENCES activity_type(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        opening_rule TEXT NOT NULL CHECK (opening_rule IN ('school-days','wednesdays','holiday-weekdays','weekdays')),
        validation TEXT NOT NULL DEFAULT 'staff' CHECK (validation IN ('auto','staff')),
        auto_book INTEGER NOT NULL DEFAULT 0,
        typical_week INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        description TEXT NOT NULL DEFAULT '')`,
      `CREATE INDEX activity_type_idx ON activity(activity_type_id)`,
      `CREATE TABLE activity_period (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        activity_id INTEGER NOT NULL REFERENCES activity(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        start_date TEXT NOT NULL, end_date TEXT NOT NULL,
        window_start TEXT NOT NULL, window_end TEXT NOT NULL,
        CHECK (start_date <= end_date), CHECK (window_start <= window_end))`,
      `CREATE INDEX activity_period_activity ON activity_period(activity_id, start_date)`,
      `CREATE TABLE activity_group (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        activity_id INTEGER NOT NULL REFERENCES activity(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        age_min INTEGER, age_max INTEGER,
        levels TEXT NOT NULL DEFAULT '',
        places INTEGER)`,
      `CREATE INDEX activity_group_activity ON activity_group(activity_id)`,
      `CREATE TABLE unit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        activity_id INTEGER NOT NULL REFERENCES activity(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        start_time TEXT NOT NULL, end_time TEXT NOT NULL,
        price_cents INTEGER NOT NULL DEFAULT 0,
        sort INTEGER NOT NULL DEFAULT 0)`,
      `CREATE INDEX unit_activity ON unit(activity_id, sort)`,
      `CREATE TABLE unit_exclusion (
        unit_id INTEGER NOT NULL REFERENCES unit(id) ON DELETE CASCADE,
        excluded_unit_id INTEGER NOT NULL REFERENCES unit(id) ON DELETE CASCADE,
        PRIMARY KEY (unit_id, excluded_unit_id),
        CHECK (unit_id <> excluded_unit_id))`,
      `CREATE TABLE capacity (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        group_id INTEGER NOT NULL REFERENCES activity_group(id) ON DELETE CASCADE,
        unit_id INTEGER NOT NULL REFERENCES unit(id) ON DELETE CASCADE,
        places INTEGER NOT NULL CHECK (places >= 0),
        day TEXT)`,
      // NULL days are distinct for a plain UNIQUE, hence the expression.
      `CREATE UNIQUE INDEX capacity_key ON capacity(group_id, unit_id, COALESCE(day, ''))`,
      `CREATE TABLE closure (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        facility_id INTEGER REFERENCES facility(id) ON DELETE CASCADE,
        activity_id INTEGER REFERENCES activity(id) ON DELETE CASCADE,
        start_date TEXT NOT NULL, end_date TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        CHECK (start_date <= end_date))`,
      `CREATE INDEX closure_dates ON closure(start_date, end_date)`,
      `CREATE TABLE school_holiday (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        zone TEXT NOT NULL CHECK (zone IN ('A','B','C')),
        school_year TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'petites' CHECK (kind IN ('petites','grandes','pont')),
        first_day_off TEXT NOT NULL,
        back_day TEXT,
        UNIQUE (zone, school_year, name))`,
      `CREATE INDEX school_holiday_zone ON school_holiday(zone, first_day_off)`,
      `CREATE TABLE enrolment (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        child_id INTEGER NOT NULL REFERENCES child(id) ON DELETE CASCADE,
        activity_id INTEGER NOT NULL REFERENCES activity(id),
        period_id INTEGER NOT NULL REFERENCES activity_period(id),
        group_id INTEGER NOT NULL REFERENCES activity_group(id),
        status TEXT NOT NULL CHECK (status IN ('pending','validated','waiting','refused','ended','pre-enrolment')),
        request_id INTEGER REFERENCES request(id) ON DELETE SET NULL,
        typical_week TEXT NOT NULL DEFAULT '[]',
        memo TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT 'family' CHECK (source IN ('family','staff')),
        start_date TEXT,
        waiting_since TEXT,
        created_at TEXT NOT NULL,
        decided_at TEXT,
        ended_on TEXT)`,
      `CREATE INDEX enrolment_child ON enrolment(child_id)`,
      `CREATE INDEX enrolment_queue ON enrolment(status, activity_id, period_id, group_id)`,
      `CREATE INDEX enrolment_group ON enrolment(group_id, period_id, status)`,
      // One live enrolment per child and period: also what stops a double click from filing twice.
      `CREATE UNIQUE INDEX enrolment_live ON enrolment(child_id, period_id)
        WHERE status IN ('pending','validated','waiting','pre-enrolment')`,
      `CREATE TABLE booking (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        child_id INTEGER NOT NULL REFERENCES child(id) ON DELETE CASCADE,
        unit_id INTEGER NOT NULL REFERENCES unit(id),
        day TEXT NOT NULL,
        enrolment_id INTEGER REFERENCES enrolment(id) ON DELETE SET NULL,
        group_id INTEGER REFERENCES activity_group(id) ON DELETE SET NULL,
        state TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT 'family',
        request_id INTEGER REFERENCES request(id) ON DELETE SET NULL,
        price_cents INTEGER NOT NULL DEFAULT 0,
        arrived_at TEXT, left_at TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        UNIQUE (child_id, unit_id, day))`,
      `CREATE INDEX booking_unit_day ON booking(unit_id, day, state)`,
      `CREATE INDEX booking_day ON booking(day)`,
      `CREATE INDEX booking_enrolment ON booking(enrolment_id, day)`
    ]
    for (const s of statements) await q.query(s)
    // School holidays ship as data (resources/calendar/) and are edited in the database from then on.
    for (const h of loadShippedHolidays()) {
      await q.query(`INSERT INTO school_holiday (zone, school_year, name, kind, first_day_off, back_day) VALUES (?, ?, ?, ?, ?, ?)`, [
        h.zone, h.schoolYear, h.name, h.kind, h.firstDayOff, h.backDay
      ])
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['booking', 'enrolment', 'school_holiday', 'closure', 'capacity', 'unit_exclusion', 'unit',
      'activity_group', 'activity_period', 'activity', 'activity_type', 'facility']) {
      await q.query(`DROP TABLE ${t}`)
    }
  }
}
