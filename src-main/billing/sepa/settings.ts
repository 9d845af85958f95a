/**
 * Paramètres → Prélèvements SEPA: the pain.008 version the bank takes, the
 * pre-notification period, and the fee charged back to a family when its
 * debit is rejected. Stored as the 'sepa' setting (one JSON row, audited).
 */
import type Database from 'better-sqlite3'
import type { EntityManager } from 'typeorm'
import type { SepaSettingsDto } from '@shared/contract/sepa'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { getSetting, putSetting, settingVersion } from '../../settings/settings'
import { stmt } from '../../bookings/sql'

export const SEPA_KEY = 'sepa'

/** EPC rulebook: the debtor is told at least 14 calendar days ahead, unless the contract (règlement intérieur) says otherwise. */
export const DEFAULT_PRE_NOTIFICATION_DAYS = 14

export const DEFAULT_SEPA_SETTINGS: SepaSettingsDto = {
  format: 'pain.008.001.08',
  preNotificationDays: DEFAULT_PRE_NOTIFICATION_DAYS,
  rejectFeeCents: 0,
  rejectFeeLabel: 'Frais de rejet de prélèvement'
}

export async function getSepaSettings(m: EntityManager): Promise<SepaSettingsDto> {
  return { ...DEFAULT_SEPA_SETTINGS, ...(await getSetting<Partial<SepaSettingsDto>>(m, SEPA_KEY, {})) }
}

/** Same, synchronously on the raw connection (inside a transaction). */
export function sepaSettingsSync(db: Database.Database): SepaSettingsDto {
  const row = stmt(db, 'SELECT value FROM setting WHERE key = ?').get(SEPA_KEY) as { value: string } | undefined
  return { ...DEFAULT_SEPA_SETTINGS, ...(row ? (JSON.parse(row.value) as Partial<SepaSettingsDto>) : {}) }
}

/** What Paramètres → Prélèvements SEPA loads: the settings and their version. */
export async function sepaSettingsForm(m: EntityManager): Promise<SepaSettingsDto & { version: number }> {
  return { ...(await getSepaSettings(m)), version: settingVersion(m, SEPA_KEY) }
}

/** `version`: as the screen loaded them (a stale save is refused, 409); absent for set-ups outside a screen. */
export async function saveSepaSettings(core: Core, actor: Actor, { version, ...input }: SepaSettingsDto & { version?: number }): Promise<void> {
  await core.tx.run((m) => putSetting(m, core, actor, SEPA_KEY, { ...input, rejectFeeLabel: input.rejectFeeLabel.trim() || DEFAULT_SEPA_SETTINGS.rejectFeeLabel }, [], version))
}
