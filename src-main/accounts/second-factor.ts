import type { EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { audit } from '../audit/audit'
import { getTwoFactorPolicy } from '../settings/staff-network'
import type { AfterPassword } from './auth'
import { StaffUser, type SessionListener } from './entities'
import { openSession, resolveSession, type SessionPlace } from './sessions'
import { attemptSucceeded, claimAttempt, waitMessage } from './throttle'
import { consumeSecondFactor, hasTotp } from './totp'

/**
 * The second step of a staff login. A second factor is always required on the
 * back-office on the LAN, and on this computer (loopback, desktop window) for
 * the roles the direction lists. On the LAN, an account without one gets no
 * session at all: setting one up there after the password alone would let
 * whoever stole the password enrol their own phone. On this computer, such an
 * account gets a session that only allows setting one up.
 */
export type StaffListener = Exclude<SessionListener, 'portal'>

export const NO_SECOND_FACTOR_ON_LAN =
  'La connexion depuis un autre poste exige la double authentification, que ce compte n’a pas encore configurée. Configurez-la d’abord sur l’ordinateur principal de la structure (bouton « Double authentification » en haut de l’écran, une fois connecté), puis reconnectez-vous ici.'

export const UNFINISHED_LOGIN = 'Votre connexion a expiré : saisissez à nouveau votre identifiant et votre mot de passe.'

const LAN_LOGINS: Actor = { kind: 'system', id: null, label: 'Connexion depuis le réseau' }

export async function afterStaffPassword(m: EntityManager, listener: StaffListener, user: StaffUser): Promise<AfterPassword> {
  const required = listener === 'lan' || (await getTwoFactorPolicy(m)).loopbackRoles.includes(user.role)
  if (!required) return { stage: 'full' }
  if (await hasTotp(m, user.id)) return { stage: 'second-factor' }
  if (listener === 'lan') return { refusal: new DomainError('second_factor_missing', NO_SECOND_FACTOR_ON_LAN, 403) }
  return { stage: 'two-factor-setup' }
}

/** A whole staff login (password, and second factor where required): the audit row says where it came from. */
export async function recordStaffLogin(core: Core, user: StaffUser, place: SessionPlace, secondFactor: 'totp' | 'recovery-code' | null): Promise<void> {
  await core.tx.run(async (m) => {
    await m.update(StaffUser, { id: user.id }, { lastLoginAt: core.clock.now().toISOString() })
    await audit(m, { kind: 'staff', id: user.id, label: user.displayName, role: user.role }, core.clock.now(), {
      action: 'login',
      entity: 'staff_user',
      entityId: user.id,
      after: { listener: place.listener, address: place.address, secondFactor }
    })
  })
}

/**
 * Failed logins on the LAN are written to the audit log too, with the address (after the answer, like the
 * « tentatives de connexion » alert, so the answer's timing says nothing).
 */
export async function auditLanRefusal(core: Core, login: string, address: string, reason: 'password' | 'second-factor' | 'no-second-factor'): Promise<void> {
  await core.tx.run(async (m) => {
    const user = await m.createQueryBuilder(StaffUser, 's').where('s.login = :l COLLATE NOCASE', { l: login }).getOne()
    await audit(m, LAN_LOGINS, core.clock.now(), { action: 'login-refused', entity: 'staff_user', entityId: user?.id ?? null, after: { login, address, reason } })
  })
}

/**
 * The code step: the session must be one awaiting its second factor, on this same listener. Throttled like the
 * password (budgets of its own, no lockout). A right code opens a new, full session (the token changes).
 */
export async function staffSecondFactor(core: Core, token: string | null, code: string, place: SessionPlace & { listener: StaffListener }): Promise<{ token: string; user: StaffUser }> {
  const s = await resolveSession(core, 'staff', token, place.listener)
  const user = s?.stage === 'second-factor' ? await core.tx.read((m) => m.findOneBy(StaffUser, { id: s.userId })) : null
  if (!user || !user.active) throw new DomainError('unauthenticated', UNFINISHED_LOGIN, 401)
  const now = core.clock.now()
  const attempt = { kind: 'staff' as const, step: 'totp' as const, login: user.login, address: place.address, userId: user.id }
  const wait = await core.tx.run((m) => claimAttempt(m, now, attempt))
  if (wait > 0) throw new DomainError('throttled', waitMessage(wait), 429)
  const r = await consumeSecondFactor(core, user.id, code)
  if ('refusal' in r) {
    if (place.listener === 'lan') core.deferred.run('lan-login-audit', () => auditLanRefusal(core, user.login, place.address, 'second-factor'))
    throw new DomainError('bad_code', r.refusal, 401, { code: r.refusal })
  }
  await core.tx.run((m) => attemptSucceeded(m, now, attempt))
  const opened = await openSession(core, 'staff', user.id, token, { ...place, stage: 'full' })
  await recordStaffLogin(core, user, place, r.method)
  return { token: opened.token, user }
}

/** After the second factor was set up in a set-up session (this computer): the session becomes a full one. */
export async function finishTwoFactorSetup(core: Core, token: string | null, place: SessionPlace & { listener: StaffListener }): Promise<string | null> {
  const s = await resolveSession(core, 'staff', token, place.listener)
  if (s?.stage !== 'two-factor-setup') return null
  const user = await core.tx.read((m) => m.findOneByOrFail(StaffUser, { id: s.userId }))
  const opened = await openSession(core, 'staff', user.id, token, { ...place, stage: 'full' })
  await recordStaffLogin(core, user, place, 'totp')
  return opened.token
}
