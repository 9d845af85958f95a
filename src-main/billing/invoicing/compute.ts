/**
 * What a monthly run would bill, per family: read-only, so the preview and
 * the issue share it (the issue recomputes it inside its transaction, so
 * what is issued is exactly what the database says at that instant).
 *
 * Bulk path: one query for the month's billable bookings, everything else
 * loaded once into maps; the price of identical situations is resolved once.
 */
import type Database from 'better-sqlite3'
import { TZDate } from '@date-fns/tz'
import { format } from 'date-fns'
import type { AnomalyDto } from '@shared/contract/billing-shapes'
import { PARIS } from '../../core/clock'
import { stmt } from '../../bookings/sql'
import type { BillingSettings } from '../settings'
import { TariffIndex, type IndexedTariff } from '../tariffs/tariffs'
import { BILLABLE_STATES, consumedMinutes, resolvePrice, type BookingState, type Resolution } from '../tariffs/resolve'
import type { InvoiceLineKind } from '../entities'
import { personName } from '@shared/names'
import { formatEuro as euros } from '@shared/billing/money'
import { flatHousehold, loadSharedChildren, payerOf, percentLabel, shareBp, shareCents, splitOn, type ChildSplit } from './split'

export interface DraftLine {
  kind: InvoiceLineKind
  childId: number | null
  childName: string
  activityId: number | null
  activityName: string
  unitId: number | null
  label: string
  day: string | null
  quantity: number
  quantityLabel: string
  unitPriceCents: number
  amountCents: number
  /** Part of amountCents that pays meals (the tariff's « dont repas » for the units billed), at most amountCents. */
  mealCents: number
  bookingIds: number[]
  bookingState: string | null
  tariffId: number | null
  bracket: string
  explanation: string
  flatKey: string | null
  adjustmentId: number | null
  /** A share of a shared child's line (issue 16): the bookings whose share this line bills for its household (billed_share). */
  shareBookingIds?: number[]
  /** Ordering inside the invoice: child rank, activity, unit, day. */
  order: string
}

export type AnomalyKind = AnomalyDto['kind']

export interface DraftInvoice {
  familyId: number
  familyNumber: number
  familyName: string
  address: string
  postalCode: string
  city: string
  email: string
  collection: 'direct' | 'debit'
  lines: DraftLine[]
  totalCents: number
  /** Unallocated payments of the family in this régie, used at issue. */
  creditCents: number
  anomalies: Set<AnomalyKind>
  willIssue: boolean
}

export interface RunDraft {
  regieId: number
  month: string
  periodStart: string
  periodEnd: string
  families: DraftInvoice[]
  anomalies: AnomalyDto[]
  lineCount: number
  totalCents: number
  /** Bookings covered by a flat rate an earlier invoice billed: [bookingId, invoiceId, familyId]. */
  coveredLocks: [number, number, number][]
}

export function monthBounds(month: string): { start: string; end: string } {
  const [y, m] = month.split('-').map(Number)
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return { start: `${month}-01`, end: `${month}-${String(last).padStart(2, '0')}` }
}

/** 'HH:MM' as is; an ISO timestamp → its Paris wall-clock time. */
export function wallClock(s: string | null): string | null {
  if (!s) return null
  if (/^\d{1,2}:\d{2}/.test(s)) return s
  const t = Date.parse(s)
  return Number.isNaN(t) ? null : format(new TZDate(t, PARIS), 'HH:mm')
}

interface BookingRow {
  booking_id: number
  child_id: number
  unit_id: number
  day: string
  state: BookingState
  source: string
  arrived_at: string | null
  left_at: string | null
  activity_id: number
  unit_name: string
  unit_sort: number
  start_time: string
  end_time: string
  activity_name: string
  family_id: number
  /** Locked by billed_booking, but billed by shares of which one is due again. */
  via_shares: boolean
  first_name: string
  last_name: string
  birth_date: string
}

interface FamilyRow {
  id: number
  number: number
  address: string
  postal_code: string
  city: string
  last_name: string | null
  first_name: string | null
  email: string | null
}

const STATES_SQL = `(${BILLABLE_STATES.map((s) => `'${s}'`).join(',')})`
/** The household a booking is billed to (issue 16): the one that booked; the child's first one for rows without. */
const BOOKING_HOUSEHOLD = 'COALESCE(b.family_id, c.family_id)'

/**
 * The month's billable bookings of some households (a chunk of the streamed run, one family), by index: the
 * bookings a household made (`booking_household`), then those without a household through their child's first
 * one (`child_family`). Filtering on `COALESCE(b.family_id, c.family_id) IN (…)` can use no index: every chunk
 * scanned the whole month's bookings (880,890 at 20,000 families, ~0.5 s a chunk; bench/invoicing-run.ts).
 * `cols` read `b` (and `c` when `withChild`); each half also gives `family_id`; `union` is UNION where the halves
 * may repeat a row (a child's siblings rank); `sharedChildren` adds every booking of the children whose ids follow
 * (a shared child's other household: split.ts), then `union` must be UNION. Parameters: householdParams.
 */
