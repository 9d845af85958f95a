import { staffProcedures } from '@shared/contract'
import { LIVE_TOPIC_NAMES, topicRoles, type LiveControlEvent, type LiveMessage, type LiveTopic } from '@shared/contract/live'
import type { StaffRole } from '@shared/contract/procedure'
import type { Core } from '../core/app-core'
import { peekSession } from '../accounts/sessions'
import { stmt } from '../db/statements'
import type { LiveEvent } from './hub'

/** The topics each role may hear of, from the contract's roles (shared/contract/live.ts). */
const ROLE_TOPICS = new Map<StaffRole, Set<LiveTopic>>()
for (const topic of LIVE_TOPIC_NAMES) {
  for (const role of topicRoles(staffProcedures, topic)) {
    if (!ROLE_TOPICS.has(role)) ROLE_TOPICS.set(role, new Set())
    ROLE_TOPICS.get(role)!.add(topic)
  }
}
export function topicsOf(role: StaffRole): ReadonlySet<LiveTopic> {
  return ROLE_TOPICS.get(role) ?? new Set()
}

/** Where a subscription's messages go: an SSE stream (server/staff-events.ts) or a window over IPC (electron/live-ipc.ts). */
export interface LiveSink {
  /** A committed change the role may hear of. */
  change(e: LiveEvent): void
  control(event: LiveControlEvent, id?: string): void
  /** The session is over (logged out, revoked, disabled, role changed): say `session-ended`, then stop. */
  end(): void
}

/** The message a change becomes on the wire, for both transports. */
export function changeMessage(e: LiveEvent): LiveMessage {
  return { id: e.id, event: 'change', data: { topic: e.topic, at: e.at, ...(e.ids ? { ids: e.ids } : {}), ...(e.days ? { days: e.days } : {}) } }
}

/**
 * One staff member's live updates, whatever carries them: the committed changes
 * of the topics their role may hear of; from `lastId` on (replayed from the
 * hub's ring, or « resync » when they are no longer kept), else `hello`. The
 * session is checked again every `recheckMs` without sliding its idle timeout,
 * and at once when a commit ends sessions. Returns the unsubscribe.
 */
export function subscribeLive(core: Core, who: { token: string; role: StaffRole }, sink: LiveSink, lastId: string | undefined, recheckMs = 15_000): () => void {
  const topics = topicsOf(who.role)
  let open = true
  // Subscribing and reading the ring happen in the same turn of the event loop: no event can fall between them.
  const unsubscribe = core.live.subscribe((e) => {
    if (topics.has(e.topic)) sink.change(e)
  })
  if (lastId) {
    const missed = core.live.since(lastId)
    if (missed) for (const e of missed.filter((x) => topics.has(x.topic))) sink.change(e)
    else sink.control('resync', core.live.lastId)
  } else sink.control('hello', core.live.lastId)

  const stop = () => {
    if (!open) return
    open = false
    unsubscribe()
    stopSessions()
    clearInterval(timer)
  }
  const check = () => {
    if (!open) return
    const s = peekSession(core, 'staff', who.token)
    const u = s ? (stmt(core.snapshot, 'SELECT role, active FROM staff_user WHERE id = ?').get(s.userId) as { role: string; active: number } | undefined) : undefined
    // Gone, expired, disabled, or another role (the filter was the old role's): the client reconnects or logs in.
    if (!u || u.active !== 1 || u.role !== who.role) {
      stop()
      sink.end()
    }
  }
  const stopSessions = core.live.onSessionsChanged(check)
  const timer = setInterval(check, recheckMs)
  timer.unref()
  return stop
}
