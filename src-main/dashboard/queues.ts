import type Database from 'better-sqlite3'
import type { DashboardQueuesDto } from '@shared/contract/desk-shapes'
import { stmt } from '../db/statements'

/**
 * What waits for the desk: pending requests by kind with their age (one
 * pass over the (status, type, created_at) index), and, for the direction,
 * e-mails that failed for good or are being retried (the outbox's
 * (status, next_attempt_at) index).
 */
export function queuesAtDesk(db: Database.Database, now: Date, withMails: boolean): DashboardQueuesDto {
  const ago = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString()
  const requests = stmt(
    db,
    `SELECT type, COUNT(*) AS count, MIN(created_at) AS oldest, SUM(created_at < ?) AS olderThan2Days, SUM(created_at < ?) AS olderThan7Days
       FROM request WHERE status = 'pending' GROUP BY type ORDER BY count DESC, type`
  ).all(ago(2), ago(7)) as DashboardQueuesDto['requests']
  const mails = withMails
    ? (stmt(
        db,
        `SELECT COALESCE(SUM(status = 'failed'), 0) AS failed, COALESCE(SUM(status = 'pending' AND attempts > 0), 0) AS retrying
           FROM outbox_mail WHERE status IN ('failed', 'pending')`
      ).get() as { failed: number; retrying: number })
    : null
  return { requests, mails }
}
