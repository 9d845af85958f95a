import { hash, verify } from '@node-rs/argon2'
import { dictionary } from '@zxcvbn-ts/language-common'
import { PASSWORD_MIN } from '@shared/contract/common'
import { DomainError } from '../core/errors'

/**
 * OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. Algorithm 2 is
 * Argon2id (the library's const enum cannot be imported under isolatedModules).
 */
const ARGON2ID = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

/**
 * The whole zxcvbn-ts common-password corpus (~49,000, ordered by frequency).
 * Its top 1,000 are all shorter than our 12-character minimum, so checking
 * only them would refuse nothing the length rule does not already refuse;
 * the full list catches "qwerty123456" and its kind.
 */
const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()))

export function checkPasswordPolicy(password: string, login?: string): void {
  if (password.length < PASSWORD_MIN) {
    throw new DomainError('weak_password', `Le mot de passe doit contenir au moins ${PASSWORD_MIN} caractères.`, 400, {
      password: 'trop court'
    })
  }
  const lower = password.toLowerCase()
  if (COMMON.has(lower) || (login && lower === login.toLowerCase())) {
    throw new DomainError('weak_password', 'Ce mot de passe est trop courant. Choisissez-en un autre, par exemple une phrase de plusieurs mots.', 400, {
      password: 'trop courant'
    })
  }
}

export function isCommonPassword(password: string): boolean {
  return COMMON.has(password.toLowerCase())
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID as never)
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password)
  } catch {
    return false
  }
}

let dummy: Promise<string> | null = null
/**
 * Verifies against a throw-away hash, so a login for an unknown account costs
 * as much time as one for a real account (no user enumeration by timing).
 */
export async function burnVerify(password: string): Promise<false> {
  dummy ??= hashPassword('ribambelle-dummy-password-for-timing')
  await verifyPassword(await dummy, password)
  return false
}
