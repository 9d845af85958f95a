import { LessThan, type EntityManager } from 'typeorm'
import type { Core } from '../core/app-core'
import { stmt } from '../db/statements'
import { storageError } from '../db/storage-errors'
import { liveChange } from '../live/changes'
import { Session, type SessionKind, type SessionListener, type SessionStage } from './entities'
import { newToken, sha256 } from './tokens'

/** Where a session is opened: its listener (the only one it is valid on), the client address and its stage. */
export interface SessionPlace {
  listener: SessionListener
  address: string
  stage?: SessionStage
}

/** A session awaiting its second factor, or its set-up, lasts this long at most: the rest of the login is quick. */
const UNFINISHED_LOGIN_MINUTES: Record<Exclude<SessionStage, 'full'>, number> = { 'second-factor': 5, 'two-factor-setup': 30 }

export function defaultListener(kind: SessionKind): SessionListener {
  return kind === 'portal' ? 'portal' : 'loopback'
}

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
export async function openSession(
  core: Core,
  kind: SessionKind,
  userId: number,
  previousToken?: string | null,
  place: SessionPlace = { listener: defaultListener(kind), address: '' }
): Promise<OpenSession> {
  const now = core.clock.now()
  const token = newToken()
  const stage = place.stage ?? 'full'
  const minutes = stage === 'full' ? policy(core, kind).absoluteMinutes : UNFINISHED_LOGIN_MINUTES[stage]
  const session = Object.assign(new Session(), {
    id: sha256(token),
    kind,
    userId,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + minutes * 60_000).toISOString(),
    listener: place.listener,
    stage,
    address: place.address,
    publicId: newToken(12)
  })
  await core.tx.run(async (m) => {
    if (previousToken) await m.delete(Session, { id: sha256(previousToken) })
    // Opportunistic clean-up of sessions past their absolute expiry.
    await m.delete(Session, { expiresAt: LessThan(now.toISOString()) })
    await m.insert(Session, session)
  })
  return { token, session }
}

/**
 * Returns the live session for a cookie value and slides its idle timeout, or null. A session is only valid on the
 * listener it was opened on; a session of any stage is returned (callers that act need `stage === 'full'`).
 */
export async function resolveSession(
  core: Core,
  kind: SessionKind,
  token: string | null | undefined,
  listener: SessionListener = defaultListener(kind)
): Promise<Session | null> {
  if (!token) return null
  const now = core.clock.now()
  // Every request checks its session: read it on the snapshot connection (last committed state, no mutex), and
  // take a write transaction only for the rare writes (expiry, the once-a-minute idle slide). A revoked session
  // (« Postes connectés ») is a deleted row: the next request, on any listener, finds nothing.
  const row = stmt(
      core.snapshot,
      `SELECT id, kind, user_id AS userId, created_at AS createdAt, last_seen_at AS lastSeenAt, expires_at AS expiresAt,
              listener, stage, address, public_id AS publicId
         FROM session WHERE id = ? AND kind = ? AND listener = ?`
    )
    .get(sha256(token), kind, listener) as Omit<Session, never> | undefined
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
  await core.tx.run(async (m) => {
    await m.delete(Session, { id: sha256(token) })
    // The session's open event streams close at once (server/staff-events.ts).
    liveChange({ topic: 'sessions' })
  })
}

/** Ends every session of a user (password change, account disabled), or only those of one listener. */
export async function closeAllSessions(core: Core, kind: SessionKind, userId: number, exceptToken?: string, listener?: SessionListener): Promise<void> {
  await core.tx.run(async (m) => {
    const qb = m.createQueryBuilder().delete().from(Session).where('kind = :kind AND user_id = :userId', { kind, userId })
    if (exceptToken) qb.andWhere('id <> :keep', { keep: sha256(exceptToken) })
    if (listener) qb.andWhere('listener = :listener', { listener })
    await qb.execute()
    liveChange({ topic: 'sessions' })
  })
}

/**
 * The session of a cookie, if it is still live, WITHOUT sliding its idle timeout: an open event stream checks its
 * session again and again, and must not keep an unattended back-office logged in for ever.
 */
export function peekSession(core: Core, kind: SessionKind, token: string): Pick<Session, 'id' | 'userId'> | null {
  const row = stmt(core.snapshot, 'SELECT id, user_id AS userId, last_seen_at AS lastSeenAt, expires_at AS expiresAt FROM session WHERE id = ? AND kind = ?').get(sha256(token), kind) as
    | { id: string; userId: number; lastSeenAt: string; expiresAt: string }
    | undefined
  if (!row) return null
  const now = core.clock.now()
  if (now >= new Date(row.expiresAt) || now.getTime() >= new Date(row.lastSeenAt).getTime() + policy(core, kind).idleMinutes * 60_000) return null
  return { id: row.id, userId: row.userId }
}
