import type { ProcedureMap, StaffRole } from './procedure'

/**
 * Live updates between desks (issue 15 §2): what the staff event stream
 * (`GET /api/staff/events`, Server-Sent Events) tells an open back-office.
 *
 * An event says WHAT changed (a topic and ids), never the data itself: the
 * screen refetches what it shows through the usual procedures, which check
 * the role again. Each topic names the procedures whose answers it makes
 * stale; a role receives a topic only if it may call one of them, so an
 * animateur, who may call no billing procedure, never hears of an invoice.
 */
export const LIVE_TOPICS = {
  /** Family requests filed, decided or withdrawn (validation queue, its counters). */
  requests: ['requests-list', 'dashboard-queues'],
  /** Bookings created or moved (reservations, cancellations, absences, attendance marks). */
  bookings: ['attendance-list', 'bookings-activity-day', 'bookings-occupancy', 'bookings-child-planning', 'bookings-queue', 'dashboard-today', 'dashboard-meals', 'dashboard-week', 'dashboard-queues'],
  /** Enrolment requests and decisions (the home's waiting lists). */
  enrolments: ['enrolments-list', 'dashboard-week'],
  /** Families, children and their files (a diet or a PAI changes the meals to serve). */
  families: ['families-search', 'families-get', 'dashboard-meals'],
  /** E-mails queued, sent or failing. */
  outbox: ['outbox-list', 'system-health', 'dashboard-queues'],
  /** Invoices, payments, credits, direct debits. */
  billing: ['billing-invoices-list', 'billing-payments-list', 'billing-unpaid-list', 'billing-family-account', 'dashboard-money'],
  /** Family messages (the unread badge). */
  messages: ['messages-staff-list']
} as const

export type LiveTopic = keyof typeof LIVE_TOPICS
export const LIVE_TOPIC_NAMES = Object.keys(LIVE_TOPICS) as LiveTopic[]

/** One change, as a transaction announces it (never sent as such: merged per topic at commit). */
export interface LiveChange {
  topic: LiveTopic
  id?: number
  /** The day a booking concerns, so a screen showing another day need not refetch. */
  day?: string
}

/**
 * What the stream sends as `event: change` (JSON in `data`). `ids` is left
 * out when a commit touched too many rows to list (refetch everything shown);
 * `at` is the commit's instant (ms since the epoch).
 */
export interface LiveEventData {
  topic: LiveTopic
  ids?: number[]
  days?: string[]
  at: number
}

/**
 * Other event names on the stream: `hello` (first connection: the current id, to resume from), `resync` (the
 * events since the client's Last-Event-ID are no longer kept, or the server restarted: refetch everything shown),
 * `session-ended` (logged out, disabled or revoked elsewhere: the stream closes).
 */
export type LiveControlEvent = 'hello' | 'resync' | 'session-ended'

/**
 * One message of the stream, as the Electron window receives it over IPC (`ribambelle:live`): the same id, event
 * name and data as an SSE message (where `data` is this object as JSON; `{}` for the control events).
 */
export interface LiveMessage {
  id?: string
  event: 'change' | LiveControlEvent
  data: LiveEventData | Record<string, never>
}

/** The topics that make a procedure's answer stale: a screen showing that answer listens to them. */
export function topicsStaling(procedure: string): LiveTopic[] {
  return LIVE_TOPIC_NAMES.filter((t) => (LIVE_TOPICS[t] as readonly string[]).includes(procedure))
}

/** The roles that may hear of a topic: those allowed to call at least one procedure it makes stale. */
export function topicRoles(procedures: ProcedureMap, topic: LiveTopic): Set<StaffRole> {
  const roles = new Set<StaffRole>()
  for (const name of LIVE_TOPICS[topic]) {
    const p = procedures[name]
    if (!p) throw new Error(`Live topic ${topic}: unknown procedure ${name}`)
    for (const r of p.roles ?? []) roles.add(r)
  }
  return roles
}
