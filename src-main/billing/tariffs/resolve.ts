/**
 * Tariff resolution: pure functions, no database. Given a tariff and what we
 * know about one consumption (the family's QF, the child's rank among its
 * siblings, residence, booking state, times), they return the price in cents
 * and the French sentences that explain it — the same explanation feeds the
 * staff "why this price" preview and the invoice line.
 */
import { formatEuro, lineTotal, percentOf } from '@shared/billing/money'
import { frenchDate } from '../../core/clock'

export type TariffMode = 'unit' | 'hourly' | 'flat' | 'day'
export type FlatPeriod = 'month' | 'period'
export type AdjustKind = 'none' | 'pct' | 'amount'

export const MODE_LABELS: Record<TariffMode, string> = {
  unit: 'à l’unité',
  hourly: 'horaire',
  flat: 'forfait',
  day: 'journée / demi-journée'
}

export interface Adjust {
  kind: AdjustKind
  /** Percent (10 = 10 %) or cents, depending on kind. */
  value: number
}

export interface Bracket {
  /** Inclusive lower QF bound. */
  qfMin: number
  /** Inclusive upper bound; null = no upper bound. */
  qfMax: number | null
  /** Unit, hourly (per hour), flat or full-day price, in cents. */
  priceCents: number
  /** Day mode only: the half-day price. */
  halfDayPriceCents: number | null
}

export interface TariffDef {
  id: number
  name: string
  mode: TariffMode
  /** Hourly mode: billing step in minutes (15 = per started quarter hour, 30 = per started half hour). */
  stepMinutes: number
  flatPeriod: FlatPeriod
  /** Day mode: from this many billable minutes in the day, the full-day price applies. */
  dayThresholdMinutes: number
  validFrom: string
  validTo: string | null
  /** A_FACT and unexcused absences are billed at this percentage of the price. */
  absenceRatePct: number
  /** Présent sans réservation: added once per consumption. */
  walkinSurchargeCents: number
  sibling2: Adjust
  /** 3rd child and beyond. */
  sibling3: Adjust
  outsideCommune: Adjust
  brackets: Bracket[]
}

/** Booking states, as fixed by the schema agreement with the reservations issue. */
export type BookingState = 'DR' | 'R' | 'DA' | 'A_EXC' | 'A_FACT' | 'REFUSED' | 'CANCELLED' | 'PRESENT' | 'ABSENT'

export const BILLABLE_STATES: readonly BookingState[] = ['R', 'PRESENT', 'A_FACT', 'ABSENT']

export interface PriceContext {
  /** The family's valid quotient familial on that day, or null. */
  qf: number | null
  /** 1 for the eldest child consuming in the month, 2, 3… */
  siblingRank: number
  outsideCommune: boolean
  state: BookingState
  /** 'walk-in' marks a présent sans réservation. */
  source: string
  /** Minutes consumed (hourly: actual or scheduled; day: the day's total). */
  minutes: number
  /** Where the minutes come from, for the explanation. */
  minutesSource?: 'attendance' | 'schedule'
}

export type Resolution =
  | {
      billable: true
      /** Total of the main line: quantity × unit price rounded half up to the cent (hourly: the steps' minutes × price per hour / 60). */
      cents: number
      /** Units, or started steps (hourly). */
      quantity: number
      /** Per unit; per hour for an hourly tariff. */
      unitPriceCents: number
      /** "1", "3 quarts d'heure", "1 journée"… */
      quantityLabel: string
      /** Sub-kind for day mode: 'day' or 'half-day'. */
      dayKind?: 'day' | 'half-day'
      bracketLabel: string
      /** Separate surcharge line (présent sans réservation), 0 when none. */
      walkinCents: number
      explanation: string[]
    }
  | { billable: false; explanation: string[] }

export function bracketLabel(b: Bracket): string {
  if (b.qfMax === null) return b.qfMin <= 0 ? 'toutes tranches' : `QF ${b.qfMin} et plus`
  if (b.qfMin <= 0) return `QF jusqu'à ${b.qfMax}`
  return `QF ${b.qfMin} à ${b.qfMax}`
}

/**
 * The bracket for a QF. Without a valid QF the family pays the highest
 * bracket (the one with the highest lower bound), as the issue requires; a
 * QF falling in a gap between brackets gets the highest one too.
 */
