import type { LiveChange, LiveTopic } from '@shared/contract/live'
import { announce, inTransaction } from '../db/transaction'
import type { HubChange } from './hub'

/**
 * Which topic an audited entity belongs to. Every state change writes an
 * audit row (README: audit), so announcing from the audit helpers tells the
 * desks of every change, including those of code written later, with no call
 * to forget. Entities not listed (settings, tariffs, news…) are not live.
 */
const TOPIC_OF_ENTITY: Record<string, LiveTopic> = {
  request: 'requests',
  booking: 'bookings',
  enrolment: 'enrolments',
  family: 'families',
  child: 'families',
  person: 'families',
  portal_account: 'families',
  family_document: 'families',
  outbox_mail: 'outbox',
  invoice: 'billing',
  credit_note: 'billing',
  payment: 'billing',
  deposit: 'billing',
  online_payment: 'billing',
  billing_adjustment: 'billing',
  reminder: 'billing',
  invoicing_run: 'billing',
  sepa_mandate: 'billing',
  sepa_export: 'billing',
  sepa_collection: 'billing',
  message_thread: 'messages',
  message_broadcast: 'messages'
}

/** Announces a change of the running transaction (published to the desks after COMMIT, never after a rollback). */
export function liveChange(change: LiveChange | HubChange): void {
  announce(change)
}

/**
 * Called by the audit helpers for each row: announces its entity's topic with the row's id and, for a booking, its
 * day. An audit row written outside `core.tx.run` (autocommit, against the README's rule) announces nothing rather
 * than fail the write.
 */
export function announceAudited(entity: string, entityId: string | number | null | undefined, after: unknown): void {
  const topic = TOPIC_OF_ENTITY[entity]
  if (!topic || !inTransaction()) return
  const id = typeof entityId === 'number' ? entityId : entityId != null && /^\d{1,15}$/.test(entityId) ? Number(entityId) : undefined
  const day = topic === 'bookings' && after && typeof (after as { day?: unknown }).day === 'string' ? (after as { day: string }).day : undefined
  announce({ topic, ...(id !== undefined ? { id } : {}), ...(day ? { day } : {}) } satisfies LiveChange)
}
