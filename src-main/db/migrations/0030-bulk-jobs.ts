import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Durable commune-wide jobs (#19): the closure of a day for a whole city and
 * the auto-booking of a school year. `bulk_job` records what, who and the
 * parameters in one short transaction, then the job is applied in chunks of
 * short transactions, each moving `cursor` forward with its work, so a
 * process killed midway resumes at the next chunk. `bulk_job_item` is the
 * list of what the job works through (families of a closure, enrolments to
 * accept), snapshotted when it is recorded: the keyset the chunks page over
 * and the progress total. `bulk_job_call` keeps the families a closure could
 * not e-mail (the desk phones them).
 */
export class BulkJobs0000000000030 implements MigrationInterface {
  name = 'BulkJobs0000000000030'

  async up(q: QueryRunner): Promise<void> {
    for (const s of [
      `CREATE TABLE bulk_job (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('closure','autobook')),
        params TEXT NOT NULL,
        actor TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running','done')),
        cursor INTEGER NOT NULL DEFAULT 0,
        done INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        result TEXT NOT NULL DEFAULT '{}',
        created_by INTEGER REFERENCES staff_user(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        finished_at TEXT)`,
      `CREATE INDEX bulk_job_running ON bulk_job(kind, id) WHERE status = 'running'`,
      `CREATE TABLE bulk_job_item (
        job_id INTEGER NOT NULL REFERENCES bulk_job(id) ON DELETE CASCADE,
        item_id INTEGER NOT NULL,
        PRIMARY KEY (job_id, item_id)) WITHOUT ROWID`,
      `CREATE TABLE bulk_job_call (
        job_id INTEGER NOT NULL REFERENCES bulk_job(id) ON DELETE CASCADE,
        family_id INTEGER NOT NULL,
        cancelled INTEGER NOT NULL,
        PRIMARY KEY (job_id, family_id)) WITHOUT ROWID`
    ])
      await q.query(s)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['bulk_job_call', 'bulk_job_item', 'bulk_job']) await q.query(`DROP TABLE ${t}`)
  }
}
