import type { EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import { announceAudited } from '../live/changes'
import { AuditEntry } from './entities'

export interface AuditInput {
  action: string
  entity: string
  entityId?: string | number | null
  before?: unknown
  after?: unknown
}

/** Fields never copied into the audit log. */
const SECRET_KEYS = new Set(['passwordHash', 'password', 'tokenHash', 'iban', 'originalIban', 'bic'])
const MASKED_KEYS = new Set(['iban', 'originalIban'])

function redact(v: unknown): string | null {
  if (v === undefined || v === null) return null
  return JSON.stringify(v, (k, val) => {
    if (SECRET_KEYS.has(k)) return MASKED_KEYS.has(k) && typeof val === 'string' ? `****${val.slice(-4)}` : '***'
    // Embedded files (a logo as a data URL) would make every audit page heavy; their size says enough.
    if (typeof val === 'string' && val.startsWith('data:') && val.length > 256) return `[fichier intégré, ${val.length} caractères]`
    return val
  })
}

/** Writes one audit row in the caller's transaction, so it exists iff the change does. */
export async function audit(m: EntityManager, actor: Actor, at: Date, input: AuditInput): Promise<void> {
  await m.insert(AuditEntry, {
    at: at.toISOString(),
    actorKind: actor.kind,
    actorId: actor.id,
    actorLabel: actor.label,
    action: input.action,
    entity: input.entity,
    entityId: input.entityId == null ? null : String(input.entityId),
    before: redact(input.before),
    after: redact(input.after)
  })
  // The desks hear of it once committed (live/changes.ts).
  announceAudited(input.entity, input.entityId, input.after)
}
