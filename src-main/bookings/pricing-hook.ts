import type { EntityManager } from 'typeorm'
import { billingSettingsSync } from '../billing/settings'
import { pricePreview } from '../billing/tariffs/preview'
import { dbOf, stmt } from './sql'

export interface UnitPrice {
  cents: number
  /** Tariff name shown in the recap e-mail's "Tarif" column. */
  label: string
}

/**
 * The price of one unit for a child on a day, from billing's tariffs (#6):
 * the tariff valid that day for the unit (or its activity), the family's
 * QF bracket (highest without a valid QF), the sibling reduction and the
 * out-of-commune surcharge — the same resolution an invoice uses. Without
 * any tariff, the unit's placeholder price still applies. Bookings call it
 * for every line of a recap inside the commit transaction: a few indexed
 * reads on cached statements, no run computation.
 */
export async function unitPrice(m: EntityManager, childId: number, unitId: number, day: string): Promise<UnitPrice> {
  const db = dbOf(m)
  const p = pricePreview(db, billingSettingsSync(db), { childId, unitId, day, state: 'R', source: 'family' })
  if (p.tariffId !== null) return { cents: p.cents, label: `Tarif ${p.mode}` }
  const row = stmt(db, 'SELECT price_cents AS cents FROM unit WHERE id = ?').get(unitId) as { cents: number } | undefined
  return { cents: row?.cents ?? 0, label: 'Tarif à l’unité' }
}
