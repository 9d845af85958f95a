import type Database from 'better-sqlite3'
import type { EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import { rawDatabase } from '../db/data-source'
import { announceAudited } from '../live/changes'

/**
 * Prepared statements on the raw better-sqlite3 connection under TypeORM.
 * The rush of the 20th commits hundreds of booking rows per second; going
 * through the entity manager row by row costs an order of magnitude more.
 * Called inside `core.tx.run`/`core.tx.read`, they run in the same
 * transaction (the driver has a single connection).
 */
export { stmt } from '../db/statements'
import { insertMany } from '../db/statements'

export function dbOf(m: EntityManager): Database.Database {
  return rawDatabase(m.connection)
}

/** `?, ?, ?` for an IN list. */
export function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ')
}

export interface AuditFact {
  action: string
  entity: string
  entityId: number | string | null
  before: unknown
  after: unknown
}

const AUDIT_COLUMNS = ['at', 'actor_kind', 'actor_id', 'actor_label', 'action', 'entity', 'entity_id', 'before', 'after'] as const

function auditValues(actor: Actor, at: string, f: AuditFact): unknown[] {
  return [
    at,
    actor.kind,
    actor.id,
    actor.label,
    f.action,
    f.entity,
    f.entityId == null ? null : String(f.entityId),
    f.before == null ? null : JSON.stringify(f.before),
    f.after == null ? null : JSON.stringify(f.after)
  ]
}

/** Many audit rows by one actor at one instant, in multi-row INSERTs (a "Terminer" writes one per booking). */
export function auditRows(db: Database.Database, actor: Actor, at: string, facts: AuditFact[]): void {
  insertMany(db, 'audit_entry', AUDIT_COLUMNS, facts.map((f) => auditValues(actor, at, f)))
  // The desks hear of it once committed (live/changes.ts), like audit/audit.ts.
  for (const f of facts) announceAudited(f.entity, f.entityId, f.after)
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
  auditRows(db, actor, at, [{ action, entity, entityId, before, after }])
}
