import { IsNull, type EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { frenchDateTime } from '../core/clock'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { enqueueMail, mailContext } from '../mail/outbox'
import { templates } from '../mail/templates'
import { PasswordToken, PortalAccount, StaffUser, type SessionKind, type SessionStage } from './entities'
import { burnVerify, checkPasswordPolicy, hashPassword, verifyPassword } from './passwords'
import { afterStaffPassword, auditLanRefusal, recordStaffLogin, type StaffListener } from './second-factor'
import { closeAllSessions, openSession, type SessionPlace } from './sessions'
import { attemptSucceeded, claimAttempt, countResetRequest, markUsualAddress, takeLoginAlert, waitMessage } from './throttle'
import { newToken, sha256 } from './tokens'

export const BAD_CREDENTIALS = 'Identifiant ou mot de passe incorrect.'

export interface LoginResult {
  token: string
  userId: number
  /** `full`, or the second factor still to give / to set up (see SessionStage). */
  stage: SessionStage
}

/** What follows a right password: a session of that stage, or a refusal (said only once the password was right). */
export type AfterPassword = { stage: SessionStage } | { refusal: DomainError }

/**
 * Shared login path. The same message and the same argon2 work happen
 * whether the account exists or not. Throttling (throttle.ts) slows wrong
 * guesses per account, per (account, address) and per address, and never
 * locks the owner out of their usual address.
 */
async function login<T extends { id: number; passwordHash: string }>(
  core: Core,
  kind: SessionKind,
  loginName: string,
  password: string,
  place: SessionPlace,
  previousToken: string | null | undefined,
  find: (m: EntityManager) => Promise<T | null>,
  usable: (u: T) => string | null,
  next: (m: EntityManager, u: T) => Promise<AfterPassword> = async () => ({ stage: 'full' })
): Promise<LoginResult & { user: T }> {
  const now = core.clock.now()
  const address = place.address
  const { user, wait } = await core.tx.run(async (m) => {
    const user = await find(m)
    return { user, wait: await claimAttempt(m, now, { kind, login: loginName, address, userId: user?.id ?? null }) }
  })
  if (wait > 0) throw new DomainError('throttled', waitMessage(wait), 429)
  const good = user ? await verifyPassword(user.passwordHash, password) : await burnVerify(password)
  if (!user || !good) {
    // After the answer, and for unknown identifiers too: the answer's timing says nothing about the account.
    core.deferred.run('login-alert', () => alertOwner(core, kind, loginName))
    if (place.listener === 'lan') core.deferred.run('lan-login-audit', () => auditLanRefusal(core, loginName, address, 'password'))
    throw new DomainError('bad_credentials', BAD_CREDENTIALS, 401)
  }
  const after = await core.tx.read((m) => next(m, user))
  // The address becomes usual only when the whole login is done here (not when a second factor follows).
  await core.tx.run((m) => attemptSucceeded(m, now, { kind, login: loginName, address, userId: user.id }, 'stage' in after && after.stage === 'full'))
  // The password was right: now it is safe to say why the account cannot log in.
  const refusal = usable(user)
  if (refusal) throw new DomainError('account_unusable', refusal, 403)
  if ('refusal' in after) {
    if (place.listener === 'lan') core.deferred.run('lan-login-audit', () => auditLanRefusal(core, loginName, address, 'no-second-factor'))
    throw after.refusal
  }
  const { token } = await openSession(core, kind, user.id, previousToken, { ...place, stage: after.stage })
  return { token, userId: user.id, user, stage: after.stage }
}

/** « Tentatives de connexion »: once per window of the account budget, to the account's e-mail (if it exists). */
async function alertOwner(core: Core, kind: SessionKind, loginName: string): Promise<void> {
  await core.tx.run(async (m) => {
    const now = core.clock.now()
    const due = await takeLoginAlert(m, now, kind, loginName)
    if (!due) return
    const owner =
      kind === 'portal'
        ? await m.createQueryBuilder(PortalAccount, 'a').where('a.login = :l COLLATE NOCASE', { l: loginName }).getOne()
        : await m.createQueryBuilder(StaffUser, 's').where('s.login = :l COLLATE NOCASE', { l: loginName }).getOne()
    const to = owner instanceof StaffUser ? owner.email : owner?.login
    if (!owner || !to) return
    const ctx = await mailContext(m, core.runtime.portalUrl)
    await enqueueMail(m, core, to, templates.loginAttempts(ctx, { login: owner.login, failures: due.failures, since: frenchDateTime(new Date(due.since)), portal: kind === 'portal' }))
    await audit(m, { kind: 'system', id: null, label: 'Protection des connexions' }, now, {
      action: 'login-alert',
      entity: kind === 'staff' ? 'staff_user' : 'portal_account',
      entityId: owner.id,
      after: { failures: due.failures, since: due.since }
    })
  })
}

/**
 * Staff login, first step. Where a second factor is required (always on the LAN, on this computer for the roles the
 * direction chose: second-factor.ts), the session opened is not usable yet: `stage` says what remains.
 */
export async function staffLogin(
  core: Core,
  loginName: string,
  password: string,
  address: string,
  previousToken?: string | null,
  listener: StaffListener = 'loopback'
) {
  const place = { listener, address }
  const r = await login(
    core,
    'staff',
    loginName,
    password,
    place,
    previousToken,
    (m) => m.createQueryBuilder(StaffUser, 's').where('s.login = :l COLLATE NOCASE', { l: loginName }).getOne(),
    (u) => (u.active ? null : 'Ce compte est désactivé. Contactez la direction.'),
    (m, u) => afterStaffPassword(m, listener, u)
  )
  if (r.stage === 'full') await recordStaffLogin(core, r.user, place, null)
  return r
}

export async function portalLogin(core: Core, loginName: string, password: string, address: string, previousToken?: string | null) {
  const r = await login(
    core,
    'portal',
    loginName,
    password,
    { listener: 'portal', address },
    previousToken,
    (m) => m.createQueryBuilder(PortalAccount, 'a').where('a.login = :l COLLATE NOCASE', { l: loginName }).getOne(),
    (a) =>
      a.status === 'active' && a.familyId
        ? null
        : a.status === 'pending'
          ? 'Votre compte est en attente de validation par la structure. Vous recevrez un e-mail dès sa validation.'
          : a.status === 'refused'
            ? "Votre demande de compte n'a pas été acceptée. Contactez la structure."
            : 'Ce compte est désactivé. Contactez la structure.'
  )
  await core.tx.run((m) => m.update(PortalAccount, { id: r.userId }, { lastLoginAt: core.clock.now().toISOString() }))
  return r
}

async function changePassword<T extends StaffUser | PortalAccount>(
  core: Core,
  actor: Actor,
  kind: SessionKind,
  entity: new () => T,
  userId: number,
  current: string,
  next: string,
  keepToken: string | undefined
): Promise<void> {
  const user = (await core.tx.read((m) => m.findOneBy(entity as never, { id: userId } as never))) as T | null
  if (!user) throw notFound('Compte')
  if (!(await verifyPassword(user.passwordHash, current))) {
    throw new DomainError('bad_password', 'Le mot de passe actuel est incorrect.', 400, { current: 'incorrect' })
  }
  checkPasswordPolicy(next, [user.login, 'displayName' in user ? user.displayName : '', 'email' in user ? user.email : ''])
  if (await verifyPassword(user.passwordHash, next)) {
    throw new DomainError('same_password', 'Le nouveau mot de passe doit être différent de l’actuel.', 400, { next: 'identique' })
  }
  const passwordHash = await hashPassword(next)
  await core.tx.run(async (m) => {
    await m.update(entity as never, { id: userId } as never, { passwordHash, mustChangePassword: false } as never)
    await audit(m, actor, core.clock.now(), { action: 'password-change', entity: kind === 'staff' ? 'staff_user' : 'portal_account', entityId: userId })
    // A link asked for before the change must not undo it.
    await revokeResetLinks(m, kind, userId, core.clock.now())
    // Other sessions of this user end: a changed password must lock out whoever else had it.
    await closeAllSessions(core, kind, userId, keepToken)
  })
}

export const changeStaffPassword = (core: Core, actor: Actor, userId: number, current: string, next: string, keepToken?: string) =>
  changePassword(core, actor, 'staff', StaffUser, userId, current, next, keepToken)

export const changePortalPassword = (core: Core, actor: Actor, userId: number, current: string, next: string, keepToken?: string) =>
  changePassword(core, actor, 'portal', PortalAccount, userId, current, next, keepToken)

export const FORGOT_MESSAGE =
  'Si un compte actif correspond à cet identifiant, un e-mail contenant un lien de réinitialisation valable une heure vient d’être envoyé.'

/** Reset e-mails one identifier gets per hour at most; further requests are dropped silently (same answer). */
export const RESET_MAILS_PER_HOUR = 3

/**
 * Portal « Mot de passe oublié ». The answer goes out before anything is
 * looked up: finding the account, writing the token and queueing the e-mail
 * run afterwards (core/deferred.ts), so neither the answer nor its timing can
 * tell whether the login exists.
 */
export async function forgotPortalPassword(core: Core, loginName: string): Promise<string> {
  core.deferred.run('password-reset-request', () => sendResetLink(core, loginName))
  return FORGOT_MESSAGE
}

async function sendResetLink(core: Core, loginName: string): Promise<void> {
  const token = newToken(32)
  await core.tx.run(async (m) => {
    const now = core.clock.now()
    // Counted per identifier typed, known or not: both paths write and commit, so even a request
    // arriving right behind this work cannot tell whether the login exists. The limit keeps anyone
    // from flooding a family's mailbox through the form.
    const requests = await countResetRequest(m, now, loginName)
    const a = await m.createQueryBuilder(PortalAccount, 'a').where('a.login = :l COLLATE NOCASE', { l: loginName }).getOne()
    if (!a || a.status !== 'active' || requests > RESET_MAILS_PER_HOUR) return
    await m.insert(PasswordToken, {
      tokenHash: sha256(token),
      kind: 'portal',
      userId: a.id,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
      usedAt: null
    })
    const ctx = await mailContext(m, core.runtime.portalUrl)
    const link = `${ctx.portalUrl.replace(/\/$/, '')}/reinitialisation?jeton=${token}`
    await enqueueMail(m, core, a.login, templates.passwordReset(ctx, { link }))
    await audit(m, { kind: 'family', id: a.id, familyId: a.familyId ?? 0, label: a.login }, now, {
      action: 'password-reset-request',
      entity: 'portal_account',
      entityId: a.id
    })
  })
}

/** Every reset link of the account not used yet stops working (one was used, or the password changed). */
async function revokeResetLinks(m: EntityManager, kind: SessionKind, userId: number, now: Date): Promise<void> {
  await m.update(PasswordToken, { kind, userId, usedAt: IsNull() }, { usedAt: now.toISOString() })
}

/**
 * Sets a new password from an e-mailed link. The link and every other link of
 * the account stop working, every session of the account ends, and the
 * address the link was opened from becomes a usual one (throttle.ts): whoever
 * reads the family's mailbox is the owner, so a family kept out by an attack
 * on its account gets back in this way.
 */
export async function resetPortalPassword(core: Core, token: string, password: string, address: string): Promise<string> {
  const now = core.clock.now()
  const row = await core.tx.read((m) => m.findOneBy(PasswordToken, { tokenHash: sha256(token), kind: 'portal' }))
  if (!row || row.usedAt || new Date(row.expiresAt) <= now) {
    throw new DomainError('bad_token', 'Ce lien de réinitialisation est invalide ou a expiré. Refaites une demande « Mot de passe oublié ».', 400)
  }
  const account = await core.tx.read((m) => m.findOneByOrFail(PortalAccount, { id: row.userId }))
  checkPasswordPolicy(password, [account.login])
  const passwordHash = await hashPassword(password)
  await core.tx.run(async (m) => {
    // Single use: the update only succeeds if nobody used the token meanwhile.
    const used = await m.update(PasswordToken, { id: row.id, usedAt: IsNull() }, { usedAt: now.toISOString() })
    if (!used.affected) throw new DomainError('bad_token', 'Ce lien a déjà été utilisé.', 400)
    await revokeResetLinks(m, 'portal', account.id, now)
    await m.update(PortalAccount, { id: account.id }, { passwordHash, mustChangePassword: false })
    await audit(m, { kind: 'family', id: account.id, familyId: account.familyId ?? 0, label: account.login }, now, {
      action: 'password-reset',
      entity: 'portal_account',
      entityId: account.id
    })
    await markUsualAddress(m, now, 'portal', account.id, address)
    await closeAllSessions(core, 'portal', account.id)
  })
  return 'Votre mot de passe a été modifié. Vous pouvez vous connecter.'
}
