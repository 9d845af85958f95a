import { getCurrentInstance, onBeforeUnmount, ref } from 'vue'
import type { LiveEventData, LiveMessage, LiveTopic } from '@shared/contract/live'

/**
 * Live updates between desks (issue 15 §2): one EventSource on the staff
 * event stream (`GET /api/staff/events`) while a staff member is logged in.
 * Events say what changed (a topic, ids, days), never the data: a screen
 * refetches what it shows through the usual procedures.
 *
 * The browser's EventSource reconnects by itself after a network cut and
 * sends Last-Event-ID, so the server replays what was missed (or sends
 * « resync »: every screen refetches). If the server refused the stream
 * (restarted, session gone), a new one is tried a little later from the last
 * id seen. Inside the Electron shell the same stream comes over IPC
 * (`window.ribambelle.onLive`/`liveStart`, electron/live-ipc.ts), with the
 * same messages and the same resume from the last id.
 */
export type LiveHandler = (e: LiveEventData | null) => void

const handlers = new Map<LiveTopic, Set<LiveHandler>>()
let source: EventSource | null = null
let lastId = ''
let retry: ReturnType<typeof setTimeout> | null = null
let onEnded: () => void = () => {}

/** 'open' while the stream is connected (the counters stop polling then). */
export const liveStatus = ref<'off' | 'connecting' | 'open'>('off')

function dispatch(topic: LiveTopic | null, e: LiveEventData | null): void {
  const sets = topic ? [handlers.get(topic)] : [...handlers.values()]
  const seen = new Set<LiveHandler>()
  for (const set of sets) for (const h of set ?? []) if (!seen.has(h)) (seen.add(h), h(e))
}

/** One message of either transport: remember its id (to resume from), then tell the screens. */
function handle(m: LiveMessage): void {
  if (m.id) lastId = m.id
  if (m.event === 'change') dispatch((m.data as LiveEventData).topic, m.data as LiveEventData)
  else if (m.event === 'resync') dispatch(null, null)
  else if (m.event === 'session-ended') {
    stopLive()
    onEnded()
  }
}

function connect(): void {
  const url = lastId ? `/api/staff/events?lastEventId=${encodeURIComponent(lastId)}` : '/api/staff/events'
  const es = new EventSource(url)
  source = es
  liveStatus.value = 'connecting'
  const relay = (event: LiveMessage['event']) => (m: MessageEvent) => handle({ id: m.lastEventId || undefined, event, data: event === 'change' ? JSON.parse(m.data) : {} })
  es.onopen = () => (liveStatus.value = 'open')
  for (const event of ['hello', 'change', 'resync', 'session-ended'] as const) es.addEventListener(event, relay(event))
  es.onerror = () => {
    if (es !== source) return
    liveStatus.value = 'connecting'
    // CONNECTING: the browser retries by itself. CLOSED: it gave up (a non-200 answer); try again later.
    if (es.readyState === EventSource.CLOSED && !retry) {
      retry = setTimeout(() => {
        retry = null
        if (source === es) connect()
      }, 5000)
    }
  }
}

/** The Electron window: the same messages over IPC. A refusal (session not ready yet) is tried again later. */
let offBridge: (() => void) | null = null
function connectBridge(): void {
  const bridge = window.ribambelle!
  offBridge ??= bridge.onLive(handle)
  liveStatus.value = 'connecting'
  void bridge.liveStart(lastId).then((r) => {
    if (!offBridge) return
    if (r.ok) liveStatus.value = 'open'
    else if (!retry) {
      retry = setTimeout(() => {
        retry = null
        if (offBridge) connectBridge()
      }, 5000)
    }
  })
}

/** Opens the stream (once) for the logged-in staff member; `sessionEnded` runs if the server ends the session. */
export function startLive(sessionEnded: () => void): void {
  onEnded = sessionEnded
  if (window.ribambelle) {
    if (!offBridge) connectBridge()
    return
  }
  if (source || typeof EventSource === 'undefined') return
  connect()
}

export function stopLive(): void {
  source?.close()
  source = null
  if (offBridge) {
    offBridge()
    offBridge = null
    void window.ribambelle?.liveStop()
  }
  lastId = ''
  if (retry) clearTimeout(retry)
  retry = null
  liveStatus.value = 'off'
}

/** Calls `handler` on changes of these topics (null: a resync, refetch everything). Returns the unsubscribe. */
export function onLive(topics: readonly LiveTopic[], handler: LiveHandler): () => void {
  for (const t of topics) {
    if (!handlers.has(t)) handlers.set(t, new Set())
    handlers.get(t)!.add(handler)
  }
  return () => {
    for (const t of topics) handlers.get(t)?.delete(handler)
  }
}

/**
 * A screen's live refresh: `refresh` runs when one of `topics` changes, at most
 * once per `delayMs` (a burst of commits is one refetch), and only if the
 * change concerns the day the screen shows (`day`, when given and the event
 * names days). Unsubscribed when the component unmounts.
 */
export function useLive(
  topics: readonly LiveTopic[],
  refresh: (e: LiveEventData | null) => void,
  opts: { days?: () => readonly string[] | string | null | undefined; delayMs?: number } = {}
): void {
  let timer: ReturnType<typeof setTimeout> | null = null
  // The changes of a burst, merged: null once any of them was a resync or named no ids (refetch all).
  let merged: LiveEventData | null | undefined
  const off = onLive(topics, (e) => {
    if (e?.days && opts.days) {
      const shown = opts.days()
      const list = shown == null ? [] : typeof shown === 'string' ? [shown] : shown
      if (list.length && !e.days.some((d) => list.includes(d))) return
    }
    merged = merged === undefined ? e : merged && e?.ids && merged.ids ? { ...e, ids: [...merged.ids, ...e.ids] } : null
    if (timer) return
    timer = setTimeout(() => {
      timer = null
      const m = merged ?? null
      merged = undefined
      refresh(m)
    }, opts.delayMs ?? 150)
  })
  if (getCurrentInstance()) {
    onBeforeUnmount(() => {
      off()
      if (timer) clearTimeout(timer)
    })
  }
}
