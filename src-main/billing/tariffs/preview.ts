/**
 * "Why this price": the tariff, bracket and adjustments that apply to one
 * child, one unit, one day — for the staff preview and for the reservation
 * recap (pricing hook). A few indexed reads, no run computation.
 */
import type Database from 'better-sqlite3'
import type { PricePreviewDto } from '@shared/contract/billing-shapes'
import { stmt } from '../../bookings/sql'
import { wallClock } from '../invoicing/compute'
import type { BillingSettings } from '../settings'
import { findTariff, TariffIndex, type IndexedTariff } from './tariffs'
import { BILLABLE_STATES, consumedMinutes, MODE_LABELS, resolvePrice, type BookingState } from './resolve'

const STATES_SQL = `(${BILLABLE_STATES.map((s) => `'${s}'`).join(',')})`

/** Rank of a child among its siblings consuming in the month (eldest first), counting the child itself. */
export function siblingRank(db: Database.Database, childId: number, day: string): number {
  const child = stmt(db, 'SELECT id, family_id, birth_date FROM child WHERE id = ?').get(childId) as { id: number; family_id: number; birth_date: string } | undefined
  if (!child) return 1
  const month = day.slice(0, 7)
  const older = stmt(
    db,
    `SELECT COUNT(*) AS n FROM child c WHERE c.family_id = ? AND c.id <> ? AND (c.birth_date < ? OR (c.birth_date = ? AND c.id < ?))
       AND EXISTS (SELECT 1 FROM booking b WHERE b.child_id = c.id AND b.day BETWEEN ? AND ? AND b.state IN ${STATES_SQL})`
  ).get(child.family_id, child.id, child.birth_date, child.birth_date, child.id, `${month}-01`, `${month}-31`) as { n: number }
  return older.n + 1
}

type QfRow = { quotient: number | null; quotient_valid_until: string | null } | undefined

function qfRow(db: Database.Database, familyId: number): QfRow {
  return stmt(db, 'SELECT quotient, quotient_valid_until FROM family_caf WHERE family_id = ?').get(familyId) as QfRow
}

/** The QF that applies on `day`: none when missing or past its validity (the highest bracket then applies). */
function qfOn(q: QfRow, day: string): number | null {
  if (!q || q.quotient === null) return null
  return q.quotient_valid_until === null || q.quotient_valid_until >= day ? q.quotient : null
}

export function familyQf(db: Database.Database, familyId: number, day: string): number | null {
  return qfOn(qfRow(db, familyId), day)
}

/**
 * The reads a price needs. `directLookups` queries each time (the staff
 * preview: one price); `memoLookups` remembers what does not change within a
 * recap, so pricing the 32 days of a month's "Terminer" costs a handful of
 * queries instead of ten per day. Same answers either way: only the reads are
 * shared, never a day-dependent result.
 */
export interface PriceLookups {
  unit(id: number): { id: number; activity_id: number; start_time: string; end_time: string; price_cents: number } | undefined
  child(id: number): { family_id: number; postal_code: string } | undefined
  tariff(unitId: number, activityId: number, day: string): IndexedTariff | null
  qf(familyId: number, day: string): number | null
  siblingRank(childId: number, day: string): number
}

export function directLookups(db: Database.Database): PriceLookups {
  return {
    unit: (id) => stmt(db, 'SELECT id, activity_id, start_time, end_time, price_cents FROM unit WHERE id = ?').get(id) as ReturnType<PriceLookups['unit']>,
    child: (id) => stmt(db, 'SELECT c.family_id, f.postal_code FROM child c JOIN family f ON f.id = c.family_id WHERE c.id = ?').get(id) as ReturnType<PriceLookups['child']>,
    tariff: (unitId, activityId, day) => findTariff(db, unitId, activityId, day),
    qf: (familyId, day) => familyQf(db, familyId, day),
    siblingRank: (childId, day) => siblingRank(db, childId, day)
  }
}

function memo<K, V>(fn: (k: K) => V): (k: K) => V {
  const m = new Map<K, V>()
  return (k) => {
    if (m.has(k)) return m.get(k)!
    const v = fn(k)
    m.set(k, v)
    return v
  }
}

