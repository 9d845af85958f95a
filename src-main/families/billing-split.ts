import type { EntityManager } from 'typeorm'
import { addDays } from '@shared/bookings/days'
import type { BillingSplitDto, BillingSplitViewDto } from '@shared/contract/custody-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { dbOf, stmt } from '../bookings/sql'
import { claimVersion, versionOf } from '../db/versions'
import { childHouseholdLabels, childHouseholds } from './households'

/**
 * A shared child's billing mode (issue 16), set by the direction on the
 * child's « Foyers de l'enfant »: by the booking household (the default), or
 * a fixed split (a court decision). How a split is billed: billing/invoicing/split.ts.
 */

const DEFAULT: BillingSplitDto = { mode: 'booking', firstSharePercent: 50, fromDay: null }

function readSplit(m: EntityManager, childId: number): BillingSplitDto {
  const r = stmt(dbOf(m), 'SELECT mode, first_share_bp AS bp, from_day AS fromDay FROM child_billing_split WHERE child_id = ?').get(childId) as
    | { mode: BillingSplitDto['mode']; bp: number; fromDay: string | null }
    | undefined
  return r ? { mode: r.mode, firstSharePercent: r.bp / 100, fromDay: r.fromDay } : DEFAULT
}

export async function getBillingSplit(m: EntityManager, childId: number): Promise<BillingSplitViewDto> {
  const labels = await childHouseholdLabels(m, childId)
  if (!labels) throw notFound('Enfant')
  return {
    childId,
    households: labels.second ? [labels.first, labels.second] : [labels.first],
    split: readSplit(m, childId),
    history: (
      stmt(dbOf(m), 'SELECT from_day AS fromDay, mode, first_share_bp AS bp FROM child_billing_split_period WHERE child_id = ? ORDER BY from_day').all(childId) as {
        fromDay: string; mode: BillingSplitDto['mode']; bp: number
      }[]
    ).map((p) => ({ fromDay: p.fromDay || null, mode: p.mode, firstSharePercent: p.bp / 100 })),
    version: versionOf(m, 'child_billing_split', { child_id: childId })
  }
}

/** Saves the mode as a whole, versioned and audited; a run being prepared restages both households (migration 0028). */
export async function saveBillingSplit(core: Core, actor: Actor, childId: number, split: BillingSplitDto, version: number): Promise<void> {
  await core.tx.run(async (m) => {
    const households = childHouseholds(m, childId)
    if (!households.length) throw notFound('Enfant')
    if (households.length < 2 && split.mode === 'fixed') {
      throw new DomainError('not_shared', 'Rattachez d’abord l’enfant à son second foyer : une répartition se fait entre deux foyers.', 409)
    }
    const before = readSplit(m, childId)
    const now = core.clock.now()
    const bp = Math.round(split.firstSharePercent * 100)
    stmt(
      dbOf(m),
      `INSERT INTO child_billing_split (child_id, mode, first_share_bp, from_day, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (child_id) DO UPDATE SET mode = excluded.mode, first_share_bp = excluded.first_share_bp, from_day = excluded.from_day, updated_at = excluded.updated_at`
    ).run(childId, split.mode, bp, split.mode === 'fixed' ? split.fromDay : null, now.toISOString())
    const fromDay = recordPeriod(m, childId, split.mode, bp, split.mode === 'fixed' ? split.fromDay : null, now.toISOString())
    claimVersion(m, 'child_billing_split', { child_id: childId }, version, actor, now)
    await audit(m, actor, now, { action: 'billing-split-save', entity: 'child', entityId: childId, before, after: { ...split, appliesFrom: fromDay || null, firstHouseholdId: households[0], secondHouseholdId: households[1] ?? null } })
  })
}

/**
 * Writes the mode into the child's history (migration 0032), from `fromDay`,
 * replacing the periods that start on or after it. Without a date the mode
 * applies to every day not billed yet: from the day after the child's last
 * invoiced day, so an invoiced month cancelled and billed again keeps the mode
 * it was billed under. Returns the start day written ('' since always).
 */
function recordPeriod(m: EntityManager, childId: number, mode: BillingSplitDto['mode'], bp: number, fromDay: string | null, at: string): string {
  const db = dbOf(m)
  let from = fromDay ?? ''
  if (!fromDay) {
    const last = stmt(
      db,
      `SELECT MAX(b.day) AS day FROM booking b WHERE b.child_id = ?
          AND EXISTS (SELECT 1 FROM billed_booking bb JOIN invoice i ON i.id = bb.invoice_id WHERE bb.booking_id = b.id)`
    ).get(childId) as { day: string | null }
    if (last.day) from = addDays(last.day, 1)
  }
  stmt(db, 'DELETE FROM child_billing_split_period WHERE child_id = ? AND from_day >= ?').run(childId, from)
  stmt(db, 'INSERT INTO child_billing_split_period (child_id, from_day, mode, first_share_bp, saved_at) VALUES (?, ?, ?, ?, ?)').run(childId, from, mode, bp, at)
  return from
}
