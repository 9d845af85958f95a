import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Foundation schema: structure, settings, staff, families, portal accounts,
 * sessions, generic requests, mail outbox, audit log, counters.
 * Migrations are plain SQL so the schema on disk is exactly what we read here.
 */
export class Foundation0000000000001 implements MigrationInterface {
  name = 'Foundation0000000000001'

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
      `CREATE TABLE structure (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL, address TEXT NOT NULL DEFAULT '', postal_code TEXT NOT NULL DEFAULT '',
        city TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '',
        logo TEXT, siret TEXT NOT NULL DEFAULT '', holiday_zone TEXT NOT NULL DEFAULT 'B',
        holiday_region TEXT NOT NULL DEFAULT '', portal_url TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL)`,
      `CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL)`,
      `CREATE TABLE staff_user (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        login TEXT NOT NULL UNIQUE COLLATE NOCASE, display_name TEXT NOT NULL,
        email TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL CHECK (role IN ('direction','accueil','comptable','animateur')),
        password_hash TEXT NOT NULL, must_change_password INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, last_login_at TEXT)`,
      `CREATE TABLE family (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        number INTEGER NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('pending','active','archived','refused')),
        address TEXT NOT NULL DEFAULT '', postal_code TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '', search_text TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
      `CREATE INDEX family_status ON family(status)`,
      `CREATE TABLE person (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        family_id INTEGER NOT NULL REFERENCES family(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('responsable','conjoint')),
        civility TEXT NOT NULL DEFAULT '', last_name TEXT NOT NULL, first_name TEXT NOT NULL,
        birth_date TEXT, quality TEXT NOT NULL DEFAULT '', situation TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '', postal_code TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '',
        phone_mobile TEXT NOT NULL DEFAULT '', phone_home TEXT NOT NULL DEFAULT '', phone_work TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '', profession TEXT NOT NULL DEFAULT '', employer TEXT NOT NULL DEFAULT '',
        csp TEXT NOT NULL DEFAULT '', consent_email INTEGER NOT NULL DEFAULT 1, consent_sms INTEGER NOT NULL DEFAULT 0,
        UNIQUE (family_id, role))`,
      `CREATE INDEX person_family ON person(family_id)`,
      `CREATE TABLE child (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        family_id INTEGER NOT NULL REFERENCES family(id) ON DELETE CASCADE,
        last_name TEXT NOT NULL, first_name TEXT NOT NULL, birth_date TEXT NOT NULL,
        sex TEXT NOT NULL DEFAULT '' CHECK (sex IN ('','F','M')),
        school TEXT NOT NULL DEFAULT '', grade TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL)`,
      `CREATE INDEX child_family ON child(family_id)`,
      `CREATE TABLE portal_account (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        family_id INTEGER REFERENCES family(id) ON DELETE SET NULL,
        login TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending','active','refused','disabled')),
        must_change_password INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, validated_at TEXT, last_login_at TEXT)`,
      `CREATE INDEX portal_account_family ON portal_account(family_id)`,
      `CREATE TABLE session (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('staff','portal')),
        user_id INTEGER NOT NULL,
        created_at TEXT NOT NULL, last_seen_at TEXT NOT NULL, expires_at TEXT NOT NULL)`,
      `CREATE INDEX session_user ON session(kind, user_id)`,
      `CREATE TABLE password_token (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        token_hash TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('staff','portal')),
        user_id INTEGER NOT NULL,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT)`,
      `CREATE TABLE login_throttle (
        key TEXT PRIMARY KEY, failures INTEGER NOT NULL, window_start TEXT NOT NULL, locked_until TEXT)`,
      `CREATE TABLE request (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        family_id INTEGER NOT NULL REFERENCES family(id) ON DELETE CASCADE,
        account_id INTEGER REFERENCES portal_account(id) ON DELETE SET NULL,
        type TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending','accepted','refused','cancelled')),
        summary TEXT NOT NULL DEFAULT '',
        payload TEXT NOT NULL DEFAULT '{}',
        reason TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL, decided_at TEXT,
        decided_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL)`,
      `CREATE INDEX request_queue ON request(status, type, created_at)`,
      `CREATE INDEX request_family ON request(family_id, created_at)`,
      `CREATE TABLE outbox_mail (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient TEXT NOT NULL, subject TEXT NOT NULL, text_body TEXT NOT NULL, html_body TEXT,
        attachments TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL CHECK (status IN ('pending','sent','failed')),
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, last_error TEXT,
        created_at TEXT NOT NULL, sent_at TEXT)`,
      `CREATE INDEX outbox_due ON outbox_mail(status, next_attempt_at)`,
      `CREATE TABLE audit_entry (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL, actor_kind TEXT NOT NULL, actor_id INTEGER, actor_label TEXT NOT NULL,
        action TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT,
        before TEXT, after TEXT)`,
      `CREATE INDEX audit_entity ON audit_entry(entity, entity_id)`,
      `CREATE INDEX audit_at ON audit_entry(at)`
    ]
    for (const s of statements) await q.query(s)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['audit_entry', 'outbox_mail', 'request', 'login_throttle', 'password_token', 'session',
      'portal_account', 'child', 'person', 'family', 'staff_user', 'setting', 'structure', 'counter']) {
      await q.query(`DROP TABLE ${t}`)
    }
  }
}
