import type { EntityManager } from 'typeorm'
import { deadlineRule, defaultRules, type DeadlineRule } from '@shared/bookings/deadlines'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { claimVersion } from '../db/versions'
import { BookingRule } from './change-entities'
import { dbOf, stmt } from './sql'

export interface ActivityRules {
  booking: DeadlineRule
  cancellation: DeadlineRule
  familyChanges: boolean
  /** true when no row exists and the defaults for the activity's kind apply. */
  isDefault: boolean
  /** What the rules screen sends back (0 while no row exists). */
  version: number
}

function parseRule(json: string, fallback: DeadlineRule): DeadlineRule {
  const r = deadlineRule.safeParse(JSON.parse(json))
  return r.success ? r.data : fallback
}

/** Rules of several activities at once (one query), defaults filled in from each activity's kind. */
export function rulesFor(m: EntityManager, activityIds: number[]): Map<number, ActivityRules> {
  const out = new Map<number, ActivityRules>()
  if (!activityIds.length) return out
  const rows = stmt(
    dbOf(m),
    `SELECT a.id, t.kind, r.booking, r.cancellation, r.family_changes AS familyChanges, COALESCE(r.version, 0) AS version
     FROM activity a JOIN activity_type t ON t.id = a.activity_type_id
     LEFT JOIN booking_rule r ON r.activity_id = a.id
     WHERE a.id IN (SELECT value FROM json_each(?))`
  ).all(JSON.stringify(activityIds)) as { id: number; kind: string; booking: string | null; cancellation: string | null; familyChanges: number | null; version: number }[]
  for (const r of rows) {
    const d = defaultRules(r.kind)
    out.set(r.id, {
      booking: r.booking ? parseRule(r.booking, d.booking) : d.booking,
      cancellation: r.cancellation ? parseRule(r.cancellation, d.cancellation) : d.cancellation,
      familyChanges: r.familyChanges === null ? true : r.familyChanges === 1,
      isDefault: r.booking === null,
      version: r.version
    })
  }
  return out
}

export async function getRules(m: EntityManager, activityId: number): Promise<ActivityRules> {
  const r = rulesFor(m, [activityId]).get(activityId)
  if (!r) throw notFound('Activité')
  return r
}

export async function setRules(
  core: Core,
  actor: Actor,
  activityId: number,
  { version, ...input }: { booking: DeadlineRule; cancellation: DeadlineRule; familyChanges: boolean; version: number }
): Promise<ActivityRules> {
  return core.tx.run(async (m) => {
    const before = await getRules(m, activityId)
    await m.upsert(
      BookingRule,
      {
        activityId,
        booking: JSON.stringify(input.booking),
        cancellation: JSON.stringify(input.cancellation),
        familyChanges: input.familyChanges,
        updatedAt: core.clock.now().toISOString()
      },
      ['activityId']
    )
    const after = { ...input, isDefault: false, version: claimVersion(m, 'booking_rule', { activity_id: activityId }, version, actor, core.clock.now()) }
    await audit(m, actor, core.clock.now(), { action: 'booking-rule-update', entity: 'activity', entityId: activityId, before, after })
    return after
  })
}

