import { TZDate } from '@date-fns/tz'
import { z } from '../zod-fr'
import { addDays, addMonths, frDay, frMonth, monthOf } from './days'

/**
 * Deadline rules per activity. Every instant is reckoned in Europe/Paris,
 * whatever the zone of the machine or the browser, so "before the 20th" means
 * the 20th in Paris for a server in UTC and a parent abroad alike.
 */
export const PARIS = 'Europe/Paris'

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { error: 'Heure invalide (format HH:MM).' })

export const deadlineRule = z.discriminatedUnion('kind', [
  /** Changes for month M are possible until the Nth of month M-1 at `time` (24:00 = the whole Nth day). 003: the 20th. */
  z.object({ kind: z.literal('monthly'), day: z.number().int().min(1).max(31), time: hhmm.default('24:00') }),
  /** Until N days before the day, at HH:MM (0 days = the same day). */
  z.object({ kind: z.literal('days-before'), days: z.number().int().min(0).max(180), time: hhmm }),
  /** Only while the period's booking window is open (holiday centres). */
  z.object({ kind: z.literal('window') }),
  /** Until the day itself begins. */
  z.object({ kind: z.literal('none') })
])
export type DeadlineRule = z.infer<typeof deadlineRule>

export interface BookingWindow {
  /** Inclusive days (the activity period's window_start / window_end). */
  start: string
  end: string
}

export interface DeadlineVerdict {
  open: boolean
  /** First instant at which the change is no longer accepted (null: no upper limit besides the window). */
  closesAt: Date | null
  /** Only for window rules: the first instant the window accepts changes. */
  opensAt: Date | null
  /** French sentence: until when it is possible, or why it no longer is. */
  message: string
}

/** Paris calendar day of an instant. */
export function parisDayOf(d: Date): string {
  const t = new TZDate(d.getTime(), PARIS)
  return `${t.getFullYear()}-${String(t.getMonth() + 1).padStart(2, '0')}-${String(t.getDate()).padStart(2, '0')}`
}

/** Paris wall times already converted: a pure function, and time-zone arithmetic dominates a recap's judging otherwise. */
const instants = new Map<string, number>()

/** The instant `day` at `time` in Paris ('24:00' = the next day at 00:00). */
export function parisInstant(day: string, time: string): Date {
  const key = `${day}T${time}`
  let ms = instants.get(key)
  if (ms === undefined) {
    const [y, m, d] = day.split('-').map(Number)
    const [h, mi] = time.split(':').map(Number)
    // A wall time that does not exist (spring forward, 02:00-03:00) is moved forward by TZDate; an ambiguous one
    // (autumn, 02:00-03:00 twice) resolves to one fixed instant: both are deterministic, which is what deadlines need.
    ms = h === 24 ? parisInstant(addDays(day, 1), '00:00').getTime() : new TZDate(y, m - 1, d, h, mi, PARIS).getTime()
    if (instants.size > 20_000) instants.clear()
    instants.set(key, ms)
  }
  return new Date(ms)
}

const limits = new Map<number, string>()

/** "20/12/2024 à 18h00", or "20/12/2024 inclus" for a midnight limit (the whole previous day is allowed). */
export function frenchLimit(closesAt: Date): string {
  const hit = limits.get(closesAt.getTime())
  if (hit !== undefined) return hit
  if (limits.size > 20_000) limits.clear()
  const text = frenchLimitText(closesAt)
  limits.set(closesAt.getTime(), text)
  return text
}

function frenchLimitText(closesAt: Date): string {
  const day = parisDayOf(closesAt)
  const t = new TZDate(closesAt.getTime(), PARIS)
  if (t.getHours() === 0 && t.getMinutes() === 0) return `${frDay(addDays(day, -1))} inclus`
  return `${frDay(day)} à ${String(t.getHours()).padStart(2, '0')}h${String(t.getMinutes()).padStart(2, '0')}`
}

/** The Nth of a month, clamped to its last day (the 31st of a 30-day month is the 30th). */
function nthOfMonth(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number)
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return `${month}-${String(Math.min(n, last)).padStart(2, '0')}`
}

const closings = new Map<string, number | null>()