/**
 * For one recap or commit, inside one transaction: units, children and QF rows
 * read once; the tariffs of a unit (and of its activity) read once and picked
 * per day in memory; the sibling rank once per child and month (it counts the
 * month's bookings as they were before the commit, as the direct read would).
 */
export function memoLookups(db: Database.Database): PriceLookups {
  const direct = directLookups(db)
  const qfOf = memo((familyId: number) => qfRow(db, familyId))
  const tariffs = memo((key: string) => {
    const [unitId, activityId] = key.split(':').map(Number)
    return TariffIndex.loadFor(db, unitId, activityId)
  })
  const ranks = memo((key: string) => {
    const [childId, month] = key.split('|')
    return siblingRank(db, Number(childId), `${month}-01`)
  })
  return {
    unit: memo(direct.unit),
    child: memo(direct.child),
    tariff: (unitId, activityId, day) => tariffs(`${unitId}:${activityId}`).find(unitId, activityId, day),
    qf: (familyId, day) => qfOn(qfOf(familyId), day),
    siblingRank: (childId, day) => ranks(`${childId}|${day.slice(0, 7)}`)
  }
}

export function pricePreview(
  db: Database.Database,
  settings: BillingSettings,
  input: { childId: number; unitId: number; day: string; state?: BookingState; source?: string },
  lookups: PriceLookups = directLookups(db)
): PricePreviewDto {
  const unit = lookups.unit(input.unitId)
  const child = lookups.child(input.childId)
  const none = (why: string): PricePreviewDto => ({ billable: false, tariffId: null, tariffName: '', mode: '', bracket: '', cents: 0, walkinCents: 0, qf: null, siblingRank: 1, outsideCommune: false, explanation: [why] })
  if (!unit || !child) return none('Enfant ou unité introuvable')
  // The booking row only matters for what the caller did not say, or for attendance times (PRESENT).
  const booking =
    input.state === undefined || input.source === undefined || input.state === 'PRESENT'
      ? (stmt(db, 'SELECT state, source, arrived_at, left_at FROM booking WHERE child_id = ? AND unit_id = ? AND day = ?').get(input.childId, input.unitId, input.day) as
          | { state: BookingState; source: string; arrived_at: string | null; left_at: string | null }
          | undefined)
      : undefined
  const state = input.state ?? booking?.state ?? 'R'
  const source = input.source ?? booking?.source ?? 'family'
  const t = lookups.tariff(unit.id, unit.activity_id, input.day)
  const qf = lookups.qf(child.family_id, input.day)
  const rank = lookups.siblingRank(input.childId, input.day)
  const outside = settings.residentPostalCodes.length > 0 && !settings.residentPostalCodes.includes(child.postal_code)
  if (!t) return { ...none('Aucun tarif valable ce jour pour cette unité ni pour son activité : la consommation ne serait pas facturée (anomalie « enfant sans tarif »).'), qf, siblingRank: rank, outsideCommune: outside }
  const used =
    state === 'PRESENT' && booking
      ? consumedMinutes({ start: unit.start_time, end: unit.end_time }, { arrived: wallClock(booking.arrived_at), left: wallClock(booking.left_at) })
      : consumedMinutes({ start: unit.start_time, end: unit.end_time }, { arrived: null, left: null })
  const r = resolvePrice(t, { qf, siblingRank: rank, outsideCommune: outside, state, source, minutes: used.minutes, minutesSource: used.source })
  const extra: string[] = []
  if (t.mode === 'day') extra.push('Mode journée : le total du jour (toutes les unités de l’activité) décide entre journée et demi-journée ; ce calcul ne compte que cette unité.')
  if (t.mode === 'flat') extra.push(`Forfait : facturé une fois par ${t.flatPeriod === 'month' ? 'mois' : 'période'}, quel que soit le nombre de jours.`)
  return {
    billable: r.billable,
    tariffId: t.id,
    tariffName: t.name,
    mode: MODE_LABELS[t.mode],
    bracket: r.billable ? r.bracketLabel : '',
    cents: r.billable ? r.cents : 0,
    walkinCents: r.billable ? r.walkinCents : 0,
    qf,
    siblingRank: rank,
    outsideCommune: outside,
    explanation: [...r.explanation, ...extra]
  }
}
