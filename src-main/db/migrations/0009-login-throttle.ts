import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Login throttling without lockout (accounts/throttle.ts): budgets keyed per
 * account, per (account, address) pair and per address hold their failures and
 * the time of the last one, from which the wait is computed; the old
 * `locked_until` is gone. `alerted_at` remembers the « tentatives de connexion »
 * e-mail of the current window. The usual addresses of an account (a recent
 * successful login) are kept apart: they skip the account-wide budget.
 * Throttle rows are transient, so the table is recreated rather than converted.
 */
export class LoginThrottle0000000000009 implements MigrationInterface {
  name = 'LoginThrottle0000000000009'

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE login_throttle')
    await q.query(`CREATE TABLE login_throttle (
      key TEXT PRIMARY KEY,
      failures INTEGER NOT NULL,
      window_start TEXT NOT NULL,
      last_failure_at TEXT NOT NULL,
      alerted_at TEXT)`)
    await q.query('CREATE INDEX login_throttle_window ON login_throttle(window_start)')
    await q.query(`CREATE TABLE login_known_address (
      kind TEXT NOT NULL CHECK (kind IN ('staff','portal')),
      user_id INTEGER NOT NULL,
      address TEXT NOT NULL,
      last_success_at TEXT NOT NULL,
      PRIMARY KEY (kind, user_id, address))`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE login_known_address')
    await q.query('DROP TABLE login_throttle')
    await q.query('CREATE TABLE login_throttle (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, window_start TEXT NOT NULL, locked_until TEXT)')
  }
}
