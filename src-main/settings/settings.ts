import type { EntityManager } from 'typeorm'
import { smtpSettings, type SmtpSettingsDto, type StructureDto } from '@shared/contract/shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { audit } from '../audit/audit'
import { bumpVersion, claimVersion, versionOf } from '../db/versions'
import { contactColumns, contactLists } from './contact'
import { Setting, Structure } from './entities'

export async function getSetting<T>(m: EntityManager, key: string, fallback: T): Promise<T> {
  const row = await m.findOneBy(Setting, { key })
  return row ? (JSON.parse(row.value) as T) : fallback
}

/** The version of a group of settings (one key), as its screen loads it. */
export function settingVersion(m: EntityManager, key: string): number {
  return versionOf(m, 'setting', { key })
}

/**
 * Writes one group of settings with its audit row. A settings screen passes
 * the `version` it loaded (a stale save is refused, 409); other writers
 * (seeding, demo) only bump it.
 */
export async function putSetting(m: EntityManager, core: Core, actor: Actor, key: string, value: unknown, secretKeys: string[] = [], version?: number): Promise<void> {
  const before = await getSetting<unknown>(m, key, null)
  const mask = (v: unknown) =>
    v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, secretKeys.includes(k) && x ? '***' : x])) : v
  await m.upsert(Setting, { key, value: JSON.stringify(value), updatedAt: core.clock.now().toISOString() }, ['key'])
  if (version === undefined) bumpVersion(m, 'setting', { key }, actor, core.clock.now())
  else claimVersion(m, 'setting', { key }, version, actor, core.clock.now())
  await audit(m, actor, core.clock.now(), { action: 'setting-update', entity: 'setting', entityId: key, before: mask(before), after: mask(value) })
}

export async function getStructure(m: EntityManager): Promise<Structure> {
  const s = await m.findOneBy(Structure, { id: 1 })
  if (s) return s
  return Object.assign(new Structure(), {
    id: 1,
    name: 'Ma structure',
    address: '',
    postalCode: '',
    city: '',
    phone: '',
    email: '',
    logo: null,
    siret: '',
    holidayZone: 'B',
    holidayRegion: '',
    portalUrl: '',
    websiteUrl: '',
    signatoryName: '',
    signatoryRole: '',
    openingHours: '[]',
    contactPhones: '[]',
    updatedAt: new Date(0).toISOString(),
    version: 0
  })
}

export async function updateStructure(core: Core, actor: Actor, { version, ...input }: StructureDto & { version: number }): Promise<void> {
  await core.tx.run(async (m) => {
    const before = await getStructure(m)
    const after = { ...before, ...input, ...contactColumns(input), id: 1, updatedAt: core.clock.now().toISOString() }
    await m.save(Structure, after)
    // After the save: the row exists even on the very first one.
    after.version = claimVersion(m, 'structure', { id: 1 }, version, actor, core.clock.now())
    await audit(m, actor, core.clock.now(), { action: 'structure-update', entity: 'structure', entityId: 1, before, after })
  })
}

export function structureDto(s: Structure): StructureDto & { version: number } {
  return {
    name: s.name,
    address: s.address,
    postalCode: s.postalCode,
    city: s.city,
    phone: s.phone,
    email: s.email,
    siret: s.siret,
    holidayZone: s.holidayZone as StructureDto['holidayZone'],
    holidayRegion: s.holidayRegion as StructureDto['holidayRegion'],
    logo: s.logo,
    websiteUrl: s.websiteUrl,
    signatoryName: s.signatoryName,
    signatoryRole: s.signatoryRole,
    ...contactLists(s),
    version: s.version
  }
}

export const SMTP_KEY = 'smtp'
export async function getSmtp(m: EntityManager): Promise<SmtpSettingsDto> {
  return smtpSettings.parse(await getSetting(m, SMTP_KEY, {}))
}
