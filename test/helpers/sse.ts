/**
 * A Server-Sent Events reader for tests: a real HTTP connection (fetch) to a
 * listening staff app, with the session cookies of a TestClient, parsing the
 * stream as EventSource would (id, event, data; comment lines ignored).
 *
 *   const s = await openEvents(port, desk)
 *   const e = await s.next((e) => e.event === 'change')
 *   s.close()
 */
import type { TestClient } from './http'

export interface SseEvent {
  id?: string
  event: string
  data: string
}

export interface SseStream {
  status: number
  /** Every event received so far, in order. */
  events: SseEvent[]
  /** The first event (received or to come) after those already taken by `next`, matching `pred`. */
  next(pred?: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>
  /** Resolves when the server ends the stream. */
  ended: Promise<void>
  close(): void
}

export async function openEvents(port: number, c: TestClient, opts: { lastEventId?: string } = {}): Promise<SseStream> {
  const abort = new AbortController()
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ')
  const res = await fetch(`http://127.0.0.1:${port}/api/staff/events`, {
    headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}), ...(opts.lastEventId ? { 'last-event-id': opts.lastEventId } : {}) },
    signal: abort.signal
  })
  const events: SseEvent[] = []
  let taken = 0
  const waiters = new Set<() => void>()
  let endResolve!: () => void
  const ended = new Promise<void>((r) => (endResolve = r))
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder()
      let buf = ''
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true })
          let i: number
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i)
            buf = buf.slice(i + 2)
            const e: SseEvent = { event: 'message', data: '' }
            let any = false
            for (const line of block.split('\n')) {
              if (!line || line.startsWith(':')) continue
              const k = line.slice(0, line.indexOf(':') < 0 ? line.length : line.indexOf(':'))
              const v = line.slice(k.length + 1).replace(/^ /, '')
              any = true
              if (k === 'id') e.id = v
              else if (k === 'event') e.event = v
              else if (k === 'data') e.data = e.data ? `${e.data}\n${v}` : v
            }
            if (any) events.push(e)
            for (const w of waiters) w()
          }
        }
      } catch {
        /* aborted */
      }
      endResolve()
      for (const w of waiters) w()
    })()
  } else endResolve()

  let done = false
  void ended.then(() => (done = true))

  return {
    status: res.status,
    events,
    ended,
    next(pred = () => true, timeoutMs = 3000) {
      return new Promise<SseEvent>((resolve, reject) => {
        const look = () => {
          while (taken < events.length) {
            const e = events[taken++]
            if (pred(e)) {
              clearTimeout(t)
              waiters.delete(look)
              resolve(e)
              return
            }
          }
          if (done) {
            clearTimeout(t)
            waiters.delete(look)
            reject(new Error(`stream ended; events: ${JSON.stringify(events)}`))
          }
        }
        const t = setTimeout(() => {
          waiters.delete(look)
          reject(new Error(`no matching event within ${timeoutMs} ms; events: ${JSON.stringify(events)}`))
        }, timeoutMs)
        waiters.add(look)
        look()
      })
    },
    close: () => abort.abort()
  }
}
