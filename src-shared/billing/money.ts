/**
 * Money is integer cents everywhere; these helpers are the only place cents
 * become text ("1 234,50 €") and text becomes cents. Both UIs, PDFs, e-mails
 * and exports use them so an amount reads the same everywhere.
 */

/** Non-breaking space: keeps "20,80" and "€" (and thousands groups) on one line. */
export const NBSP = '\u00a0'

/** 2080 → "20,80 €", -550 → "-5,50 €", 123450 → "1 234,50 €" (NBSP separators). */
export function formatEuro(cents: number): string {
  return `${formatAmount(cents)}${NBSP}€`
}

/** 2080 → "20,80" (no currency sign), for table cells whose header says €. */
export function formatAmount(cents: number): string {
  if (!Number.isInteger(cents)) throw new Error(`amount must be integer cents, got ${cents}`)
  const neg = cents < 0
  const abs = Math.abs(cents)
  const euros = Math.floor(abs / 100)
  const rest = String(abs % 100).padStart(2, '0')
  const grouped = String(euros).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP)
  return `${neg ? '-' : ''}${grouped},${rest}`
}

/** 2080 → "20.80": SEPA and payment-provider decimal notation (dot, exactly 2 decimals). */
export function decimalAmount(cents: number): string {
  if (!Number.isInteger(cents)) throw new Error(`amount must be integer cents, got ${cents}`)
  const neg = cents < 0
  const abs = Math.abs(cents)
  return `${neg ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/**
 * "20,80", "20.8", "1 234,50 €", "12" → cents; null when the text is not an
 * amount (more than 2 decimals, letters…). Used by forms that take euros.
 */
export function parseEuro(text: string): number | null {
  const s = text.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.')
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(s)
  if (!m) return null
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0') || 0)
  if (!Number.isSafeInteger(cents)) return null
  return m[1] ? -cents : cents
}

/**
 * numerator / denominator rounded half up to the integer (half away from
 * zero for negatives), in exact integer arithmetic: 332.5 → 333, never
 * 332.49999… as floating point can make it.
 */
export function roundHalfUp(numerator: number, denominator = 1): number {
  if (!Number.isInteger(numerator) || !Number.isInteger(denominator) || denominator <= 0) throw new Error(`roundHalfUp needs integers, got ${numerator}/${denominator}`)
  const abs = Math.abs(numerator)
  const q = Math.floor((2 * abs + denominator) / (2 * denominator))
  return numerator < 0 ? -q : q
}

/**
 * The total of an invoice line: quantity × unit price, computed for the line
 * and rounded half up to the cent once. `per` is how many units of the
 * quantity the price is for: an hourly line of 7 quarter hours at 1,90 € the
 * hour is lineTotal(7 × 15, 190, 60) = 3,33 € (not 7 × 0,48 = 3,36 €).
 */
export function lineTotal(quantity: number, unitPriceCents: number, per = 1): number {
  return roundHalfUp(quantity * unitPriceCents, per)
}

/** Percentage of an amount, rounded half away from zero to the cent. */
export function percentOf(cents: number, pct: number): number {
  const v = (cents * pct) / 100
  return Math.sign(v) * Math.round(Math.abs(v))
}
