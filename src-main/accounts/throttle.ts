import ipaddr from 'ipaddr.js'
import { In, LessThan, MoreThanOrEqual, type EntityManager } from 'typeorm'
import { normalize } from '../core/text'
import { LoginKnownAddress, LoginThrottle, type SessionKind } from './entities'

/**
 * Login throttling that an attacker cannot turn into a lockout.
 *
 * Nothing is ever locked: each wrong password makes the next attempt wait a
 * little longer, and only within three separate budgets —
 *
 * - **pair** (account, address): only failures from that very address count.
 *   The owner's usual address therefore only ever waits for the owner's own
 *   typos, and never more than a minute, however many guesses arrive from
 *   elsewhere.
 * - **account**, every address together: bounds what a botnet spreading its
 *   guesses over many addresses can try on one account (5 free, then doubling
 *   from 2 s up to 15 min: about a hundred guesses a day). It does not apply
 *   from the account's *usual addresses* — those with a successful login in
 *   the last 90 days — which is what keeps the owner in: an attacker elsewhere
 *   can slow the whole account down, but not the owner at home. (An owner on a
 *   new address while an attack runs may have to wait; « Mot de passe oublié »
 *   gets them in, and the address that uses the link becomes a usual one.)
 * - **address**, every account together: stops one address spraying a common
 *   password over many accounts (10 free, then up to 5 min). Like the account
 *   budget, it does not apply to an account's usual addresses.
 *
 * The budgets are keyed by the identifier typed, not by the account, so an
 * unknown login is throttled exactly like a real one (no enumeration). An
 * attempt is counted as a failure *before* the password is checked, in the
 * same transaction as the budget check, so parallel requests cannot all slip
 * through one free slot; a right password then takes its count back. A refused
 * (too early) attempt checks no password and counts nothing.
 *
 * IPv6 addresses count per /64, the block one subscriber gets, so hopping
 * within one's own prefix does not make a new address.
 *
 * The second factor (a TOTP or recovery code, after a right password) has
 * budgets of its own, the same three, keyed `staff-totp:…`. An address becomes
 * usual only when a whole login succeeds there: when a second factor follows,
 * the right password alone does not make it usual, so whoever has the password
 * does not escape the account-wide budget of the codes.
 */
export interface Budget {
  /** Failures that cost nothing. */
  free: number
  /** Wait after the first failure beyond the free ones; doubles with each further failure. */
  firstDelayMs: number
  capMs: number
  /** Failures older than this (counted from the first of the window) are forgotten. */
  windowMs: number
}

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export const LOGIN_THROTTLE = {
  pair: { free: 3, firstDelayMs: 2 * SECOND, capMs: 1 * MINUTE, windowMs: HOUR },
  account: { free: 5, firstDelayMs: 2 * SECOND, capMs: 15 * MINUTE, windowMs: DAY },
  address: { free: 10, firstDelayMs: 2 * SECOND, capMs: 5 * MINUTE, windowMs: HOUR },
  /** A successful login keeps its address "usual" for this long. */
  knownAddressMs: 90 * DAY,
  /** Account failures in one window after which the owner is told by e-mail (once per window). */
  alertAt: 10
} satisfies Record<'pair' | 'account' | 'address', Budget> & Record<string, unknown>

type BudgetName = 'pair' | 'account' | 'address'

export function delayAfter(b: Budget, failures: number): number {
  return failures < b.free ? 0 : Math.min(b.capMs, b.firstDelayMs * 2 ** (failures - b.free))
}

/** The address a budget is kept for: IPv4 as is (also when IPv4-mapped), IPv6 as its /64. */
export function throttleAddress(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip // e.g. 'ipc' for the desktop window
  const a = ipaddr.process(ip)
  if (a.kind() === 'ipv4') return a.toString()
  const parts = (a as ipaddr.IPv6).parts.slice(0, 4).concat([0, 0, 0, 0])
  return `${new ipaddr.IPv6(parts).toString()}/64`
}

export interface LoginAttempt {
  kind: SessionKind
  /** The identifier as typed. */
  login: string
  /** Client address as the listener sees it (normalised here). */
  address: string
  /** The account the identifier names, if any (only to find its usual addresses). */
  userId: number | null
  /** The password (default) or the second factor that follows it. */
  step?: 'password' | 'totp'
}

function keys(a: LoginAttempt): Record<BudgetName, string> {
  const login = normalize(a.login)
  const address = throttleAddress(a.address)
  const scope = a.step === 'totp' ? `${a.kind}-totp` : a.kind
  return { pair: `${scope}:pair:${login}|${address}`, account: `${scope}:account:${login}`, address: `${scope}:address:${address}` }
}

/** The row if its window is still open. */
function live(row: LoginThrottle | undefined, b: Budget, now: Date): LoginThrottle | null {
  return row && now.getTime() - new Date(row.windowStart).getTime() < b.windowMs ? row : null
}

function waitFor(row: LoginThrottle | null, b: Budget, now: Date): number {
  return row ? Math.max(0, new Date(row.lastFailureAt).getTime() + delayAfter(b, row.failures) - now.getTime()) : 0
}

/**
 * Checks the budgets for an attempt. Returns the wait in milliseconds before
 * it may be made (nothing counted), or 0 after counting it as a failure.
 * Call `attemptSucceeded` when the password turns out right.
 */
