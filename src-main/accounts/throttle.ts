import type { EntityManager } from 'typeorm'
import type { Core } from '../core/app-core'
import { normalize } from '../core/text'
import { LoginThrottle } from './entities'

/**
 * Per-identifier login throttle, stored in SQLite so it survives restarts.
 * The key is the identifier typed, not the account: an unknown login is
 * locked exactly like a real one, which keeps enumeration impossible.
 * Per-IP limits are the HTTP adapter's job (@fastify/rate-limit).
 */
export function throttleKey(kind: 'staff' | 'portal', login: string): string {
  return `${kind}:${normalize(login)}`
}

export async function isLocked(m: EntityManager, core: Core, key: string): Promise<boolean> {
  const row = await m.findOneBy(LoginThrottle, { key })
  return !!row?.lockedUntil && new Date(row.lockedUntil) > core.clock.now()
}

export async function recordFailure(m: EntityManager, core: Core, key: string): Promise<void> {
  const now = core.clock.now()
  const windowMs = core.options.loginLockMinutes * 60_000
  const row = await m.findOneBy(LoginThrottle, { key })
  let failures = 1
  let windowStart = now.toISOString()
  if (row && now.getTime() - new Date(row.windowStart).getTime() < windowMs) {
    failures = row.failures + 1
    windowStart = row.windowStart
  }
  const lockedUntil = failures >= core.options.loginMaxFailures ? new Date(now.getTime() + windowMs).toISOString() : null
  await m.upsert(LoginThrottle, { key, failures, windowStart, lockedUntil }, ['key'])
}

export async function clearFailures(m: EntityManager, key: string): Promise<void> {
  await m.delete(LoginThrottle, { key })
}
