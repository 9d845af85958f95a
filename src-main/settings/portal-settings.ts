import type { EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { getSetting, putSetting, settingVersion } from './settings'
import { saveOperatorMaterial, type TlsMode } from './tls'

export interface PortalSettings {
  publicUrl: string
  tlsMode: TlsMode
}

export const PORTAL_KEY = 'portal'

export function getPortalSettings(m: EntityManager): Promise<PortalSettings> {
  return getSetting<PortalSettings>(m, PORTAL_KEY, { publicUrl: '', tlsMode: 'self-signed' })
}

export async function portalInfo(core: Core) {
  const [s, version] = await core.tx.read(async (m) => [await getPortalSettings(m), settingVersion(m, PORTAL_KEY)] as const)
  return {
    version,
    urls: core.runtime.portalUrls,
    publicUrl: s.publicUrl || core.runtime.portalUrl,
    tlsMode: s.tlsMode,
    fingerprint: core.runtime.tlsFingerprint,
    certificateExpiresAt: core.runtime.tlsExpiresAt
  }
}

/** Takes effect at the next start of the portal listener (the screen says so). */
export async function updatePortalSettings(
  core: Core,
  actor: Actor,
  input: { publicUrl: string; tlsMode: TlsMode; certPem: string; keyPem: string; version: number }
): Promise<void> {
  if (input.publicUrl && !/^https?:\/\/[^\s]+$/.test(input.publicUrl)) {
    throw new DomainError('bad_url', 'Adresse publique invalide (elle doit commencer par https://).', 400, { publicUrl: 'invalide' })
  }
  await core.tx.run(async (m) => {
    await putSetting(m, core, actor, PORTAL_KEY, { publicUrl: input.publicUrl, tlsMode: input.tlsMode }, [], input.version)
    // Inside the transaction, after the version check: a stale save writes no certificate either.
    if (input.tlsMode === 'operator' && (input.certPem || input.keyPem)) saveOperatorMaterial(core.paths.tlsDir, input.certPem, input.keyPem)
  })
}