/** When changes to `day` stop being accepted under `rule` (null for a window rule without a window). Memoised: pure. */
export function closingInstant(rule: DeadlineRule, day: string, window?: BookingWindow | null): Date | null {
  const key = `${rule.kind}|${'day' in rule ? rule.day : ''}|${'days' in rule ? rule.days : ''}|${'time' in rule ? rule.time : ''}|${day}|${window ? `${window.start}|${window.end}` : ''}`
  let ms = closings.get(key)
  if (ms === undefined) {
    ms = computeClosing(rule, day, window)?.getTime() ?? null
    if (closings.size > 20_000) closings.clear()
    closings.set(key, ms)
  }
  return ms === null ? null : new Date(ms)
}

function computeClosing(rule: DeadlineRule, day: string, window?: BookingWindow | null): Date | null {
  switch (rule.kind) {
    case 'monthly':
      return parisInstant(nthOfMonth(addMonths(monthOf(day), -1), rule.day), rule.time)
    case 'days-before':
      return parisInstant(addDays(day, -rule.days), rule.time)
    case 'window':
      return window ? parisInstant(addDays(window.end, 1), '00:00') : null
    case 'none':
      return parisInstant(day, '00:00')
  }
}

/**
 * Whether a family may still book or change `day` at instant `now`. A day that
 * has begun is never open to families, whatever the rule (staff may override).
 */
export function evaluateDeadline(rule: DeadlineRule, day: string, now: Date, window?: BookingWindow | null): DeadlineVerdict {
  const dayStart = parisInstant(day, '00:00')
  if (now.getTime() >= dayStart.getTime()) {
    return { open: false, closesAt: dayStart, opensAt: null, message: `Le ${frDay(day)} est passé : il ne peut plus être modifié en ligne.` }
  }
  if (rule.kind === 'window') {
    if (!window) return { open: false, closesAt: null, opensAt: null, message: 'Aucune période de réservation n’est ouverte pour ce jour.' }
    const opensAt = parisInstant(window.start, '00:00')
    const closesAt = closingInstant(rule, day, window)!
    const span = `du ${frDay(window.start)} au ${frDay(window.end)}`
    if (now.getTime() < opensAt.getTime()) {
      return { open: false, closesAt, opensAt, message: `Les réservations pour ce jour ouvriront le ${frDay(window.start)} (période de réservation ${span}).` }
    }
    if (now.getTime() >= closesAt.getTime()) {
      return { open: false, closesAt, opensAt, message: `La période de réservation (${span}) est terminée : les modifications ne sont plus possibles.` }
    }
    return { open: true, closesAt, opensAt, message: `Modifications possibles jusqu’au ${frDay(window.end)} inclus.` }
  }
  const closesAt = closingInstant(rule, day, window)!
  // The day's own start bounds every rule (a "0 days before at 09:00" rule cannot reach into the day).
  const limit = closesAt.getTime() < dayStart.getTime() ? closesAt : dayStart
  const when = frenchLimit(limit)
  if (now.getTime() >= limit.getTime()) {
    const what = rule.kind === 'monthly' ? `les modifications pour ${frMonth(monthOf(day))}` : `les modifications pour le ${frDay(day)}`
    return { open: false, closesAt: limit, opensAt: null, message: `La date limite est passée : ${what} étaient possibles jusqu’au ${when}.` }
  }
  return { open: true, closesAt: limit, opensAt: null, message: `Modifications possibles jusqu’au ${when}.` }
}

/** Short French description of a rule, for the settings screen and the portal help. */
export function describeRule(rule: DeadlineRule): string {
  switch (rule.kind) {
    case 'monthly':
      return rule.time === '24:00'
        ? `Jusqu’au ${rule.day} du mois précédent inclus`
        : `Jusqu’au ${rule.day} du mois précédent à ${rule.time.replace(':', 'h')}`
    case 'days-before':
      return rule.days === 0
        ? `Le jour même jusqu’à ${rule.time.replace(':', 'h')}`
        : `Jusqu’à ${rule.days} jour${rule.days > 1 ? 's' : ''} avant, à ${rule.time.replace(':', 'h')}`
    case 'window':
      return 'Uniquement pendant la période de réservation'
    case 'none':
      return 'Jusqu’à la veille au soir'
  }
}

/** Default rules when an activity has none configured: the 003 structure's "before the 20th", holiday centres by window. */
export function defaultRules(activityKind: string): { booking: DeadlineRule; cancellation: DeadlineRule } {
  if (activityKind === 'vacances') return { booking: { kind: 'window' }, cancellation: { kind: 'window' } }
  return { booking: { kind: 'monthly', day: 20, time: '24:00' }, cancellation: { kind: 'monthly', day: 20, time: '24:00' } }
}
