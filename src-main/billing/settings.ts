import { randomBytes } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import type { Core, RunMode } from '../core/app-core'
import { DomainError } from '../core/errors'
import { getSetting, putSetting, settingVersion } from '../settings/settings'
import { stmt } from '../bookings/sql'
import type { CtxMode } from './payments/systempay'

export const BILLING_KEY = 'billing'

export type PaymentProvider = 'systempay' | 'payfip'
/** PayFiP's "saisie": T test, X activation, W production. */
export type PayfipSaisie = 'T' | 'X' | 'W'

export interface BillingSettings {
  /** Online payment on the portal. Off: the portal shows `payAt`. */
  onlineEnabled: boolean
  /** Systempay (card, régie or association) or PayFiP (DGFiP, titres of a public régie). */
  provider: PaymentProvider
  /**
   * The built-in loopback simulator of that provider instead of the real one.
   * Only honoured when the app runs as a demo or in the explicit test mode.
   */
  simulated: boolean
  siteId: string
  ctxMode: CtxMode
  testKey: string
  productionKey: string
  /** Override of the gateway URL (empty = Systempay's, or the simulator's). */
  gatewayUrl: string
  /** PayFiP client number given by the DGFiP (6 digits). */
  payfipNumcli: string
  payfipSaisie: PayfipSaisie
  /** Override of PayFiP's web service and payment page (empty = the DGFiP's). */
  payfipServiceUrl: string
  payfipPaymentUrl: string
  /** Where and how to pay when online payment is off ("Paiement à la Maison de l'Enfant…"). */
  payAt: string
  /** Postal codes of the commune; a family elsewhere pays the out-of-commune surcharge. Empty = nobody is "hors commune". */
  residentPostalCodes: string[]
}

export const DEFAULT_BILLING_SETTINGS: BillingSettings = {
  onlineEnabled: false,
  provider: 'systempay',
  simulated: false,
  siteId: '12345678',
  ctxMode: 'TEST',
  testKey: '',
  productionKey: '',
  gatewayUrl: '',
  payfipNumcli: '',
  payfipSaisie: 'T',
  payfipServiceUrl: '',
  payfipPaymentUrl: '',
  payAt: 'Paiement à l’accueil de la structure (espèces, chèque, carte bancaire, CESU).',
  residentPostalCodes: []
}

/** Settings saved before PayFiP had `provider: 'simulator'`: that is the Systempay simulator. */
function normalise(stored: Omit<Partial<BillingSettings>, 'provider'> & { provider?: string }): BillingSettings {
  const { provider, ...rest } = stored
  if (provider === 'simulator') return { ...DEFAULT_BILLING_SETTINGS, ...rest, provider: 'systempay', simulated: true }
  return { ...DEFAULT_BILLING_SETTINGS, ...rest, provider: provider === 'payfip' ? 'payfip' : 'systempay' }
}

export async function getBillingSettings(m: EntityManager): Promise<BillingSettings> {
  return normalise(await getSetting<Partial<BillingSettings>>(m, BILLING_KEY, {}))
}

/** Same as getBillingSettings, synchronously on the raw connection (hot paths inside a transaction). */
export function billingSettingsSync(db: Database.Database): BillingSettings {
  const row = stmt(db, 'SELECT value FROM setting WHERE key = ?').get(BILLING_KEY) as { value: string } | undefined
  return normalise(row ? (JSON.parse(row.value) as Partial<BillingSettings>) : {})
}

/** The key that signs forms for the current mode (TEST or PRODUCTION). */
export function activeKey(s: BillingSettings): string {
  return s.ctxMode === 'PRODUCTION' ? s.productionKey : s.testKey
}

/** What the billing settings screen loads: the settings and their version. */
export async function billingSettingsForm(m: EntityManager): Promise<BillingSettings & { version: number }> {
  return { ...(await getBillingSettings(m)), version: settingVersion(m, BILLING_KEY) }
}

export const simulatorAllowed = (mode: RunMode): boolean => mode !== 'production'

export interface OnlineOffer {
  /** The portal offers "Payer". */
  available: boolean
  provider: PaymentProvider
  simulated: boolean
  /** Shown on every payment page when the simulator is in use. */
  simulatorNotice: string | null
}

