import type Database from 'better-sqlite3'
import { billingSettingsSync } from '../billing/settings'
import { memoLookups, pricePreview } from '../billing/tariffs/preview'

export interface UnitPrice {
  cents: number
  /** Tariff name shown in the recap e-mail's "Tarif" column. */
  label: string
}

export type UnitPricer = (childId: number, unitId: number, day: string) => UnitPrice

/**
 * Prices for one recap or commit, from billing's tariffs (#6): the tariff
 * valid that day for the unit (or its activity), the family's QF bracket
 * (highest without a valid QF), the sibling reduction and the out-of-commune
 * surcharge — the same resolution an invoice uses. Without any tariff, the
 * unit's placeholder price still applies.
 *
 * A month's "Terminer" prices 30-odd days of the same child and unit: the
 * reads are shared (memoLookups) and a price already resolved for the same
 * tariff, QF and sibling rank is reused, so the rush pays a few queries per
 * commit instead of ten per line. Create one per transaction: it remembers
 * what it read.
 */
export function unitPricer(db: Database.Database): UnitPricer {
  const settings = billingSettingsSync(db)
  const lookups = memoLookups(db)
  const resolved = new Map<string, UnitPrice>()
  return (childId, unitId, day) => {
    const unit = lookups.unit(unitId)
    const child = lookups.child(childId)
    const tariff = unit ? lookups.tariff(unitId, unit.activity_id, day) : null
    // Without a tariff, the unit's placeholder price (read with the unit, once per commit).
    if (!unit || !child || !tariff) return { cents: unit?.price_cents ?? 0, label: 'Tarif à l’unité' }
    // Everything the resolution depends on for a family booking (state R, source family, the unit's own hours).
    const key = `${childId}:${unitId}:${tariff.id}:${lookups.qf(child.family_id, day)}:${lookups.siblingRank(childId, day)}`
    let price = resolved.get(key)
    if (!price) {
      const p = pricePreview(db, settings, { childId, unitId, day, state: 'R', source: 'family' }, lookups)
      price = { cents: p.cents, label: `Tarif ${p.mode}` }
      resolved.set(key, price)
    }
    return price
  }
}

