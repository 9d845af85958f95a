import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The validation queue's "Traitées" view lists decided change lines, newest
 * decision first. Without an index it sorted every decided line of the year
 * on each page (254 ms at 105,600 lines, seconds at a commune's year). The
 * index is partial (decided lines only) and its key only grows (decisions
 * are timestamped now), so each new line appends to its last page: cheap for
 * the rush of the 20th, unlike an index on a scattered key.
 */
export class DecidedQueueIndex0000000000007 implements MigrationInterface {
  name = 'DecidedQueueIndex0000000000007'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX booking_change_decided ON booking_change(decided_at) WHERE status <> 'pending'`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX booking_change_decided')
  }
}