/**
 * What the portal may offer: a real provider only once it is configured;
 * a simulator only in a demo or the explicit test mode. A database copied
 * from a demo, or settings left on the simulator, offer nothing in a normal
 * install: a family can never mark an invoice paid without paying.
 */
export function onlineOffer(s: BillingSettings, mode: RunMode): OnlineOffer {
  const simulated = s.simulated
  const configured = simulated
    ? simulatorAllowed(mode) && (s.provider === 'payfip' ? /^\d{6}$/.test(s.payfipNumcli) : Boolean(activeKey(s)))
    : s.provider === 'payfip'
      ? /^\d{6}$/.test(s.payfipNumcli)
      : /^\d{8}$/.test(s.siteId) && Boolean(activeKey(s))
  const notice = !simulated
    ? null
    : mode === 'demo'
      ? 'Démonstration : paiement simulé, aucune somme n’est débitée.'
      : 'Mode test : paiement simulé, aucune somme n’est débitée.'
  return { available: s.onlineEnabled && configured, provider: s.provider, simulated, simulatorNotice: simulated && simulatorAllowed(mode) ? notice : null }
}

/** `version`: as the screen loaded it (a stale save is refused, 409); absent for the demo and tests that set them up. */
export async function saveBillingSettings(core: Core, actor: Actor, { version, ...input }: BillingSettings & { version?: number }): Promise<void> {
  if (input.provider === 'systempay' && !/^\d{8}$/.test(input.siteId)) throw new DomainError('invalid_input', 'Identifiant de la boutique : 8 chiffres.', 400, { siteId: '8 chiffres' })
  if (input.simulated && !simulatorAllowed(core.options.runMode)) {
    throw new DomainError(
      'invalid_input',
      'Le simulateur de paiement n’est disponible qu’en démonstration ou en mode test : choisissez le vrai prestataire et renseignez ses identifiants.',
      400,
      { simulated: 'démonstration ou mode test seulement' }
    )
  }
  const codes = input.residentPostalCodes.map((c) => c.trim()).filter(Boolean)
  const bad = codes.find((c) => !/^\d{5}$/.test(c))
  if (bad) throw new DomainError('invalid_input', `Code postal « ${bad} » invalide (5 chiffres).`, 400, { residentPostalCodes: 'invalide' })
  if (input.payfipNumcli && !/^\d{6}$/.test(input.payfipNumcli)) {
    throw new DomainError('invalid_input', 'Numéro client PayFiP : 6 chiffres, fournis par la DGFiP.', 400, { payfipNumcli: '6 chiffres' })
  }
  for (const k of ['gatewayUrl', 'payfipServiceUrl', 'payfipPaymentUrl'] as const) {
    if (input[k] && !/^https?:\/\/\S+$/.test(input[k])) throw new DomainError('invalid_input', 'Adresse invalide : elle doit commencer par https://.', 400, { [k]: 'adresse invalide' })
  }
  await core.tx.run(async (m) => {
    const before = await getBillingSettings(m)
    const next: BillingSettings = {
      ...input,
      residentPostalCodes: codes,
      // An empty key field keeps the stored key: screens never receive keys back.
      testKey: input.testKey || before.testKey || (input.simulated && input.provider === 'systempay' ? randomBytes(12).toString('hex') : ''),
      productionKey: input.productionKey || before.productionKey
    }
    if (next.onlineEnabled && next.provider === 'systempay' && !activeKey(next)) {
      throw new DomainError('invalid_input', `Renseignez la clé de ${next.ctxMode === 'PRODUCTION' ? 'production' : 'test'} fournie par Systempay.`, 400, { testKey: 'requis' })
    }
    if (next.onlineEnabled && next.provider === 'payfip' && !next.payfipNumcli) {
      throw new DomainError('invalid_input', 'Renseignez le numéro client PayFiP (6 chiffres) fourni par la DGFiP.', 400, { payfipNumcli: 'requis' })
    }
    await putSetting(m, core, actor, BILLING_KEY, next, ['testKey', 'productionKey'], version)
  })
}
