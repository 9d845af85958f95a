import type { OutputOf, ParsedInputOf, PortalProcedures, StaffProcedures } from '@shared/contract'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import type { SessionListener } from '../accounts/entities'

/**
 * What an adapter (HTTP or Electron IPC) gives a handler. Session cookies and
 * CSRF tokens are the adapter's business; handlers only ask for them.
 */
export interface CallContext<A extends Actor | null> {
  core: Core
  actor: A
  /** The caller's current session token, if any (used for rotation at login). */
  sessionToken: string | null
  /** Installs a new session token (login) or clears it (logout). */
  setSession(token: string | null): void
  /** A CSRF token bound to the current session ('' where the transport needs none, e.g. IPC). */
  csrfToken(): string
  /** Client address, for logs and rate limits. */
  ip: string
  /** The listener the call came through; sessions opened here are valid only here. */
  listener: SessionListener
}

export type StaffActor = Extract<Actor, { kind: 'staff' }>
export type FamilyActor = Extract<Actor, { kind: 'family' }>

/** The handlers for a procedure map: same keys, each typed from the zod schemas. */
export type HandlersFor<P, A extends Actor | null> = {
  [K in keyof P]: P[K] extends import('@shared/contract').Procedure
    ? (input: ParsedInputOf<P[K]>, ctx: CallContext<A>) => Promise<OutputOf<P[K]>>
    : never
}

/** Public procedures get a null actor; the adapter guarantees an actor for the others. */
export type StaffHandlers = HandlersFor<StaffProcedures, StaffActor | null>
export type PortalHandlers = HandlersFor<PortalProcedures, FamilyActor | null>

export function requireActor<A extends Actor>(ctx: CallContext<A | null>): A {
  if (!ctx.actor) throw new Error('actor required')
  return ctx.actor
}
