import type { FastifyInstance, FastifyReply } from 'fastify'
import fastifySse from '@fastify/sse'
import type { LiveControlEvent } from '@shared/contract/live'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import type { LiveEvent } from '../live/hub'
import { changeMessage, subscribeLive, type LiveSink } from '../live/subscription'
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
    const stream = new LiveStream(reply)
    open.add(stream)
    reply.sse.keepAlive()
    const lastId = (req.headers['last-event-id'] as string | undefined) ?? req.query.lastEventId
    const stop = subscribeLive(core, { token, role: actor.role }, stream, lastId, opts.recheckMs)
    reply.sse.onClose(() => {
      open.delete(stream)
      stream.open = false
      stop()
    })
  })
}

/** One open stream: events written in order, one at a time, with back-pressure (@fastify/sse awaits `drain`). */
class LiveStream implements LiveSink {
  open = true
  private queue: { id?: string; event: string; data: unknown }[] = []
  private writing = false

  constructor(private readonly reply: FastifyReply) {}

  change(e: LiveEvent): void {
    if (!this.open) return
    if (this.queue.length >= MAX_QUEUED) {
      // Whatever was queued is summed up by a resync; the last event's id lets the client resume from here.
      this.queue = [{ id: e.id, event: 'resync', data: {} }]
    } else this.queue.push(changeMessage(e))
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
