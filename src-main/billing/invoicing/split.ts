/**
 * Which households a shared child's lines go to, and for how much (issue 16).
 * Both households' chunks of a run call these same functions on the same
 * run-wide inputs, so a booking's two shares always add up to its full price.
 *
 * Rules (pinned in test/integration/households-billing.test.ts):
 * - « Selon le foyer qui réserve » (default): a line goes to the household
 *   that booked, priced at its QF bracket and with its sibling ranks.
 * - « Répartition fixe »: from its start date (each day takes the mode in force
 *   on it, migration 0032), every billable line of the
 *   child (unit, hour, day, walk-in surcharge, flat rate) is priced once as
 *   for the household that booked (its QF, its sibling rank, its commune),
 *   then split: the other household pays floor(price × its share), the
 *   household that booked pays the rest, so the odd cent is the booker's and
 *   the two shares sum to the price to the cent.
 * - A flat rate (forfait) is due once per child and period: it is priced for,
 *   and without a split billed to, the household that has the most booked
 *   days of the child in the activity over the flat's span (month or period);
 *   a tie goes to the child's first household. With a split it is then split
 *   like any line.
 */
import type Database from 'better-sqlite3'
import { stmt } from '../../bookings/sql'

export interface ChildSplit {
  childId: number
  /** The child's first household (child.family_id) and its second one. */
  first: number
  second: number
  /** The first household's share in basis points (5000 = 50 %). */
  firstShareBp: number
  /** First day of this mode ('' since always). */
  fromDay: string
}

/** A child's billing modes over time, by start day ascending; a 'booking' period has no split. */
export type SplitTimeline = { fromDay: string; split: ChildSplit | null }[]

/**
 * Every shared child's two households; and the billing modes over time, by child
 * (child_billing_split_period, migration 0032). Small tables, read once per run.
 */
export function loadSharedChildren(db: Database.Database): { households: Map<number, [number, number]>; splits: Map<number, SplitTimeline> } {
  const rows = stmt(
    db,
    `SELECT h.child_id AS childId, c.family_id AS first, h.family_id AS second, s.mode, s.first_share_bp AS firstShareBp, s.from_day AS fromDay
       FROM child_household h JOIN child c ON c.id = h.child_id LEFT JOIN child_billing_split_period s ON s.child_id = h.child_id
      ORDER BY h.child_id, s.from_day`
  ).all() as { childId: number; first: number; second: number; mode: string | null; firstShareBp: number | null; fromDay: string | null }[]
  const households = new Map<number, [number, number]>()
  const splits = new Map<number, SplitTimeline>()
  for (const r of rows) {
    households.set(r.childId, [r.first, r.second])
    if (r.mode === null) continue
    const split = r.mode === 'fixed' ? { childId: r.childId, first: r.first, second: r.second, firstShareBp: r.firstShareBp!, fromDay: r.fromDay! } : null
    let timeline = splits.get(r.childId)
    if (!timeline) splits.set(r.childId, (timeline = []))
    timeline.push({ fromDay: r.fromDay!, split })
  }
  return { households, splits }
}

/**
 * The split in force on a child's line of `day`, if any: the last period that
 * starts on or before it. A day billed again after its invoice was cancelled
 * is billed under the split in force on that day, not the latest one.
 */
export function splitOn(splits: Map<number, SplitTimeline>, childId: number, day: string): ChildSplit | null {
  let found: ChildSplit | null = null
  for (const p of splits.get(childId) ?? []) {
    if (p.fromDay > day) break
    found = p.split
  }
  return found
}

export const shareBp = (s: ChildSplit, familyId: number) => (familyId === s.first ? s.firstShareBp : 10_000 - s.firstShareBp)

/** The household whose price a line is: the one that booked, or the first one for a booking made by neither. */
export const payerOf = (s: ChildSplit, bookingFamilyId: number) => (bookingFamilyId === s.second ? s.second : s.first)

/** The share of `cents` that `familyId` pays: the other household's share rounded toward zero, the payer gets the rest. */
export function shareCents(s: ChildSplit, payer: number, familyId: number, cents: number): number {
  const other = payer === s.first ? s.second : s.first
  const otherCents = Math.trunc((cents * shareBp(s, other)) / 10_000)
  return familyId === payer ? cents - otherCents : otherCents
}

/** « 50 % », « 66,67 % ». */
export const percentLabel = (bp: number) => `${(bp / 100).toLocaleString('fr-FR', { maximumFractionDigits: 2 })} %`

/**
 * The household a flat rate of a shared child goes to (or is priced for):
 * the one with the most booked days of the child in the activity over
 * [from, to], ties to the first household.
 */
export function flatHousehold(db: Database.Database, households: [number, number], childId: number, activityId: number, from: string, to: string, states: readonly string[]): number {
  const rows = stmt(
    db,
    `SELECT COALESCE(b.family_id, c.family_id) AS familyId, COUNT(DISTINCT b.day) AS n FROM booking b JOIN child c ON c.id = b.child_id JOIN unit u ON u.id = b.unit_id
      WHERE b.child_id = ? AND u.activity_id = ? AND b.day BETWEEN ? AND ? AND b.state IN (SELECT value FROM json_each(?)) GROUP BY 1`
  ).all(childId, activityId, from, to, JSON.stringify(states)) as { familyId: number; n: number }[]
  const days = (f: number) => rows.find((r) => r.familyId === f)?.n ?? 0
  return days(households[1]) > days(households[0]) ? households[1] : households[0]
}