export async function claimAttempt(m: EntityManager, now: Date, a: LoginAttempt): Promise<number> {
  const k = keys(a)
  // Rows of identifiers nobody tried for a day: keeps a spray of invented logins from growing the table.
  await m.delete(LoginThrottle, { windowStart: LessThan(new Date(now.getTime() - DAY).toISOString()) })
  const rows = await m.findBy(LoginThrottle, { key: In(Object.values(k)) })
  const names: BudgetName[] = ['pair', 'account', 'address']
  const current = Object.fromEntries(names.map((n) => [n, live(rows.find((r) => r.key === k[n]), LOGIN_THROTTLE[n], now)])) as Record<BudgetName, LoginThrottle | null>
  // Asked for unknown identifiers too (no account has id 0): both paths run the same queries.
  const usual = await m.existsBy(LoginKnownAddress, {
    kind: a.kind,
    userId: a.userId ?? 0,
    address: throttleAddress(a.address),
    lastSuccessAt: MoreThanOrEqual(new Date(now.getTime() - LOGIN_THROTTLE.knownAddressMs).toISOString())
  })
  // From a usual address only the pair counts: nobody elsewhere (nor a sprayer behind the same NAT) can slow the owner there.
  const wait = usual
    ? waitFor(current.pair, LOGIN_THROTTLE.pair, now)
    : Math.max(...names.map((n) => waitFor(current[n], LOGIN_THROTTLE[n], now)))
  if (wait > 0) return wait
  const at = now.toISOString()
  for (const n of names) {
    const row = current[n]
    await m.upsert(
      LoginThrottle,
      row
        ? { key: k[n], failures: row.failures + 1, windowStart: row.windowStart, lastFailureAt: at, alertedAt: row.alertedAt }
        : { key: k[n], failures: 1, windowStart: at, lastFailureAt: at, alertedAt: null },
      ['key']
    )
  }
  return 0
}

/**
 * The password (or code) was right: the pair starts afresh, the shared budgets take back this attempt, and the
 * address becomes usual unless the login is not complete yet (`completesLogin: false`: a second factor follows).
 */
export async function attemptSucceeded(m: EntityManager, now: Date, a: LoginAttempt & { userId: number }, completesLogin = true): Promise<void> {
  const k = keys(a)
  await m.delete(LoginThrottle, { key: k.pair })
  await m
    .createQueryBuilder()
    .update(LoginThrottle)
    .set({ failures: () => 'failures - 1' })
    .where('key IN (:...keys) AND failures > 0', { keys: [k.account, k.address] })
    .execute()
  if (completesLogin) await markUsualAddress(m, now, a.kind, a.userId, a.address)
}

/** Records `address` as one the account is used from (a successful login, or a reset link opened there). */
export async function markUsualAddress(m: EntityManager, now: Date, kind: SessionKind, userId: number, address: string): Promise<void> {
  await m.upsert(LoginKnownAddress, { kind, userId, address: throttleAddress(address), lastSuccessAt: now.toISOString() }, ['kind', 'userId', 'address'])
  await m.delete(LoginKnownAddress, { kind, userId, lastSuccessAt: LessThan(new Date(now.getTime() - LOGIN_THROTTLE.knownAddressMs).toISOString()) })
}

/**
 * After a failure: whether the owner should now be told, once per window of
 * the account budget. Marks the window as told and returns its failure count.
 */
export async function takeLoginAlert(m: EntityManager, now: Date, kind: SessionKind, login: string): Promise<{ failures: number; since: string } | null> {
  const key = keys({ kind, login, address: '', userId: null }).account
  const row = live((await m.findOneBy(LoginThrottle, { key })) ?? undefined, LOGIN_THROTTLE.account, now)
  if (!row || row.failures < LOGIN_THROTTLE.alertAt || row.alertedAt) return null
  await m.update(LoginThrottle, { key }, { alertedAt: now.toISOString() })
  return { failures: row.failures, since: row.windowStart }
}

/**
 * Counts a « Mot de passe oublié » request for an identifier (known or not)
 * and returns how many it made in the current hour, this one included.
 * Written for every request, so the work after the answer (one committed
 * write) is the same whether the login exists or not.
 */
export async function countResetRequest(m: EntityManager, now: Date, login: string): Promise<number> {
  const key = `portal:reset:${normalize(login)}`
  const row = live((await m.findOneBy(LoginThrottle, { key })) ?? undefined, { free: 0, firstDelayMs: 0, capMs: 0, windowMs: HOUR }, now)
  const at = now.toISOString()
  const requests = (row?.failures ?? 0) + 1
  await m.upsert(LoginThrottle, { key, failures: requests, windowStart: row?.windowStart ?? at, lastFailureAt: at, alertedAt: null }, ['key'])
  return requests
}

/** « Réessayez dans 8 secondes » / « dans 3 minutes ». */
export function waitMessage(ms: number): string {
  const s = Math.ceil(ms / SECOND)
  const when = s < 60 ? `${s} seconde${s > 1 ? 's' : ''}` : `${Math.ceil(s / 60)} minute${Math.ceil(s / 60) > 1 ? 's' : ''}`
  return `Trop de tentatives de connexion. Par sécurité, réessayez dans ${when}.`
}
