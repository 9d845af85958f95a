import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Who marked a child present, absent or gone, and when the mark was made
 * (issue 15 §3). A tablet that was offline sends its marks later with the
 * time each was made: the latest mark wins, whatever order they arrive in,
 * and the back-office shows the mark and who made it.
 */
export class AttendanceMarks0000000000020 implements MigrationInterface {
  name = 'AttendanceMarks0000000000020'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE booking ADD COLUMN marked_at TEXT`)
    await q.query(`ALTER TABLE booking ADD COLUMN marked_by INTEGER REFERENCES staff_user(id)`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE booking DROP COLUMN marked_by`)
    await q.query(`ALTER TABLE booking DROP COLUMN marked_at`)
  }
}
