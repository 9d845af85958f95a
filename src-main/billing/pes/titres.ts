/**
 * The lines (sous-articles) of a titre: the invoice's lines grouped by
 * product code and budget nature. A line must be positive, so discounts and
 * credits (negative lines) and what the family already paid at the régie
 * are taken off the largest groups; the titre is for what is still due.
 */
import type { PesTitreLine } from './entities'

export interface InvoiceLineForPes {
  activityId: number | null
  tariffId: number | null
  activityName: string
  amountCents: number
}

export function titreLines(
  lines: InvoiceLineForPes[],
  product: (l: InvoiceLineForPes) => { code: string; nature: string },
  prepaidCents: number,
  period: string
): PesTitreLine[] {
  const groups = new Map<string, { code: string; nature: string; names: Set<string>; cents: number }>()
  for (const l of lines) {
    const p = product(l)
    const key = `${p.code}|${p.nature}`
    const g = groups.get(key) ?? { code: p.code, nature: p.nature, names: new Set<string>(), cents: 0 }
    if (l.activityName) g.names.add(l.activityName)
    g.cents += l.amountCents
    groups.set(key, g)
  }
  const all = [...groups.values()]
  const positive = all.filter((g) => g.cents > 0)
  let toRemove = prepaidCents + all.filter((g) => g.cents <= 0).reduce((s, g) => s - g.cents, 0)
  for (const g of [...positive].sort((a, b) => b.cents - a.cents)) {
    const take = Math.min(g.cents, toRemove)
    g.cents -= take
    toRemove -= take
  }
  return positive
    .filter((g) => g.cents > 0)
    .map((g, i) => ({ idLigne: i + 1, label: `${[...g.names].join(', ') || 'Prestations'} - ${period}`, code: g.code, nature: g.nature, cents: g.cents }))
}
