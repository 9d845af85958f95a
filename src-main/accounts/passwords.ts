import { hash, verify } from '@node-rs/argon2'
import { passwordProblem } from '@shared/password-policy'
import { DomainError } from '../core/errors'

/**
 * OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. Algorithm 2 is
 * Argon2id (the library's const enum cannot be imported under isolatedModules).
 */
const ARGON2ID = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

/**
 * Refuses a new password that breaks the policy (src-shared/password-policy.ts,
 * the same code as the portal's check), with its French explanation both as
 * the message and on the `password` field. `userInputs`: the person's login,
 * e-mail and names, which a password must not lean on.
 */
export function checkPasswordPolicy(password: string, userInputs: string[] = []): void {
  const problem = passwordProblem(password, userInputs)
  if (problem) throw new DomainError('weak_password', problem.message, 400, { password: problem.message })
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
