import { LessThan, type EntityManager } from 'typeorm'
import type { Core } from '../core/app-core'
import { stmt } from '../db/statements'
import { storageError } from '../db/storage-errors'
import { Session, type SessionKind } from './entities'
import { newToken, sha256 } from './tokens'

export interface OpenSession {
  /** The cookie value. Only its hash is stored. */
  token: string
  session: Session
}

function policy(core: Core, kind: SessionKind) {
  return kind === 'staff' ? core.options.staffSession : core.options.portalSession
}

/**
 * Opens a fresh session. Called at every login: the id the browser had
 * before (if any) is destroyed, so a planted session id never becomes an
 * authenticated one (rotation).
 */
export async function openSession(core: Core, kind: SessionKind, userId: number, previousToken?: string | null): Promise<OpenSession> {
  const now = core.clock.now()
  const token = newToken()
  const session = Object.assign(new Session(), {
    id: sha256(token),
    kind,
    userId,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + policy(core, kind).absoluteMinutes * 60_000).toISOString()
  })
  await core.tx.run(async (m) => {
    if (previousToken) await m.delete(Session, { id: sha256(previousToken) })
    // Opportunistic clean-up of sessions past their absolute expiry.
    await m.delete(Session, { expiresAt: LessThan(now.toISOString()) })
    await m.insert(Session, session)
  })
  return { token, session }
}

/** Returns the live session for a cookie value and slides its idle timeout, or null. */
export async function resolveSession(core: Core, kind: SessionKind, token: string | null | undefined): Promise<Session | null> {
  if (!token) return null
  const now = core.clock.now()
  // Every request checks its session: read it on the snapshot connection (last committed state, no mutex), and
  // take a write transaction only for the rare writes (expiry, the once-a-minute idle slide).
  const row = stmt(
      core.snapshot,
      'SELECT id, kind, user_id AS userId, created_at AS createdAt, last_seen_at AS lastSeenAt, expires_at AS expiresAt FROM session WHERE id = ? AND kind = ?'
    )
    .get(sha256(token), kind) as Omit<Session, never> | undefined
  if (!row) return null
  const s = Object.assign(new Session(), row)
  const idleLimit = new Date(new Date(s.lastSeenAt).getTime() + policy(core, kind).idleMinutes * 60_000)
  if (now >= new Date(s.expiresAt) || now >= idleLimit) {
    await housekeeping(core, (m) => m.delete(Session, { id: s.id }))
    return null
  }
  // Write at most once a minute: the idle timeout does not need more precision.
  if (now.getTime() - new Date(s.lastSeenAt).getTime() > 60_000) {
    s.lastSeenAt = now.toISOString()
    await housekeeping(core, (m) => m.update(Session, { id: s.id }, { lastSeenAt: s.lastSeenAt }))
  }
  return s
}

/**
 * The session check's own writes are bookkeeping: on a full or read-only disk they are skipped, so reading
 * (and being told why a save fails) keeps working. The next request tries again.
 */
async function housekeeping(core: Core, write: (m: EntityManager) => Promise<unknown>): Promise<void> {
  try {
    await core.tx.run(write)
  } catch (e) {
    if (!storageError(e)) throw e
  }
}

export async function closeSession(core: Core, token: string | null | undefined): Promise<void> {
  if (!token) return
  await core.tx.run((m) => m.delete(Session, { id: sha256(token) }))
}

/** Ends every session of a user (password change, account disabled). */
export async function closeAllSessions(core: Core, kind: SessionKind, userId: number, exceptToken?: string): Promise<void> {
  await core.tx.run(async (m) => {
    const qb = m.createQueryBuilder().delete().from(Session).where('kind = :kind AND user_id = :userId', { kind, userId })
    if (exceptToken) qb.andWhere('id <> :keep', { keep: sha256(exceptToken) })
    await qb.execute()
  })
}
