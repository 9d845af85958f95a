import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The rush of the 20th (#5, bench/rush-20th.ts): every index on
 * `booking_change` is written once per booked day. The queue index only ever
 * serves the pending queue (`status = 'pending'`; the "decided" view filters
 * with `<>` and sorts by decision date, which it cannot use — 0007 gives it its own index), so it now holds
 * pending lines only: the thousands of lines an automatically validated
 * activity accepts at once no longer enter it. Measured with
 * bench/rush-commit-cost.ts: about a fifth less time per "Terminer".
 */
export class RushIndexes0000000000006 implements MigrationInterface {
  name = 'RushIndexes0000000000006'

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX booking_change_queue')
    await q.query(`CREATE INDEX booking_change_queue ON booking_change(kind, created_at) WHERE status = 'pending'`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX booking_change_queue')
    await q.query('CREATE INDEX booking_change_queue ON booking_change(status, kind, created_at)')
  }
}
