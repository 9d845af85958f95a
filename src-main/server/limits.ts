import type { FastifyServerOptions } from 'fastify'

/**
 * Time limits of a listener. Without them a client that sends one header
 * line every few seconds, or a body byte by byte, holds a connection (and,
 * many times over, the whole portal) for as long as it likes.
 */
export interface ServerLimits {
  /** Until the request's headers are complete. */
  headersTimeoutMs: number
  /** Until the whole request (headers and body) is received: uploads from a phone need a while. */
  requestTimeoutMs: number
  /** A socket silent for this long is closed (also while a handler computes: the staff's invoicing run). */
  connectionTimeoutMs: number
  /**
   * An idle keep-alive connection waits this long for its next request. Not short: a page left open a while would
   * otherwise reconnect (TLS handshake included) for each click. Idle connections cost no thread, and one that starts a
   * request is held to the headers timeout.
   */
  keepAliveTimeoutMs: number
}

export const PORTAL_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  // A 7 MB document over a poor mobile uplink (~250 kbit/s) takes about four minutes.
  requestTimeoutMs: 300_000,
  connectionTimeoutMs: 90_000,
  keepAliveTimeoutMs: 65_000
}

export const STAFF_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  // Loopback only, but an invoicing run of a whole commune answers after a while.
  connectionTimeoutMs: 600_000,
  keepAliveTimeoutMs: 65_000
}

/** How often Node looks for connections past their header/request deadline (its default, 30 s, lets them linger). */
const CHECK_EVERY_MS = 1000

/**
 * Fastify options carrying the limits. Fastify sets the request, idle and
 * keep-alive timeouts itself; the headers timeout and the checking interval
 * are Node server options, given with the TLS options when there are some.
 */
export function limitOptions(limits: ServerLimits, https: { key: string; cert: string } | null): FastifyServerOptions & { https?: object } {
  const node = { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: CHECK_EVERY_MS }
  return {
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    ...(https ? { https: { ...https, ...node } } : { http: node })
  }
}
