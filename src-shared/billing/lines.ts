/**
 * How an invoice line reads, the same on the PDF and on both UIs: hourly
 * lines keep their unit (« 6 quarts d'heure ») and their price per hour.
 */
import { formatEuro } from './money'

/** « 4,15 € », or « 1,92 €/h » for an hourly line (its price is per hour). */
export function unitPriceLabel(kind: string, unitPriceCents: number): string {
  return kind === 'hourly' ? `${formatEuro(unitPriceCents)}/h` : formatEuro(unitPriceCents)
}

/**
 * The quantity of lines shown together: « 17 » units, « 6 quarts d'heure »
 * for one hourly line, « 16 × 6 quarts d'heure » for sixteen identical ones,
 * « 6 quarts d'heure + 7 quarts d'heure » when they differ.
 */
export function quantityText(kind: string, lines: { quantity: number; quantityLabel: string }[]): string {
  if (kind !== 'hourly') return String(lines.reduce((s, l) => s + l.quantity, 0))
  const counts = new Map<string, number>()
  for (const l of lines) {
    const label = l.quantityLabel || String(l.quantity)
    counts.set(label, (counts.get(label) ?? 0) + 1)
  }
  return [...counts].map(([label, n]) => (n > 1 ? `${n} × ${label}` : label)).join(' + ')
}
