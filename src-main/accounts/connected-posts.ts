import type { Actor, StaffRole } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { audit } from '../audit/audit'
import { Session, type SessionListener, type SessionStage } from './entities'
import { sha256 } from './tokens'

/**
 * « Postes connectés »: the staff sessions alive now, wherever they were
 * opened (this computer, the desktop window, the LAN), and ending one. A
 * session ended here is a deleted row: its next request, on any listener, is
 * refused (sessions are checked against the database on every request).
 */
export interface ConnectedPost {
  id: string
  userId: number
  displayName: string
  login: string
  role: StaffRole
  listener: Exclude<SessionListener, 'portal'>
  address: string
  stage: SessionStage
  createdAt: string
  lastSeenAt: string
  /** The session making this request. */
  current: boolean
}

export async function listConnectedPosts(core: Core, currentToken: string | null): Promise<ConnectedPost[]> {
  const now = core.clock.now()
  const idleMs = core.options.staffSession.idleMinutes * 60_000
  const rows = await core.tx.read((m) =>
    m.query(
      `SELECT s.id, s.public_id AS publicId, s.user_id AS userId, u.display_name AS displayName, u.login, u.role,
              s.listener, s.address, s.stage, s.created_at AS createdAt, s.last_seen_at AS lastSeenAt, s.expires_at AS expiresAt
         FROM session s JOIN staff_user u ON u.id = s.user_id
        WHERE s.kind = 'staff' AND s.expires_at > ?
        ORDER BY s.last_seen_at DESC`,
      [now.toISOString()]
    )
  )
  const mine = currentToken ? sha256(currentToken) : null
  return (rows as (ConnectedPost & { id: string; publicId: string; expiresAt: string })[])
    .filter((r) => new Date(r.lastSeenAt).getTime() + idleMs > now.getTime())
    .map(({ id, publicId, expiresAt: _e, ...r }) => ({ ...r, id: publicId, current: id === mine }))
}

export async function endConnectedPost(core: Core, actor: Actor, publicId: string): Promise<void> {
  await core.tx.run(async (m) => {
    const s = await m.findOneBy(Session, { publicId, kind: 'staff' })
    if (!s) throw new DomainError('not_found', 'Cette session est déjà terminée.', 404)
    await m.delete(Session, { id: s.id })
    await audit(m, actor, core.clock.now(), { action: 'session-end', entity: 'staff_user', entityId: s.userId, after: { listener: s.listener, address: s.address } })
  })
}
