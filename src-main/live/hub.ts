import { randomBytes } from 'node:crypto'
import { LIVE_TOPIC_NAMES, type LiveChange, type LiveEventData, type LiveTopic } from '@shared/contract/live'

/** One event as kept and sent: its stream id (`<boot>.<seq>`) and what changed. */
export interface LiveEvent extends LiveEventData {
  seq: number
  id: string
}

/** Changes a transaction may announce besides the topics: a session ended (logout, revocation, account disabled). */
export type HubChange = LiveChange | { topic: 'sessions' }

/** A commit that touched more rows than this sends no ids: the screens refetch what they show. */
const MAX_IDS = 200
const MAX_DAYS = 62

/**
 * The live-update hub of one Core: committed changes come in (the
 * transaction helper hands them over after COMMIT), numbered events go out to
 * the open streams, and the last `capacity` events are kept in a ring so a
 * stream that reconnects with Last-Event-ID gets what it missed. Memory is
 * bounded: an older gap, or a restart (the ids carry a boot tag), gets a
 * « resync » instead.
 */
export class LiveHub {
  /** Changes with every start: ids from before a restart are recognised as such. */
  readonly boot = randomBytes(4).toString('hex')
  private seq = 0
  private readonly ring: LiveEvent[] = []
  private readonly listeners = new Set<(e: LiveEvent) => void>()
  private readonly sessionListeners = new Set<() => void>()

  constructor(
    private readonly capacity = 2000,
    private readonly now: () => number = Date.now
  ) {}

  /** The id of the last event published (what a fresh stream resumes from). */
  get lastId(): string {
    return `${this.boot}.${this.seq}`
  }

  /** One committed transaction's changes: merged into one event per topic (a « Terminer » of 32 days is one event). */
  publish(changes: readonly unknown[]): void {
    const byTopic = new Map<LiveTopic, { ids: Set<number>; days: Set<string> }>()
    let sessions = false
    for (const c of changes as HubChange[]) {
      if (c.topic === 'sessions') {
        sessions = true
        continue
      }
      if (!LIVE_TOPIC_NAMES.includes(c.topic)) continue
      let t = byTopic.get(c.topic)
      if (!t) byTopic.set(c.topic, (t = { ids: new Set(), days: new Set() }))
      if (c.id !== undefined) t.ids.add(c.id)
      if (c.day) t.days.add(c.day)
    }
    const at = this.now()
    for (const [topic, t] of byTopic) {
      const seq = ++this.seq
      const e: LiveEvent = { seq, id: `${this.boot}.${seq}`, topic, at }
      if (t.ids.size && t.ids.size <= MAX_IDS) e.ids = [...t.ids]
      if (t.days.size && t.days.size <= MAX_DAYS) e.days = [...t.days].sort()
      this.ring.push(e)
      if (this.ring.length > this.capacity) this.ring.shift()
      for (const l of this.listeners) l(e)
    }
    if (sessions) for (const l of this.sessionListeners) l()
  }

  /**
   * The events after `lastId`, or null when they cannot all be given: an id
   * from another start, one the ring has already dropped events after, or a
   * malformed one. The caller then sends « resync ».
   */
  since(lastId: string): LiveEvent[] | null {
    const m = /^([0-9a-f]{8})\.(\d{1,15})$/.exec(lastId)
    if (!m || m[1] !== this.boot) return null
    const last = Number(m[2])
    if (last > this.seq) return null
    const oldest = this.ring.length ? this.ring[0].seq : this.seq + 1
    // Every event after `last` must still be in the ring.
    if (last + 1 < oldest) return null
    return this.ring.filter((e) => e.seq > last)
  }

  subscribe(listener: (e: LiveEvent) => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  /** Told when a committed transaction ended sessions: the streams check theirs at once. */
  onSessionsChanged(listener: () => void): () => void {
    this.sessionListeners.add(listener)
    return () => void this.sessionListeners.delete(listener)
  }

  /** Open streams (État du système, the bench). */
  get subscribers(): number {
    return this.listeners.size
  }
}
