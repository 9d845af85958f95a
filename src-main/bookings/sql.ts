import type Database from 'better-sqlite3'
import type { EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import { rawDatabase } from '../db/data-source'

/**
 * Prepared statements on the raw better-sqlite3 connection under TypeORM.
 * The rush of the 20th commits hundreds of booking rows per second; going
 * through the entity manager row by row costs an order of magnitude more.
 * Called inside `core.tx.run`/`core.tx.read`, they run in the same
 * transaction (the driver has a single connection).
 */
export { stmt } from '../db/statements'
import { stmt } from '../db/statements'

export function dbOf(m: EntityManager): Database.Database {
  return rawDatabase(m.connection)
}

/** `?, ?, ?` for an IN list. */
export function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ')
}

/**
 * One audit row, written like audit/audit.ts but through a cached statement
 * (booking rows carry no secret, so no redaction is needed).
 */
export function auditRow(
  db: Database.Database,
  actor: Actor,
  at: string,
  action: string,
  entity: string,
  entityId: number | string | null,
  before: unknown,
  after: unknown
): void {
  stmt(
    db,
    'INSERT INTO audit_entry (at, actor_kind, actor_id, actor_label, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
  ).run(
    at,
    actor.kind,
    actor.id,
    actor.label,
    action,
    entity,
    entityId == null ? null : String(entityId),
    before == null ? null : JSON.stringify(before),
    after == null ? null : JSON.stringify(after)
  )
}
