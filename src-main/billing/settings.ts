import { randomBytes } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { getSetting, putSetting, settingVersion } from '../settings/settings'
import { stmt } from '../bookings/sql'
import type { CtxMode } from './payments/systempay'

export const BILLING_KEY = 'billing'

export interface BillingSettings {
  /** Online card payment on the portal. Off: the portal shows `payAt`. */
  onlineEnabled: boolean
  /** 'simulator' = the built-in loopback payment page (demo, tests); 'systempay' = the real gateway. */
  provider: 'simulator' | 'systempay'
  siteId: string
  ctxMode: CtxMode
  testKey: string
  productionKey: string
  /** Override of the gateway URL (empty = Systempay's, or the simulator's). */
  gatewayUrl: string
  /** Where and how to pay when online payment is off ("Paiement à la Maison de l'Enfant…"). */
  payAt: string
  /** Postal codes of the commune; a family elsewhere pays the out-of-commune surcharge. Empty = nobody is "hors commune". */
  residentPostalCodes: string[]
}

export const DEFAULT_BILLING_SETTINGS: BillingSettings = {
  onlineEnabled: false,
  provider: 'simulator',
  siteId: '12345678',
  ctxMode: 'TEST',
  testKey: '',
  productionKey: '',
  gatewayUrl: '',
  payAt: 'Paiement à l’accueil de la structure (espèces, chèque, carte bancaire, CESU).',
  residentPostalCodes: []
}

export async function getBillingSettings(m: EntityManager): Promise<BillingSettings> {
  return { ...DEFAULT_BILLING_SETTINGS, ...(await getSetting<Partial<BillingSettings>>(m, BILLING_KEY, {})) }
}

/** Same as getBillingSettings, synchronously on the raw connection (hot paths inside a transaction). */
export function billingSettingsSync(db: Database.Database): BillingSettings {
  const row = stmt(db, 'SELECT value FROM setting WHERE key = ?').get(BILLING_KEY) as { value: string } | undefined
  return { ...DEFAULT_BILLING_SETTINGS, ...(row ? (JSON.parse(row.value) as Partial<BillingSettings>) : {}) }
}

/** The key that signs forms for the current mode (TEST or PRODUCTION). */
export function activeKey(s: BillingSettings): string {
  return s.ctxMode === 'PRODUCTION' ? s.productionKey : s.testKey
}

/** What the billing settings screen loads: the settings and their version. */
export async function billingSettingsForm(m: EntityManager): Promise<BillingSettings & { version: number }> {
  return { ...(await getBillingSettings(m)), version: settingVersion(m, BILLING_KEY) }
}

/** `version`: as the screen loaded it (a stale save is refused, 409); absent for the demo and tests that set them up. */
export async function saveBillingSettings(core: Core, actor: Actor, { version, ...input }: BillingSettings & { version?: number }): Promise<void> {
  if (!/^\d{8}$/.test(input.siteId)) throw new DomainError('invalid_input', 'Identifiant de la boutique : 8 chiffres.', 400, { siteId: '8 chiffres' })
  const codes = input.residentPostalCodes.map((c) => c.trim()).filter(Boolean)
  const bad = codes.find((c) => !/^\d{5}$/.test(c))
  if (bad) throw new DomainError('invalid_input', `Code postal « ${bad} » invalide (5 chiffres).`, 400, { residentPostalCodes: 'invalide' })
  await core.tx.run(async (m) => {
    const before = await getBillingSettings(m)
    const next: BillingSettings = {
      ...input,
      residentPostalCodes: codes,
      // An empty key field keeps the stored key: screens never receive keys back.
      testKey: input.testKey || before.testKey || (input.provider === 'simulator' ? randomBytes(12).toString('hex') : ''),
      productionKey: input.productionKey || before.productionKey
    }
    if (next.onlineEnabled && next.provider === 'systempay' && !activeKey(next)) {
      throw new DomainError('invalid_input', `Renseignez la clé de ${next.ctxMode === 'PRODUCTION' ? 'production' : 'test'} fournie par Systempay.`, 400, { testKey: 'requis' })
    }
    await putSetting(m, core, actor, BILLING_KEY, next, ['testKey', 'productionKey'], version)
  })
}
