import { randomBytes } from 'node:crypto'
import { generateSecret, generateURI, verify } from 'otplib'
import QRCode from 'qrcode'
import { IsNull } from 'typeorm'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { getStructure } from '../settings/settings'
import { StaffRecoveryCode, StaffTotp, StaffUser } from './entities'
import { verifyPassword } from './passwords'
import { closeAllSessions } from './sessions'
import { openTotpSecret, sealTotpSecret } from './totp-secret'
import { sha256 } from './tokens'

/**
 * TOTP second factor (RFC 6238: 30 s steps, 6 digits, SHA-1, what every
 * authenticator app reads from the QR code) with otplib, and single-use
 * recovery codes. A code is accepted one step either side of now (a phone's
 * clock a little off, a code typed as it changes), and never twice: the step
 * of the last accepted code is kept, and a code of that step or an earlier one
 * is refused. Times come from `core.wallClock`, the phones' time.
 */
const TOLERANCE_SECONDS = 30
export const RECOVERY_CODE_COUNT = 10
/** A set-up not confirmed within this time must be started again (the QR code was on screen long enough). */
const SETUP_VALID_MS = 30 * 60_000

/** Crockford's base32: no I, L, O, U, so a code read aloud or copied by hand is not mistaken. */
const RECOVERY_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

export const BAD_CODE = 'Code incorrect. Saisissez le code à 6 chiffres affiché par votre application d’authentification, ou un code de secours.'
export const REPLAYED_CODE = 'Ce code a déjà été utilisé. Attendez le code suivant (il change toutes les 30 secondes).'
export const UNREADABLE_SECRET =
  'La double authentification de ce compte doit être configurée à nouveau (données restaurées sur un autre ordinateur) : connectez-vous avec un code de secours, ou demandez à la direction de la réinitialiser.'

function epoch(core: Core): number {
  return Math.floor(core.wallClock.now().getTime() / 1000)
}

/** The step of a valid code (replays included), or null. */
async function codeStep(core: Core, secret: string, code: string): Promise<number | null> {
  const r = await verify({ secret, token: code, epoch: epoch(core), epochTolerance: TOLERANCE_SECONDS })
  // A TOTP result carries its time step (the HOTP half of otplib's union does not).
  return r.valid && 'timeStep' in r ? (r.timeStep as number) : null
}

/** Upper case, without spaces nor dashes, with the letters Crockford's alphabet reads as digits. */
function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0')
}

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = [...randomBytes(16)].map((b) => RECOVERY_ALPHABET[b & 31]).join('')
    return chars.match(/.{4}/g)!.join('-')
  })
}

async function replaceRecoveryCodes(core: Core, m: import('typeorm').EntityManager, userId: number): Promise<string[]> {
  const codes = newRecoveryCodes()
  const createdAt = core.clock.now().toISOString()
  await m.delete(StaffRecoveryCode, { userId })
  await m.insert(
    StaffRecoveryCode,
    codes.map((c) => ({ userId, codeHash: sha256(normalizeRecoveryCode(c)), createdAt, usedAt: null }))
  )
  return codes
}

async function requirePassword(core: Core, userId: number, password: string): Promise<StaffUser> {
  const user = await core.tx.read((m) => m.findOneBy(StaffUser, { id: userId }))
  if (!user) throw notFound('Utilisateur')
  if (!password || !(await verifyPassword(user.passwordHash, password))) {
    throw new DomainError('bad_password', 'Le mot de passe actuel est incorrect.', 400, { password: 'Le mot de passe actuel est incorrect.' })
  }
  return user
}

export interface TotpStatus {
  enabled: boolean
  confirmedAt: string | null
  recoveryCodesLeft: number
  /** False when the stored secret no longer opens (restored elsewhere): set it up again. */
  usable: boolean
}

export async function totpStatus(core: Core, userId: number): Promise<TotpStatus> {
  return core.tx.read(async (m) => {
    const row = await m.findOneBy(StaffTotp, { userId })
    const left = await m.countBy(StaffRecoveryCode, { userId, usedAt: IsNull() })
    const enabled = !!row?.secret
    return {
      enabled,
      confirmedAt: row?.confirmedAt ?? null,
      recoveryCodesLeft: enabled ? left : 0,
      usable: enabled && openTotpSecret(core.paths.dataDir, userId, row!.secret!) !== null
    }
  })
}

/**
 * Starts setting up (or replacing) the user's TOTP: a new secret, kept aside until a code from it is entered. When a
 * second factor is already set up, the password is asked again: a session left open must not be enough to move
 * someone's second factor to another phone.
 */
export async function startTotpSetup(core: Core, userId: number, password: string): Promise<{ secret: string; uri: string; qrDataUrl: string }> {
  const existing = await core.tx.read((m) => m.findOneBy(StaffTotp, { userId }))
  const user = existing?.secret ? await requirePassword(core, userId, password) : await core.tx.read((m) => m.findOneByOrFail(StaffUser, { id: userId }))
  const secret = generateSecret()
  const structure = await core.tx.read((m) => getStructure(m))
  await core.tx.run((m) =>
    m.upsert(
      StaffTotp,
      {
        userId,
        pendingSecret: sealTotpSecret(core.paths.dataDir, userId, secret),
        pendingSince: core.clock.now().toISOString(),
        ...(existing ? {} : { secret: null, confirmedAt: null, lastTimeStep: 0 })
      },
      ['userId']
    )
  )
  const uri = generateURI({ issuer: 'Ribambelle', label: `${user.login} (${structure.name})`, secret })
  return { secret, uri, qrDataUrl: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 1, width: 240 }) }
}

