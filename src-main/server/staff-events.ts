import type { FastifyInstance, FastifyReply } from 'fastify'
import fastifySse from '@fastify/sse'
import { staffProcedures } from '@shared/contract'
import { LIVE_TOPIC_NAMES, topicRoles, type LiveControlEvent, type LiveEventData, type LiveTopic } from '@shared/contract/live'
import type { StaffRole } from '@shared/contract/procedure'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { peekSession } from '../accounts/sessions'
import { stmt } from '../db/statements'
import type { LiveEvent } from '../live/hub'
import { SESSION_EXPIRED } from '../rpc/dispatch'
import type { StaffActor } from '../rpc/types'
import { registerSessionCookies } from './session-cookies'

export interface StaffEventsOptions {
  core: Core
  cookieName: string
  secret: string
  resolveActor(token: string | null): Promise<StaffActor | null>
  /** A comment line this often keeps proxies and idle-socket timers from cutting a quiet stream. */
  heartbeatMs?: number
  /** The session is checked again this often (and at once when a commit ends sessions). */
  recheckMs?: number
}

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

/** A stream this far behind (a stalled client) is sent « resync » instead of an ever longer queue. */
const MAX_QUEUED = 500

/**
 * `GET /api/staff/events`: the back-office's live updates, as Server-Sent
 * Events (@fastify/sse). Registered by the staff app only, so it exists on
 * each staff listener (loopback, and the LAN one) and never on the portal.
 *
 * - The session is checked at connection (401 otherwise), again every
 *   `recheckMs` without sliding its idle timeout, and at once when a commit
 *   ends sessions: a revoked or logged-out session gets `session-ended` and
 *   the stream closes.
 * - Events carry a topic and ids, only those the role may hear of.
 * - `Last-Event-ID` (or `?lastEventId=` for a new EventSource) resumes: the
 *   missed events are replayed from the hub's ring, or « resync » is sent.
 */
export async function staffEventsPlugin(app: FastifyInstance, opts: StaffEventsOptions): Promise<void> {
  const { core } = opts
  await registerSessionCookies(app, opts)
  await app.register(fastifySse, { heartbeatInterval: opts.heartbeatMs ?? 20_000 })

  // A stream never ends by itself: on shutdown they are closed first, or the listener would wait for them for ever.
  const open = new Set<LiveStream>()
  app.addHook('preClose', async () => {
    for (const s of open) s.close()
  })

  app.get<{ Querystring: { lastEventId?: string } }>('/api/staff/events', { sse: 'only' }, async (req, reply) => {
    const token = req.sessionToken
    const actor = token ? await opts.resolveActor(token) : null
    // Refused before the first byte of the stream: an ordinary JSON error (EventSource stops retrying on a non-200).
    if (!actor || !token) throw new DomainError('unauthenticated', SESSION_EXPIRED, 401)
    if (actor.mustChangePassword) throw new DomainError('password_change_required', 'Vous devez d’abord choisir un nouveau mot de passe.', 403)
    const topics = topicsOf(actor.role)
    const stream = new LiveStream(reply)
    open.add(stream)
    reply.sse.keepAlive()

    // Subscribing and reading the ring happen in the same turn of the event loop: no event can fall between them.
    const unsubscribe = core.live.subscribe((e) => {
      if (topics.has(e.topic)) stream.push(e)
    })
    const lastId = (req.headers['last-event-id'] as string | undefined) ?? req.query.lastEventId
    if (lastId) {
      const missed = core.live.since(lastId)
      if (missed) for (const e of missed.filter((x) => topics.has(x.topic))) stream.push(e)
      else stream.control('resync', core.live.lastId)
    } else stream.control('hello', core.live.lastId)

    const check = () => {
      if (!stream.open) return
      const s = peekSession(core, 'staff', token)
      const u = s ? (stmt(core.snapshot, 'SELECT role, active FROM staff_user WHERE id = ?').get(s.userId) as { role: string; active: number } | undefined) : undefined
      // Gone, expired, disabled, or another role (the stream's filter was the old role's): the client reconnects or logs in.
      if (!u || u.active !== 1 || u.role !== actor.role) stream.end()
    }
    const stopSessions = core.live.onSessionsChanged(check)
    const timer = setInterval(check, opts.recheckMs ?? 15_000)
    timer.unref()
    reply.sse.onClose(() => {
      open.delete(stream)
      stream.open = false
      unsubscribe()
      stopSessions()
      clearInterval(timer)
    })
  })
}

/** One open stream: events written in order, one at a time, with back-pressure (@fastify/sse awaits `drain`). */
class LiveStream {
  open = true
  private queue: { id?: string; event: string; data: unknown }[] = []
  private writing = false

  constructor(private readonly reply: FastifyReply) {}

  push(e: LiveEvent): void {
    if (!this.open) return
    const data: LiveEventData = { topic: e.topic, at: e.at, ...(e.ids ? { ids: e.ids } : {}), ...(e.days ? { days: e.days } : {}) }
    if (this.queue.length >= MAX_QUEUED) {
      // Whatever was queued is summed up by a resync; the last event's id lets the client resume from here.
      this.queue = [{ id: e.id, event: 'resync', data: {} }]
    } else this.queue.push({ id: e.id, event: 'change', data })
    void this.flush()
  }

  control(event: LiveControlEvent, id?: string): void {
    if (!this.open) return
    this.queue.push({ ...(id ? { id } : {}), event, data: {} })
    void this.flush()
  }

  /** Closes the stream at once (the server is stopping: the client reconnects to the next one and resumes). */
  close(): void {
    this.open = false
    this.queue = []
    this.reply.sse.close()
  }

  /** Tells the client its session is over, then closes the stream (the client goes to the login page). */
  end(): void {
    if (!this.open) return
    this.open = false
    this.queue = [{ event: 'session-ended', data: {} }]
    void this.flush().then(() => this.reply.sse.close())
  }

  private async flush(): Promise<void> {
    if (this.writing) return
    this.writing = true
    try {
      while (this.queue.length && this.reply.sse.isConnected) {
        const m = this.queue.shift()!
        await this.reply.sse.send(m)
      }
    } catch {
      // The client went away mid-write: onClose cleans up.
    } finally {
      this.writing = false
    }
  }
}
