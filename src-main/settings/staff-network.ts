import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { EntityManager } from 'typeorm'
import type { Actor, StaffRole } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { Session } from '../accounts/entities'
import { audit } from '../audit/audit'
import { parseRange } from './address-ranges'
import { getSetting, putSetting, settingVersion } from './settings'
import { operatorMaterial, saveOperatorMaterial, selfSignedMaterial, type TlsMaterial } from './tls'

/**
 * Paramètres → « Postes et tablettes »: the back-office on the local network
 * (off by default) and the second-factor policy.
 */
export interface StaffNetworkSettings {
  enabled: boolean
  /** HTTPS port of the back-office on the LAN, apart from the portal's. */
  port: number
  /** CIDR ranges allowed to connect (canonical form); others are cut before TLS. */
  allowedRanges: string[]
  /** The portal's self-signed certificate (same fingerprint), or a certificate of the operator's for this listener. */
  tlsMode: 'self-signed' | 'operator'
}

export const STAFF_NETWORK_KEY = 'staff-network'
export const DEFAULT_LAN_PORT = 5181
/** The operator's certificate for the back-office on the LAN: `tls/staff-operator.crt` and `.key`. */
const OPERATOR_NAME = 'staff-operator'

export function getStaffNetworkSettings(m: EntityManager): Promise<StaffNetworkSettings> {
  return getSetting<StaffNetworkSettings>(m, STAFF_NETWORK_KEY, { enabled: false, port: DEFAULT_LAN_PORT, allowedRanges: [], tlsMode: 'self-signed' })
}

/** The certificate the back-office on the LAN serves (the portal's self-signed one by default), or a French refusal. */
export function lanTlsMaterial(tlsDir: string, mode: StaffNetworkSettings['tlsMode']): TlsMaterial {
  if (mode === 'self-signed') return selfSignedMaterial(tlsDir)
  const m = operatorMaterial(tlsDir, OPERATOR_NAME)
  if (!m) throw new DomainError('no_certificate', 'Aucun certificat n’a été fourni pour le back-office sur le réseau : collez le certificat et sa clé.', 400, { certPem: 'requis' })
  return m
}

/** Checks the ranges as typed; returns them in canonical form, or refuses with a French message on each bad line. */
export function checkRanges(ranges: readonly string[], enabled: boolean): string[] {
  const fields: Record<string, string> = {}
  const out: string[] = []
  ranges.forEach((t, i) => {
    if (!t.trim()) return
    const r = parseRange(t)
    if ('error' in r) fields[`allowedRanges.${i}`] = r.error
    else if (!out.includes(r.canonical)) out.push(r.canonical)
  })
  const first = Object.values(fields)[0]
  if (first) throw new DomainError('bad_range', first, 400, { allowedRanges: first, ...fields })
  if (enabled && out.length === 0) {
    const m = 'Indiquez au moins une plage d’adresses autorisée (par exemple le réseau des bureaux, 192.168.1.0/24).'
    throw new DomainError('no_range', m, 400, { allowedRanges: m })
  }
  return out
}

/**
 * Saves the settings of the back-office on the LAN. Turning it off ends every session opened on the LAN, in the same
 * transaction. The listener itself is (re)started by the caller (server/lan-listener.ts), after the commit.
 */
export async function updateStaffNetworkSettings(
  core: Core,
  actor: Actor,
  input: StaffNetworkSettings & { certPem: string; keyPem: string; version: number }
): Promise<StaffNetworkSettings> {
  const allowedRanges = checkRanges(input.allowedRanges, input.enabled)
  const next: StaffNetworkSettings = { enabled: input.enabled, port: input.port, allowedRanges, tlsMode: input.tlsMode }
  await core.tx.run(async (m) => {
    const before = await getStaffNetworkSettings(m)
    // The version check first: a stale save (another desk changed these settings since) writes no certificate either.
    await putSetting(m, core, actor, STAFF_NETWORK_KEY, next, [], input.version)
    if (input.tlsMode === 'operator') {
      if (input.certPem || input.keyPem) saveOperatorMaterial(core.paths.tlsDir, input.certPem, input.keyPem, OPERATOR_NAME)
      else if (!existsSync(join(core.paths.tlsDir, `${OPERATOR_NAME}.crt`))) lanTlsMaterial(core.paths.tlsDir, 'operator')
    }
    if (before.enabled && !next.enabled) {
      const ended = await m.delete(Session, { kind: 'staff', listener: 'lan' })
      await audit(m, actor, core.clock.now(), { action: 'lan-sessions-end', entity: 'session', after: { sessions: ended.affected ?? 0 } })
    }
  })
  return next
}

/**
 * Who must give a second factor: always on the LAN; on this computer (loopback
 * and the desktop window), the roles the direction lists (none by default).
 */
export interface TwoFactorPolicy {
  loopbackRoles: StaffRole[]
}

export const TWO_FACTOR_KEY = 'two-factor'

export function getTwoFactorPolicy(m: EntityManager): Promise<TwoFactorPolicy> {
  return getSetting<TwoFactorPolicy>(m, TWO_FACTOR_KEY, { loopbackRoles: [] })
}

/** Both settings of the screen, each with the version its save sends back. */
export async function staffNetworkScreen(m: EntityManager) {
  return {
    settings: { ...(await getStaffNetworkSettings(m)), version: settingVersion(m, STAFF_NETWORK_KEY) },
    policy: { ...(await getTwoFactorPolicy(m)), version: settingVersion(m, TWO_FACTOR_KEY) }
  }
}

export async function updateTwoFactorPolicy(core: Core, actor: Actor, input: TwoFactorPolicy & { version: number }): Promise<void> {
  await core.tx.run((m) => putSetting(m, core, actor, TWO_FACTOR_KEY, { loopbackRoles: [...new Set(input.loopbackRoles)] }, [], input.version))
}