/** Confirms the set-up with a code from the new secret: it becomes the second factor, with new recovery codes. */
export async function confirmTotpSetup(core: Core, actor: Actor, userId: number, code: string): Promise<string[]> {
  const row = await core.tx.read((m) => m.findOneBy(StaffTotp, { userId }))
  const fresh = row?.pendingSecret && row.pendingSince && core.clock.now().getTime() - new Date(row.pendingSince).getTime() < SETUP_VALID_MS
  const secret = fresh ? openTotpSecret(core.paths.dataDir, userId, row.pendingSecret!) : null
  if (!row || !secret) throw new DomainError('no_setup', 'Aucune configuration en cours, ou elle a expiré : cliquez à nouveau sur « Configurer ».', 400)
  const step = await codeStep(core, secret, code.replace(/\s/g, ''))
  if (step === null) {
    throw new DomainError('bad_code', 'Code incorrect. Vérifiez que l’heure du téléphone est juste, puis saisissez le code affiché.', 400, { code: 'Code incorrect.' })
  }
  return core.tx.run(async (m) => {
    // Only the set-up that was checked: another « Configurer » in the meantime made a new secret.
    const done = await m.update(
      StaffTotp,
      { userId, pendingSecret: row.pendingSecret! },
      { secret: row.pendingSecret, confirmedAt: core.clock.now().toISOString(), pendingSecret: null, pendingSince: null, lastTimeStep: step }
    )
    if (!done.affected) throw new DomainError('no_setup', 'Une autre configuration a été commencée entre-temps : recommencez.', 409)
    const codes = await replaceRecoveryCodes(core, m, userId)
    await audit(m, actor, core.clock.now(), { action: row.secret ? 'two-factor-change' : 'two-factor-enable', entity: 'staff_user', entityId: userId })
    return codes
  })
}

export async function regenerateRecoveryCodes(core: Core, actor: Actor, userId: number, password: string): Promise<string[]> {
  await requirePassword(core, userId, password)
  return core.tx.run(async (m) => {
    const row = await m.findOneBy(StaffTotp, { userId })
    if (!row?.secret) throw new DomainError('no_second_factor', 'Configurez d’abord la double authentification.', 400)
    const codes = await replaceRecoveryCodes(core, m, userId)
    await audit(m, actor, core.clock.now(), { action: 'two-factor-recovery-codes', entity: 'staff_user', entityId: userId })
    return codes
  })
}

/**
 * The direction removes someone's second factor (a lost phone). Their sessions on the LAN end (they were opened with
 * it); they set it up again at the main computer.
 */
export async function resetTotp(core: Core, actor: Actor, userId: number): Promise<void> {
  await core.tx.run(async (m) => {
    if (!(await m.existsBy(StaffUser, { id: userId }))) throw notFound('Utilisateur')
    const removed = await m.delete(StaffTotp, { userId })
    await m.delete(StaffRecoveryCode, { userId })
    if (!removed.affected) throw new DomainError('no_second_factor', 'Ce compte n’a pas de double authentification configurée.', 400)
    await audit(m, actor, core.clock.now(), { action: 'two-factor-reset', entity: 'staff_user', entityId: userId })
    await closeAllSessions(core, 'staff', userId, undefined, 'lan')
  })
}

/** Whether the user has a confirmed second factor. */
export async function hasTotp(m: import('typeorm').EntityManager, userId: number): Promise<boolean> {
  return !!(await m.findOneBy(StaffTotp, { userId }))?.secret
}

/**
 * Checks a second-factor code at login and uses it up: a TOTP code (its step becomes the last accepted, in one
 * conditional write, so two requests racing with the same code cannot both pass) or a recovery code (marked used the
 * same way). Returns how the user proved it, or the French reason of the refusal.
 */
export async function consumeSecondFactor(core: Core, userId: number, code: string): Promise<{ method: 'totp' | 'recovery-code' } | { refusal: string }> {
  const compact = code.replace(/[\s-]/g, '')
  if (/^\d{6}$/.test(compact)) {
    const row = await core.tx.read((m) => m.findOneBy(StaffTotp, { userId }))
    const secret = row?.secret ? openTotpSecret(core.paths.dataDir, userId, row.secret) : null
    if (!secret) return { refusal: UNREADABLE_SECRET }
    const step = await codeStep(core, secret, compact)
    if (step === null) return { refusal: BAD_CODE }
    const taken = await core.tx.run((m) =>
      m
        .createQueryBuilder()
        .update(StaffTotp)
        .set({ lastTimeStep: step })
        .where('user_id = :userId AND last_time_step < :step', { userId, step })
        .execute()
    )
    return taken.affected ? { method: 'totp' } : { refusal: REPLAYED_CODE }
  }
  const normalized = normalizeRecoveryCode(compact)
  if (normalized.length !== 16) return { refusal: BAD_CODE }
  const used = await core.tx.run((m) =>
    m.update(StaffRecoveryCode, { userId, codeHash: sha256(normalized), usedAt: IsNull() }, { usedAt: core.clock.now().toISOString() })
  )
  return used.affected ? { method: 'recovery-code' } : { refusal: BAD_CODE }
}