function householdBookings(cols: string, where: string, union: 'UNION' | 'UNION ALL', orderBy: string, withChild = false, sharedChildren = false): string {
  const month = `b.day BETWEEN ? AND ? AND b.state IN ${STATES_SQL} ${where}`
  return `SELECT ${cols}, b.family_id AS family_id FROM booking b ${withChild ? 'JOIN child c ON c.id = b.child_id' : ''}
           WHERE b.family_id IN (SELECT value FROM json_each(?)) AND ${month}
          ${union}
          SELECT ${cols}, c.family_id AS family_id FROM child c JOIN booking b ON b.child_id = c.id
           WHERE c.family_id IN (SELECT value FROM json_each(?)) AND b.family_id IS NULL AND ${month}
          ${sharedChildren ? `${union} SELECT ${cols}, ${BOOKING_HOUSEHOLD} AS family_id FROM booking b JOIN child c ON c.id = b.child_id WHERE b.child_id IN (SELECT value FROM json_each(?)) AND ${month}` : ''}
          ${orderBy}`
}

const householdParams = (ids: number[], start: string, end: string) => {
  const json = JSON.stringify(ids)
  return [json, start, end, json, start, end]
}

export interface ComputeOptions {
  regieId: number
  month: string
  settings: BillingSettings
  /** Restrict to one family (detail view). */
  familyId?: number
  /** Restrict to these families (a chunk of the streamed issue). */
  familyIds?: number[]
}

function pad(n: number, w = 6): string {
  return String(n).padStart(w, '0')
}

/**
 * What a run reads once whatever the number of families: units, tariffs,
 * quotients, periods, flats already billed, mandates, free credit. The
 * streamed issue loads it once and computes family by family in chunks.
 */
export interface RunContext {
  start: string
  end: string
  defaultId: number
  units: Map<number, { id: number; activity_id: number; name: string; sort: number; start_time: string; end_time: string; activity_name: string; regie_id: number }>
  globalAnomalies: AnomalyDto[]
  tariffs: TariffIndex
  qfOf: Map<number, { family_id: number; quotient: number; quotient_valid_until: string | null }>
  periods: { id: number; activity_id: number; start_date: string; end_date: string }[]
  billedFlat: Map<string, number>
  debitFamilies: Set<number>
  credits: Map<number, number>
  /** Shared children's two households and fixed splits (split.ts). */
  shared: ReturnType<typeof loadSharedChildren>
}

export function loadRunContext(db: Database.Database, opts: ComputeOptions): RunContext {
  const { start, end } = monthBounds(opts.month)
  const regie = stmt(db, 'SELECT id, is_default FROM regie WHERE id = ?').get(opts.regieId) as { id: number; is_default: number } | undefined
  if (!regie) throw new Error(`régie ${opts.regieId} not found`)
  const defaultId = (stmt(db, 'SELECT id FROM regie WHERE is_default = 1').get() as { id: number } | undefined)?.id ?? -1
  // Bookings with their family only: units, activities and régies come from small in-memory maps. Joining them
  // and sorting in SQL costs three times as much at commune scale (see bench/invoicing-run.ts).
  const units = new Map(
    (
      stmt(
        db,
        `SELECT u.id, u.activity_id, u.name, u.sort, u.start_time, u.end_time, a.name AS activity_name, COALESCE(ra.regie_id, ?) AS regie_id
           FROM unit u JOIN activity a ON a.id = u.activity_id LEFT JOIN regie_activity ra ON ra.activity_id = a.id`
      ).all(defaultId) as { id: number; activity_id: number; name: string; sort: number; start_time: string; end_time: string; activity_name: string; regie_id: number }[]
    ).map((u) => [u.id, u])
  )
  const globalAnomalies: AnomalyDto[] = []
  if (defaultId === -1) {
    const orphan = stmt(
      db,
      `SELECT a.name, COUNT(*) AS n FROM booking b JOIN unit u ON u.id = b.unit_id JOIN activity a ON a.id = u.activity_id
        LEFT JOIN regie_activity ra ON ra.activity_id = a.id
        WHERE b.day BETWEEN ? AND ? AND b.state IN ${STATES_SQL} AND ra.regie_id IS NULL GROUP BY a.id`
    ).all(start, end) as { name: string; n: number }[]
    for (const o of orphan) {
      globalAnomalies.push({ kind: 'no-regie-for-activity', familyId: null, familyNumber: null, familyName: '', childName: '', message: `L’activité « ${o.name} » n’est rattachée à aucune régie et il n’y a pas de régie par défaut : ${o.n} consommation(s) ne seront facturées par aucune régie.` })
    }
  }
  const qfRows = stmt(db, 'SELECT family_id, quotient, quotient_valid_until FROM family_caf WHERE quotient IS NOT NULL').all() as {
    family_id: number
    quotient: number
    quotient_valid_until: string | null
  }[]
  return {
    start,
    end,
    defaultId,
    units,
    globalAnomalies,
    tariffs: TariffIndex.load(db),
    qfOf: new Map(qfRows.map((q) => [q.family_id, q])),
    periods: stmt(db, 'SELECT id, activity_id, start_date, end_date FROM activity_period').all() as RunContext['periods'],
    billedFlat: new Map((stmt(db, 'SELECT f.key, f.invoice_id FROM billed_flat f JOIN invoice i ON i.id = f.invoice_id').all() as { key: string; invoice_id: number }[]).map((x) => [x.key, x.invoice_id])),
    debitFamilies: new Set((stmt(db, "SELECT family_id FROM sepa_mandate WHERE status = 'active'").all() as { family_id: number }[]).map((x) => x.family_id)),
    credits: freeCredits(db, opts.regieId),
    shared: loadSharedChildren(db)
  }
}