export function pickBracket(brackets: Bracket[], qf: number | null): { bracket: Bracket; reason: string } | null {
  if (brackets.length === 0) return null
  const highest = [...brackets].sort((a, b) => b.qfMin - a.qfMin)[0]
  if (brackets.length === 1) return { bracket: brackets[0], reason: 'Tarif unique (sans tranche de QF)' }
  if (qf === null) return { bracket: highest, reason: `Aucun quotient familial valide : tranche la plus haute (${bracketLabel(highest)})` }
  const hit = brackets.find((b) => qf >= b.qfMin && (b.qfMax === null || qf <= b.qfMax))
  if (!hit) return { bracket: highest, reason: `QF ${qf} hors des tranches définies : tranche la plus haute (${bracketLabel(highest)})` }
  return { bracket: hit, reason: `QF ${qf} : tranche ${bracketLabel(hit)}` }
}

/** Applies a reduction (sign -1) or surcharge (+1); never below zero. */
export function applyAdjust(cents: number, adj: Adjust, sign: 1 | -1): number {
  if (adj.kind === 'none' || adj.value === 0) return cents
  const delta = adj.kind === 'pct' ? percentOf(cents, adj.value) : adj.value
  return Math.max(0, cents + sign * delta)
}

function adjustText(adj: Adjust): string {
  return adj.kind === 'pct' ? `${String(adj.value).replace('.', ',')} %` : formatEuro(adj.value)
}

