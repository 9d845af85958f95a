import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The back-office on the local network (issue 15 §1):
 * - a session records the listener it was opened on (`loopback`, `lan`,
 *   `ipc`, `portal`) and is only valid there, the client address, its stage
 *   (`full`, or `second-factor` while the TOTP code is awaited, or
 *   `two-factor-setup` when the policy requires a second factor the user has
 *   not set up yet) and a random public id the « Postes connectés » list
 *   names it by (the primary key is the cookie's hash and never leaves the
 *   server);
 * - `staff_totp` holds a staff user's TOTP secret, encrypted with the
 *   installation key (accounts/totp-secret.ts), the one being set up, and the
 *   last time step accepted (a code is never accepted twice);
 * - `staff_recovery_code` holds the single-use recovery codes, hashed.
 */
export class StaffNetwork0000000000019 implements MigrationInterface {
  name = 'StaffNetwork0000000000019'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE session ADD COLUMN listener TEXT NOT NULL DEFAULT 'loopback' CHECK (listener IN ('loopback','lan','ipc','portal'))`)
    await q.query(`UPDATE session SET listener = 'portal' WHERE kind = 'portal'`)
    await q.query(`ALTER TABLE session ADD COLUMN stage TEXT NOT NULL DEFAULT 'full' CHECK (stage IN ('full','second-factor','two-factor-setup'))`)
    await q.query(`ALTER TABLE session ADD COLUMN address TEXT NOT NULL DEFAULT ''`)
    await q.query(`ALTER TABLE session ADD COLUMN public_id TEXT`)
    await q.query(`UPDATE session SET public_id = lower(hex(randomblob(12)))`)
    await q.query(`CREATE UNIQUE INDEX session_public_id ON session(public_id)`)
    await q.query(`CREATE TABLE staff_totp (
      user_id INTEGER PRIMARY KEY REFERENCES staff_user(id),
      secret TEXT,
      confirmed_at TEXT,
      pending_secret TEXT,
      pending_since TEXT,
      last_time_step INTEGER NOT NULL DEFAULT 0)`)
    await q.query(`CREATE TABLE staff_recovery_code (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      user_id INTEGER NOT NULL REFERENCES staff_user(id),
      code_hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      used_at TEXT)`)
    await q.query(`CREATE INDEX staff_recovery_code_user ON staff_recovery_code(user_id)`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE staff_recovery_code')
    await q.query('DROP TABLE staff_totp')
    await q.query('DROP INDEX session_public_id')
    for (const c of ['public_id', 'address', 'stage', 'listener']) await q.query(`ALTER TABLE session DROP COLUMN ${c}`)
  }
}