/** Unallocated money per family in a régie (payments waiting for the accountant's check excluded). */
export function freeCredits(db: Database.Database, regieId: number): Map<number, number> {
  return new Map(
    (
      stmt(
        db,
        `SELECT p.family_id, SUM(p.amount_cents - COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.payment_id = p.id), 0)) AS free
           FROM payment p WHERE p.regie_id = ? AND p.status = 'ok' AND p.review <> 'to-check' GROUP BY p.family_id`
      ).all(regieId) as { family_id: number; free: number }[]
    ).map((x) => [x.family_id, x.free])
  )
}

/**
 * A booking billed by an issued invoice. Through the `invoice` view: the rows
 * a run being prepared wrote in place (migration 0024) do not count, so a
 * preview, or a family restaged, sees the month as not billed yet.
 */
const BILLED = 'EXISTS (SELECT 1 FROM billed_booking bb JOIN invoice i ON i.id = bb.invoice_id WHERE bb.booking_id = b.id)'

/**
 * Every family, by N° famille: a run walks them in chunks and computes each
 * chunk (a family with nothing to bill comes out of computeRun with no
 * invoice). Selecting only the families with something to bill would scan the
 * month's bookings in one query: 2 s during which the event loop, hence the
 * portal, stood still at 20,000 families (bench/invoicing-run.ts).
 */
export function runFamilyIds(db: Database.Database): number[] {
  return (stmt(db, 'SELECT id FROM family ORDER BY number').all() as { id: number }[]).map((x) => x.id)
}