export function formatMinutes(min: number): string {
  const h = Math.floor(min / 60)
  const m = min % 60
  if (h === 0) return `${m} min`
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, '0')}`
}

function stepWord(step: number, n: number): string {
  if (step === 15) return n > 1 ? "quarts d'heure" : "quart d'heure"
  if (step === 30) return n > 1 ? 'demi-heures' : 'demi-heure'
  if (step === 60) return n > 1 ? 'heures' : 'heure'
  return `tranches de ${step} min`
}

export function isTariffValidOn(t: Pick<TariffDef, 'validFrom' | 'validTo'>, day: string): boolean {
  return t.validFrom <= day && (t.validTo === null || day <= t.validTo)
}

/**
 * Price of one consumption. The order is fixed and explained line by line:
 * bracket price → quantity (hourly steps, day or half-day) → absence rate →
 * sibling reduction → out-of-commune surcharge; a walk-in surcharge is a
 * separate amount so the invoice shows it as its own line.
 */
export function resolvePrice(t: TariffDef, ctx: PriceContext): Resolution {
  const why: string[] = []
  if (!BILLABLE_STATES.includes(ctx.state)) {
    const reason: Partial<Record<BookingState, string>> = {
      A_EXC: 'Absence excusée : non facturée',
      CANCELLED: 'Réservation annulée : non facturée',
      REFUSED: 'Demande refusée : non facturée',
      DR: "Demande de réservation en attente : non facturée tant qu'elle n'est pas validée",
      DA: "Demande d'annulation en attente : non facturée"
    }
    return { billable: false, explanation: [reason[ctx.state] ?? 'État non facturable'] }
  }
  why.push(`Tarif « ${t.name} » (${MODE_LABELS[t.mode]}), valable du ${frenchDate(t.validFrom)}${t.validTo ? ` au ${frenchDate(t.validTo)}` : ''}`)
  const picked = pickBracket(t.brackets, ctx.qf)
  if (!picked) return { billable: false, explanation: [...why, "Ce tarif n'a aucun prix défini"] }
  const b = picked.bracket
  why.push(picked.reason)

  let unit: number
  /** Hourly mode: minutes per step; the unit price is then per hour. */
  let step = 0
  let quantity = 1
  let quantityLabel = '1'
  let dayKind: 'day' | 'half-day' | undefined
  switch (t.mode) {
    case 'unit':
      unit = b.priceCents
      why.push(`Prix à l’unité : ${formatEuro(unit)}`)
      break
    case 'flat':
      unit = b.priceCents
      why.push(`Forfait ${t.flatPeriod === 'month' ? 'mensuel' : 'pour la période'} : ${formatEuro(unit)}`)
      break
    case 'hourly': {
      // The price stays per hour (as the tariff and the deliberation say it); the line is billed minutes × price / 60,
      // rounded once. Rounding a per-step price first would bill 0,48 € a quarter hour for 1,90 € the hour.
      step = t.stepMinutes > 0 ? t.stepMinutes : 15
      unit = b.priceCents
      quantity = Math.max(1, Math.ceil(Math.max(0, ctx.minutes) / step))
      quantityLabel = `${quantity} ${stepWord(step, quantity)}`
      const src = ctx.minutesSource === 'attendance' ? 'pointage' : 'horaires de l’unité'
      why.push(
        `Horaire : ${formatMinutes(Math.max(0, ctx.minutes))} (${src}) → ${quantityLabel} entamé${quantity > 1 ? 's' : ''}, soit ${formatMinutes(quantity * step)} à ${formatEuro(unit)} de l’heure`
      )
      break
    }
    case 'day': {
      const full = ctx.minutes >= t.dayThresholdMinutes || b.halfDayPriceCents === null
      dayKind = full ? 'day' : 'half-day'
      unit = full ? b.priceCents : (b.halfDayPriceCents as number)
      quantityLabel = full ? '1 journée' : '1 demi-journée'
      why.push(
        full
          ? `Journée (${formatMinutes(ctx.minutes)} ≥ ${formatMinutes(t.dayThresholdMinutes)}) : ${formatEuro(unit)}`
          : `Demi-journée (${formatMinutes(ctx.minutes)} < ${formatMinutes(t.dayThresholdMinutes)}) : ${formatEuro(unit)}`
      )
      break
    }
  }

  if (ctx.state === 'A_FACT' || ctx.state === 'ABSENT') {
    const label = ctx.state === 'A_FACT' ? 'Absence facturée' : 'Absence non excusée'
    if (t.absenceRatePct !== 100) {
      unit = percentOf(unit, t.absenceRatePct)
      why.push(`${label} : ${String(t.absenceRatePct).replace('.', ',')} % du prix → ${formatEuro(unit)}`)
    } else why.push(`${label} : facturée au prix normal`)
  }

  if (ctx.siblingRank >= 2) {
    const adj = ctx.siblingRank === 2 ? t.sibling2 : t.sibling3.kind === 'none' ? t.sibling2 : t.sibling3
    if (adj.kind !== 'none' && adj.value > 0) {
      const before = unit
      unit = applyAdjust(unit, adj, -1)
      why.push(`${ctx.siblingRank}e enfant de la famille : réduction de ${adjustText(adj)} (−${formatEuro(before - unit)}) → ${formatEuro(unit)}`)
    }
  }

  if (ctx.outsideCommune && t.outsideCommune.kind !== 'none' && t.outsideCommune.value > 0) {
    const before = unit
    unit = applyAdjust(unit, t.outsideCommune, 1)
    why.push(`Famille hors commune : majoration de ${adjustText(t.outsideCommune)} (+${formatEuro(unit - before)}) → ${formatEuro(unit)}`)
  }

  const cents = step ? lineTotal(quantity * step, unit, 60) : lineTotal(quantity, unit)
  let walkinCents = 0
  if (ctx.state === 'PRESENT' && ctx.source === 'walk-in' && t.walkinSurchargeCents > 0) {
    walkinCents = t.walkinSurchargeCents
    why.push(`Présence sans réservation : majoration de ${formatEuro(walkinCents)}`)
  }
  if (step) why.push(`Total : ${formatMinutes(quantity * step)} × ${formatEuro(unit)} de l’heure = ${formatEuro(cents)} (arrondi au centime)`)
  else if (quantity > 1) why.push(`Total : ${quantity} × ${formatEuro(unit)} = ${formatEuro(cents)}`)
  return { billable: true, cents, quantity, unitPriceCents: unit, quantityLabel, dayKind, bracketLabel: bracketLabel(b), walkinCents, explanation: why }
}

/** "07:30" → 450. Also accepts ISO timestamps (their Paris wall-clock time is taken by the caller). */
export function hhmmToMinutes(s: string): number {
  const m = /^(\d{1,2}):(\d{2})/.exec(s)
  if (!m) throw new Error(`bad time ${s}`)
  return Number(m[1]) * 60 + Number(m[2])
}

/**
 * Minutes to bill for an hourly unit: the pointed times when both exist, else
 * the unit's schedule, completed by whichever pointed time exists.
 */
export function consumedMinutes(
  schedule: { start: string; end: string },
  attendance: { arrived: string | null; left: string | null }
): { minutes: number; source: 'attendance' | 'schedule' } {
  const start = attendance.arrived ? hhmmToMinutes(attendance.arrived) : hhmmToMinutes(schedule.start)
  const end = attendance.left ? hhmmToMinutes(attendance.left) : hhmmToMinutes(schedule.end)
  return { minutes: Math.max(0, end - start), source: attendance.arrived || attendance.left ? 'attendance' : 'schedule' }
}