export function computeRun(db: Database.Database, opts: ComputeOptions, context?: RunContext): RunDraft {
  const ctx = context ?? loadRunContext(db, opts)
  const { start, end, units } = ctx
  // One family (detail view), a chunk of families (the streamed issue) or the whole month.
  const ids = opts.familyIds ?? (opts.familyId ? [opts.familyId] : null)
  // Issue 16: a booking is billed to the household that made it (a shared child's two households each get their own days),
  // or in shares to both (a fixed split). A chunk reads every booking of the shared children of its households:
  // the other household's bookings feed its shares and its flat rates (split.ts).
  const { households: sharedHouseholds, splits } = ctx.shared
  const idSet = ids ? new Set(ids) : null
  const inChunk = (familyId: number) => !idSet || idSet.has(familyId)
  const sharedHere = [...sharedHouseholds].filter(([, hs]) => inChunk(hs[0]) || inChunk(hs[1])).map(([c]) => c)
  const sharedJson = JSON.stringify(sharedHere)
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(',')
  type RawBooking = { booking_id: number; child_id: number; unit_id: number; day: string; state: BookingState; source: string; arrived_at: string | null; left_at: string | null; family_id: number; via_shares?: 1 }
  const cols = 'b.id AS booking_id, b.child_id, b.unit_id, b.day AS day, b.state, b.source, b.arrived_at, b.left_at'
  const raw = (
    ids
      ? stmt(db, householdBookings(cols, `AND NOT ${BILLED}`, sharedHere.length ? 'UNION' : 'UNION ALL', 'ORDER BY day, booking_id', false, sharedHere.length > 0)).all(
          ...householdParams(ids, start, end),
          ...(sharedHere.length ? [sharedJson, start, end] : [])
        )
      : db
          .prepare(
            `SELECT ${cols}, ${BOOKING_HOUSEHOLD} AS family_id
               FROM booking b JOIN child c ON c.id = b.child_id
              WHERE b.day BETWEEN ? AND ? AND b.state IN ${STATES_SQL}
                AND NOT ${BILLED}`
          )
          .all(start, end)
  ) as RawBooking[]
  // Shares already billed (published) of the shared children's bookings, and the bookings billed by shares whose
  // other share is due again (its invoice was cancelled): they are locked (billed_booking) but not wholly billed.
  const shareBilled = new Set<string>()
  const billedByShares = new Set<number>()
  if (sharedHere.length) {
    for (const x of stmt(
      db,
      `SELECT s.booking_id AS b, s.family_id AS f FROM billed_share s JOIN invoice i ON i.id = s.invoice_id JOIN booking b ON b.id = s.booking_id
        WHERE b.child_id IN (SELECT value FROM json_each(?)) AND b.day BETWEEN ? AND ?`
    ).all(sharedJson, start, end) as { b: number; f: number }[]) {
      shareBilled.add(`${x.b}|${x.f}`)
      billedByShares.add(x.b)
    }
    if (billedByShares.size)
      raw.push(
        ...(db
          .prepare(
            `SELECT b.id AS booking_id, b.child_id, b.unit_id, b.day, b.state, b.source, b.arrived_at, b.left_at, ${BOOKING_HOUSEHOLD} AS family_id, 1 AS via_shares
               FROM booking b JOIN child c ON c.id = b.child_id
              WHERE b.id IN (SELECT value FROM json_each(?)) AND b.state IN ${STATES_SQL} AND ${BILLED}`
          )
          .all(JSON.stringify([...billedByShares])) as RawBooking[])
      )
  }
  const childIds = new Set(raw.map((b) => b.child_id))
  const childInfo = new Map<number, { first_name: string; last_name: string; birth_date: string }>()
  const childRows = (
    ids
      ? db.prepare(`SELECT c.id, c.first_name, c.last_name, c.birth_date FROM child c WHERE c.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify([...childIds]))
      : stmt(db, 'SELECT id, first_name, last_name, birth_date FROM child').all()
  ) as { id: number; first_name: string; last_name: string; birth_date: string }[]
  for (const c of childRows) {
    if (childIds.has(c.id)) childInfo.set(c.id, c)
  }
  const rows: BookingRow[] = []
  for (const b of raw) {
    const u = units.get(b.unit_id)
    if (!u || u.regie_id !== opts.regieId) continue
    const c = childInfo.get(b.child_id)!
    rows.push({
      booking_id: b.booking_id,
      child_id: b.child_id,
      unit_id: b.unit_id,
      day: b.day,
      state: b.state,
      source: b.source,
      arrived_at: b.arrived_at,
      left_at: b.left_at,
      family_id: b.family_id,
      via_shares: b.via_shares === 1,
      activity_id: u.activity_id,
      unit_name: u.name,
      unit_sort: u.sort,
      start_time: u.start_time,
      end_time: u.end_time,
      activity_name: u.activity_name,
      first_name: c.first_name,
      last_name: c.last_name,
      birth_date: c.birth_date
    })
  }

  // Run-wide anomalies belong to the whole month, not to each chunk of families.
  const anomalies: AnomalyDto[] = opts.familyIds ? [] : [...ctx.globalAnomalies]
  const tariffs = ctx.tariffs
  // Sibling rank: among the household's children consuming anything billable this month (any régie) on its own
  // bookings, eldest first. A shared child counts in each of its households where it was booked (issue 16).
  // The households of the chunk's shared children rank theirs too: a share is priced for the household that booked.
  const rankIds = ids ? [...new Set([...ids, ...sharedHere.flatMap((c) => sharedHouseholds.get(c)!)])] : null
  const siblings = (
    rankIds
      ? stmt(db, householdBookings('c.id AS id, c.birth_date AS birth_date', '', 'UNION', 'ORDER BY family_id, birth_date, id', true)).all(...householdParams(rankIds, start, end))
      : db
          .prepare(
            `SELECT DISTINCT ${BOOKING_HOUSEHOLD} AS family_id, c.id, c.birth_date FROM booking b JOIN child c ON c.id = b.child_id
              WHERE b.day BETWEEN ? AND ? AND b.state IN ${STATES_SQL}
              ORDER BY 1, c.birth_date, c.id`
          )
          .all(start, end)
  ) as { family_id: number; id: number }[]
  const rank = new Map<string, number>()
  let prevFamily = -1
  let r = 0
  for (const s of siblings) {
    r = s.family_id === prevFamily ? r + 1 : 1
    prevFamily = s.family_id
    rank.set(`${s.family_id}|${s.id}`, r)
  }

  const qfOf = ctx.qfOf
  const qfOn = (familyId: number, day: string): number | null => {
    const q = qfOf.get(familyId)
    return q && (q.quotient_valid_until === null || q.quotient_valid_until >= day) ? q.quotient : null
  }
  const resident = new Set(opts.settings.residentPostalCodes)

  const periods = ctx.periods
  const periodOf = (activityId: number, day: string) => periods.find((p) => p.activity_id === activityId && p.start_date <= day && day <= p.end_date)?.id ?? null

  const billedFlat = ctx.billedFlat
  const coveredLocks: [number, number, number][] = []
  const debitFamilies = ctx.debitFamilies
  const credits = ctx.credits
  const adjustments = db
    .prepare(
      `SELECT j.id, j.family_id, j.child_id, j.label, j.amount_cents, j.month, c.first_name, c.last_name
         FROM billing_adjustment j LEFT JOIN child c ON c.id = j.child_id
        WHERE j.regie_id = ? AND j.month <= ? AND NOT EXISTS (SELECT 1 FROM invoice i WHERE i.id = j.invoice_id) ${ids ? `AND j.family_id IN (${marks(ids.length)})` : ''}
        ORDER BY j.id`
    )
    .all(opts.regieId, opts.month, ...(ids ?? [])) as { id: number; family_id: number; child_id: number | null; label: string; amount_cents: number; month: string; first_name: string | null; last_name: string | null }[]

  const familyIds = new Set<number>([...rows.map((x) => x.family_id), ...adjustments.map((a) => a.family_id), ...sharedHere.flatMap((c) => sharedHouseholds.get(c)!)])
  const families = new Map<number, FamilyRow>()
  if (familyIds.size) {
    const list = [...familyIds]
    for (let i = 0; i < list.length; i += 500) {
      const chunk = list.slice(i, i + 500)
      const fam = db
        .prepare(
          `SELECT f.id, f.number, f.address, f.postal_code, f.city, p.last_name, p.first_name, p.email
             FROM family f LEFT JOIN person p ON p.family_id = f.id AND p.role = 'responsable'
            WHERE f.id IN (${chunk.map(() => '?').join(',')})`
        )
        .all(...chunk) as FamilyRow[]
      for (const f of fam) families.set(f.id, f)
    }
  }

  const drafts = new Map<number, DraftInvoice>()
  const draftOf = (familyId: number): DraftInvoice => {
    let d = drafts.get(familyId)
    if (!d) {
      const f = families.get(familyId)!
      d = {
        familyId,
        familyNumber: f.number,
        familyName: personName(f.last_name, f.first_name),
        address: f.address,
        postalCode: f.postal_code,
        city: f.city,
        email: f.email ?? '',
        collection: debitFamilies.has(familyId) ? 'debit' : 'direct',
        lines: [],
        totalCents: 0,
        creditCents: Math.max(0, credits.get(familyId) ?? 0),
        anomalies: new Set(),
        willIssue: true
      }
      drafts.set(familyId, d)
    }
    return d
  }

  const memo = new Map<string, Resolution>()
  const resolve = (t: IndexedTariff, qf: number | null, siblingRank: number, outside: boolean, state: BookingState, source: string, minutes: number, src: 'attendance' | 'schedule') => {
    const key = `${t.id}|${qf}|${siblingRank}|${outside}|${state}|${source === 'walk-in' ? 'w' : ''}|${t.mode === 'hourly' || t.mode === 'day' ? `${minutes}${src}` : ''}`
    let res = memo.get(key)
    if (!res) {
      res = resolvePrice(t, { qf, siblingRank, outsideCommune: outside, state, source, minutes, minutesSource: src })
      memo.set(key, res)
    }
    return res
  }

  const noTariff = new Map<string, { familyId: number; child: string; unit: string; n: number }>()
  // Day mode groups all billable units of a child × activity × day into one line.
  const dayGroups = new Map<string, { row: BookingRow; to: Target; tariff: IndexedTariff; minutes: number; ids: number[]; unitIds: number[]; states: BookingState[]; fromAttendance: boolean }>()
  const mealOf = (t: IndexedTariff, unitId: number) => t.meals?.get(unitId) ?? 0
  /** The flat lines of this chunk by flat key, with the household each one bills. */
  const flatLines = new Map<string, { target: Target; lines: { h: number; line: DraftLine }[] }>()
  const flatOwners = new Map<string, number>()

  /** Where a booking's line goes: whole to the household that booked, or in shares (split.ts). Null: nothing is due. */
  type Target = { split: ChildSplit | null; payer: number; to: number[] }
  const targetOf = (row: BookingRow, split: ChildSplit | null): Target | null => {
    if (!split) {
      // Billed by shares under a split since removed: its shares stand, it is never billed whole on top.
      if (row.via_shares || billedByShares.has(row.booking_id)) return null
      return { split: null, payer: row.family_id, to: [row.family_id] }
    }
    const to = [split.first, split.second].filter((h) => !shareBilled.has(`${row.booking_id}|${h}`))
    return to.length ? { split, payer: payerOf(split, row.family_id), to } : null
  }
  const outsideOf = (familyId: number) => resident.size > 0 && !resident.has(families.get(familyId)!.postal_code)
  const rankOf = (familyId: number, childId: number) => rank.get(`${familyId}|${childId}`) ?? 1

  /** Puts a line priced for `target.payer` on the invoices of the chunk it goes to: whole, or one share per household. */
  const place = (target: Target, line: DraftLine) => {
    const { split, payer } = target
    if (!split) {
      if (inChunk(payer)) draftOf(payer).lines.push(line)
      return [line]
    }
    const placed: DraftLine[] = []
    for (const h of target.to) {
      if (!inChunk(h)) continue
      const cents = shareCents(split, payer, h, line.amountCents)
      const pct = percentLabel(shareBp(split, h))
      const mine = h === payer
      const share: DraftLine = {
        ...line,
        label: `${line.label} – part de ${pct}`,
        unitPriceCents: line.quantity === 1 ? cents : Math.round(cents / line.quantity),
        amountCents: cents,
        mealCents: Math.min(cents, shareCents(split, payer, h, line.mealCents)),
        // The booking stays locked to one invoice, the booker's; each household's share is locked apart.
        bookingIds: mine ? line.bookingIds.filter((b) => !billedBy(b)) : [],
        shareBookingIds: line.bookingIds.filter((b) => !shareBilled.has(`${b}|${h}`)),
        // The other household learns the price and its share, never the booker's QF bracket.
        bracket: mine ? line.bracket : '',
        explanation: mine
          ? `${line.explanation}\nRépartition fixe entre les deux foyers de l’enfant : votre part, ${pct} de ${euros(line.amountCents)}`
          : `Répartition fixe entre les deux foyers de l’enfant : votre part, ${pct} de ${euros(line.amountCents)}`,
        flatKey: line.flatKey ? `${line.flatKey}@${h}` : null
      }
      draftOf(h).lines.push(share)
      placed.push(share)
    }
    return placed
  }
  const lockedRows = new Set(rows.filter((r) => r.via_shares).map((r) => r.booking_id))
  const billedBy = (bookingId: number) => lockedRows.has(bookingId)

  for (const row of rows) {
    const childName = `${row.first_name} ${row.last_name}`.trim()
    const t = tariffs.find(row.unit_id, row.activity_id, row.day)
    if (!t) {
      // Told to the household that booked (or, for a split, to the one of this chunk).
      const missing = targetOf(row, splitOn(splits, row.child_id, row.day))
      const home = missing && (inChunk(missing.payer) ? missing.payer : missing.to.find(inChunk))
      if (!home) continue
      const k = `${row.child_id}|${row.unit_id}`
      const e = noTariff.get(k)
      if (e) e.n++
      else noTariff.set(k, { familyId: home, child: childName, unit: `${row.activity_name} – ${row.unit_name}`, n: 1 })
      draftOf(home).anomalies.add('no-tariff')
      continue
    }

    if (t.mode === 'flat') {
      const periodId = t.flatPeriod === 'period' ? periodOf(row.activity_id, row.day) : null
      const flatKey = `f:${t.id}:${row.child_id}:${periodId !== null ? `p${periodId}` : row.day.slice(0, 7)}`
      const existing = flatLines.get(flatKey)
      if (existing) {
        // The flat's line covers this booking too (whichever household booked it), or its share of it.
        const { target } = existing
        for (const { h, line } of existing.lines) {
          if (!target.split) {
            if (row.via_shares) continue
            line.bookingIds.push(row.booking_id)
            line.mealCents = Math.min(line.amountCents, line.mealCents + mealOf(t, row.unit_id))
            continue
          }
          if (shareBilled.has(`${row.booking_id}|${h}`)) continue
          line.shareBookingIds!.push(row.booking_id)
          if (h === target.payer && !billedBy(row.booking_id)) line.bookingIds.push(row.booking_id)
          line.mealCents = Math.min(line.amountCents, line.mealCents + shareCents(target.split, target.payer, h, mealOf(t, row.unit_id)))
        }
        continue
      }
      // Once per child and period: priced for (and without a split billed to) the household with the most booked days.
      const period = periodId !== null ? periods.find((p) => p.id === periodId)! : null
      const span = period ? { from: period.start_date, to: period.end_date } : { from: `${row.day.slice(0, 7)}-01`, to: monthBounds(row.day.slice(0, 7)).end }
      const hs = sharedHouseholds.get(row.child_id)
      let owner = flatOwners.get(flatKey) ?? row.family_id
      if (hs && !flatOwners.has(flatKey)) flatOwners.set(flatKey, (owner = flatHousehold(db, hs, row.child_id, row.activity_id, span.from, span.to, BILLABLE_STATES)))
      // A flat is split when the split applies from the start of its span.
      const split = splitOn(splits, row.child_id, span.from)
      const whole = billedFlat.get(flatKey)
      const target = targetOf({ ...row, family_id: owner }, split)
      if (!target) continue
      if (whole !== undefined || (split && target.to.every((h) => billedFlat.has(`${flatKey}@${h}`)))) {
        // Covered by a flat an earlier run billed (period flat): lock the booking to that invoice, no new line.
        const by = whole ?? billedFlat.get(`${flatKey}@${target.payer}`)
        if (by !== undefined && !row.via_shares && inChunk(target.payer)) coveredLocks.push([row.booking_id, by, target.payer])
        continue
      }
      const due = split ? { ...target, to: target.to.filter((h) => !billedFlat.has(`${flatKey}@${h}`)) } : target
      // A flat rate is due for the period whatever the attendance: resolved as a plain booking.
      const res = resolve(t, qfOn(owner, row.day), rankOf(owner, row.child_id), outsideOf(owner), 'R', 'family', 0, 'schedule')
      if (qfOn(owner, row.day) === null && t.brackets.length > 1 && inChunk(owner)) draftOf(owner).anomalies.add('no-qf')
      if (!res.billable) continue
      const order = `${pad(rankOf(owner, row.child_id), 2)}|${pad(row.child_id)}|${pad(row.activity_id)}|${pad(row.unit_sort)}|${pad(row.unit_id)}|0000-00-00`
      const placed = place(due, {
        kind: 'flat',
        childId: row.child_id,
        childName,
        activityId: row.activity_id,
        activityName: row.activity_name,
        unitId: null,
        label: `Forfait ${t.flatPeriod === 'month' ? 'mensuel' : 'période'} – ${row.activity_name}`,
        day: null,
        quantity: 1,
        quantityLabel: '1',
        unitPriceCents: res.unitPriceCents,
        amountCents: res.cents,
        mealCents: Math.min(res.cents, mealOf(t, row.unit_id)),
        bookingIds: [row.booking_id],
        bookingState: null,
        tariffId: t.id,
        bracket: res.bracketLabel,
        explanation: res.explanation.join('\n'),
        flatKey,
        adjustmentId: null,
        order
      })
      flatLines.set(flatKey, { target: due, lines: placed.map((line, i) => ({ h: due.split ? due.to.filter(inChunk)[i] : due.payer, line })) })
      continue
    }

    const target = targetOf(row, splitOn(splits, row.child_id, row.day))
    if (!target || !target.to.some(inChunk)) continue
    const payer = target.payer
    const qf = qfOn(payer, row.day)
    if (qf === null && t.brackets.length > 1 && inChunk(payer)) draftOf(payer).anomalies.add('no-qf')
    const outside = outsideOf(payer)
    const siblingRank = rankOf(payer, row.child_id)
    const order = `${pad(siblingRank, 2)}|${pad(row.child_id)}|${pad(row.activity_id)}|${pad(row.unit_sort)}|${pad(row.unit_id)}|${row.day}`
    const schedule = { start: row.start_time, end: row.end_time }
    const used =
      row.state === 'PRESENT' ? consumedMinutes(schedule, { arrived: wallClock(row.arrived_at), left: wallClock(row.left_at) }) : consumedMinutes(schedule, { arrived: null, left: null })

    if (t.mode === 'day') {
      const k = `${row.family_id}|${row.child_id}|${row.activity_id}|${row.day}`
      const g = dayGroups.get(k)
      if (g) {
        g.minutes += used.minutes
        g.ids.push(row.booking_id)
        g.unitIds.push(row.unit_id)
        g.states.push(row.state)
        g.fromAttendance ||= used.source === 'attendance'
      } else dayGroups.set(k, { row, to: target, tariff: t, minutes: used.minutes, ids: [row.booking_id], unitIds: [row.unit_id], states: [row.state], fromAttendance: used.source === 'attendance' })
      continue
    }

    const res = resolve(t, qf, siblingRank, outside, row.state, row.source, used.minutes, used.source)
    if (!res.billable) continue
    place(target, {
      kind: t.mode === 'hourly' ? 'hourly' : 'unit',
      childId: row.child_id,
      childName,
      activityId: row.activity_id,
      activityName: row.activity_name,
      unitId: row.unit_id,
      label: row.unit_name,
      day: row.day,
      quantity: res.quantity,
      quantityLabel: res.quantityLabel,
      unitPriceCents: res.unitPriceCents,
      amountCents: res.cents,
      mealCents: Math.min(res.cents, mealOf(t, row.unit_id)),
      bookingIds: [row.booking_id],
      bookingState: row.state,
      tariffId: t.id,
      bracket: res.bracketLabel,
      explanation: res.explanation.join('\n'),
      flatKey: null,
      adjustmentId: null,
      order
    })
    if (res.walkinCents > 0) place(target, walkinLine(row, childName, order, res.walkinCents, t.id))
  }

  for (const g of dayGroups.values()) {
    const { row, tariff: t, to: target } = g
    const childName = `${row.first_name} ${row.last_name}`.trim()
    const payer = target.payer
    const siblingRank = rankOf(payer, row.child_id)
    // Present or booked on any unit of the day → the day is billed normally; only absences → absence rate.
    const state: BookingState = g.states.includes('PRESENT') ? 'PRESENT' : g.states.includes('R') ? 'R' : g.states.includes('A_FACT') ? 'A_FACT' : 'ABSENT'
    const walkin = state === 'PRESENT' && row.source === 'walk-in' ? 'walk-in' : 'family'
    const res = resolve(t, qfOn(payer, row.day), siblingRank, outsideOf(payer), state, walkin, g.minutes, g.fromAttendance ? 'attendance' : 'schedule')
    if (!res.billable) continue
    const order = `${pad(siblingRank, 2)}|${pad(row.child_id)}|${pad(row.activity_id)}|000000|000000|${row.day}`
    place(target, {
      kind: res.dayKind === 'half-day' ? 'half-day' : 'day',
      childId: row.child_id,
      childName,
      activityId: row.activity_id,
      activityName: row.activity_name,
      unitId: null,
      label: `${row.activity_name} – ${res.dayKind === 'half-day' ? 'demi-journée' : 'journée'}`,
      day: row.day,
      quantity: 1,
      quantityLabel: res.quantityLabel,
      unitPriceCents: res.unitPriceCents,
      amountCents: res.cents,
      // A day with the morning and the « après-midi avec repas » holds one meal: the sum of its units' meal shares.
      mealCents: Math.min(res.cents, g.unitIds.reduce((s, u) => s + mealOf(t, u), 0)),
      bookingIds: g.ids,
      bookingState: state,
      tariffId: t.id,
      bracket: res.bracketLabel,
      explanation: res.explanation.join('\n'),
      flatKey: null,
      adjustmentId: null,
      order
    })
    if (res.walkinCents > 0) place(target, walkinLine(row, childName, order, res.walkinCents, t.id))
  }
  for (const a of adjustments) {
    const d = draftOf(a.family_id)
    const childName = a.first_name ? `${a.first_name} ${a.last_name}` : ''
    d.lines.push({
      kind: 'adjustment',
      childId: a.child_id,
      childName,
      activityId: null,
      activityName: '',
      unitId: null,
      label: a.label,
      day: null,
      quantity: 1,
      quantityLabel: '1',
      unitPriceCents: a.amount_cents,
      amountCents: a.amount_cents,
      mealCents: 0,
      bookingIds: [],
      bookingState: null,
      tariffId: null,
      bracket: '',
      explanation: `Ajustement saisi pour ${a.month.slice(5)}/${a.month.slice(0, 4)}`,
      flatKey: null,
      adjustmentId: a.id,
      order: `99|${pad(a.id)}`
    })
  }

  for (const e of noTariff.values()) {
    const f = families.get(e.familyId)!
    anomalies.push({
      kind: 'no-tariff',
      familyId: e.familyId,
      familyNumber: f.number,
      familyName: draftOf(e.familyId).familyName,
      childName: e.child,
      message: `${e.child} : aucun tarif valable pour « ${e.unit} » (${e.n} consommation${e.n > 1 ? 's' : ''} non facturée${e.n > 1 ? 's' : ''}).`
    })
  }

  let lineCount = 0
  let totalCents = 0
  const out: DraftInvoice[] = []
  for (const d of [...drafts.values()].sort((a, b) => a.familyNumber - b.familyNumber)) {
    d.lines.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
    d.totalCents = d.lines.reduce((s, l) => s + l.amountCents, 0)
    d.willIssue = d.lines.length > 0
    if (d.totalCents < 0) {
      d.anomalies.add('negative-total')
      d.willIssue = false
      anomalies.push({ kind: 'negative-total', familyId: d.familyId, familyNumber: d.familyNumber, familyName: d.familyName, childName: '', message: `Total négatif (${(d.totalCents / 100).toFixed(2).replace('.', ',')} €) : la facture n’est pas émise ; saisissez un ajustement ou remboursez.` })
    }
    if (d.anomalies.has('no-qf')) {
      anomalies.push({ kind: 'no-qf', familyId: d.familyId, familyNumber: d.familyNumber, familyName: d.familyName, childName: '', message: 'Aucun quotient familial valide : la tranche la plus haute est appliquée.' })
    }
    if (d.willIssue) {
      lineCount += d.lines.length
      totalCents += d.totalCents
    }
    out.push(d)
  }
  return { regieId: opts.regieId, month: opts.month, periodStart: start, periodEnd: end, families: out, anomalies, lineCount, totalCents, coveredLocks }
}

function walkinLine(row: BookingRow, childName: string, order: string, cents: number, tariffId: number): DraftLine {
  return {
    kind: 'walkin',
    childId: row.child_id,
    childName,
    activityId: row.activity_id,
    activityName: row.activity_name,
    unitId: row.unit_id,
    label: `Majoration présence sans réservation – ${row.unit_name}`,
    day: row.day,
    quantity: 1,
    quantityLabel: '1',
    unitPriceCents: cents,
    amountCents: cents,
    mealCents: 0,
    bookingIds: [],
    bookingState: 'PRESENT',
    tariffId,
    bracket: '',
    explanation: 'Présence sans réservation : majoration prévue par le tarif',
    flatKey: null,
    adjustmentId: null,
    order: `${order}|w`
  }
}

