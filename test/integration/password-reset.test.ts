import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { FORGOT_MESSAGE, portalLogin, RESET_MAILS_PER_HOUR } from '../../src-main/accounts/auth'
import { PasswordToken } from '../../src-main/accounts/entities'
import { DomainError } from '../../src-main/core/errors'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { auditRows, openTestCore, outboxMails, seedFamily, type SeededFamily, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'

const MIN = 60_000
const BAD_TOKEN = 'Ce lien de réinitialisation est invalide ou a expiré. Refaites une demande « Mot de passe oublié ».'

let core: TestCore
let app: FastifyInstance
let family: SeededFamily
beforeEach(async () => {
  core = await openTestCore()
  app = await buildPortalApp(core)
  family = await seedFamily(core)
})
afterEach(async () => {
  await app.close()
  await core.cleanup()
})

/** Asks for a reset link and returns the token from the queued e-mail. */
async function requestToken(login = family.login): Promise<string> {
  const c = await client(app, 'portal')
  const r = await c.call('auth-forgot-password', { login })
  expect(r.body).toEqual({ message: FORGOT_MESSAGE })
  await core.deferred.idle()
  const mails = await outboxMails(core)
  const last = mails[mails.length - 1]
  expect(last.subject).toMatch(/Réinitialisation de votre mot de passe$/)
  const m = /reinitialisation\?jeton=([A-Za-z0-9_-]+)/.exec(last.textBody)
  expect(m).not.toBeNull()
  return m![1]
}

describe('forgotten password', () => {
  test('the e-mailed token is 128+ bits, stored hashed, and resets the password once', async () => {
    const token = await requestToken()
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16)
    const stored = await core.tx.read((m) => m.find(PasswordToken))
    expect(stored).toHaveLength(1)
    expect(stored[0].tokenHash).not.toContain(token)
    expect(stored[0].expiresAt).toBe(new Date(core.clock.now().getTime() + 60 * MIN).toISOString())

    const c = await client(app, 'portal')
    const r = await c.call('auth-reset-password', { token, password: 'nouvelle-phrase-secrete' })
    expect(r.status).toBe(200)
    expect(r.body.message).toBe('Votre mot de passe a été modifié. Vous pouvez vous connecter.')
    expect((await c.call('auth-login', { login: family.login, password: family.password })).status).toBe(401)
    expect((await c.call('auth-login', { login: family.login, password: 'nouvelle-phrase-secrete' })).status).toBe(200)

    const again = await c.call('auth-reset-password', { token, password: 'encore-une-autre-phrase' })
    expect(again.status).toBe(400)
    expect(again.body.error).toEqual({ code: 'bad_token', message: BAD_TOKEN })
    expect((await auditRows(core, 'password-reset'))[0]).toMatchObject({ actorKind: 'family', entityId: String(family.accountId) })
  })

  test('the token expires after one hour', async () => {
    const token = await requestToken()
    core.clock.advance(59 * MIN)
    const fresh = await requestToken()
    core.clock.advance(1 * MIN) // first one is now exactly 1 h old
    const c = await client(app, 'portal')
    const late = await c.call('auth-reset-password', { token, password: 'nouvelle-phrase-secrete' })
    expect(late.status).toBe(400)
    expect(late.body.error.message).toBe(BAD_TOKEN)
    expect((await c.call('auth-reset-password', { token: fresh, password: 'nouvelle-phrase-secrete' })).status).toBe(200)
  })

  test('an unknown login gets the same answer and no e-mail', async () => {
    const c = await client(app, 'portal')
    const r = await c.call('auth-forgot-password', { login: 'inconnu@exemple.fr' })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ message: FORGOT_MESSAGE })
    await core.deferred.idle()
    expect(await outboxMails(core)).toEqual([])
    expect(await core.tx.read((m) => m.count(PasswordToken))).toBe(0)
  })

  test('a reset closes every open session of the account', async () => {
    const open = await client(app, 'portal')
    await open.loginPortal(family.login, family.password)
    expect((await open.call('home-get')).status).toBe(200)
    const token = await requestToken()
    const c = await client(app, 'portal')
    expect((await c.call('auth-reset-password', { token, password: 'nouvelle-phrase-secrete' })).status).toBe(200)
    expect((await open.call('home-get')).status).toBe(401)
  })

  test('the new password follows the policy; a refused one does not burn the token', async () => {
    const token = await requestToken()
    const c = await client(app, 'portal')
    const short = await c.call('auth-reset-password', { token, password: 'court' })
    expect(short.status).toBe(400)
    expect(short.body.error.fields.password).toBe('Le mot de passe doit contenir au moins 12 caractères.')
    const same = await c.call('auth-reset-password', { token, password: family.login })
    expect(same.body.error.code).toBe('weak_password')
    expect((await c.call('auth-reset-password', { token, password: 'nouvelle-phrase-secrete' })).status).toBe(200)
  })

  test('using one link makes every other link of the account invalid', async () => {
    const first = await requestToken()
    const second = await requestToken()
    const c = await client(app, 'portal')
    expect((await c.call('auth-reset-password', { token: second, password: 'nouvelle-phrase-secrete' })).status).toBe(200)
    const stale = await c.call('auth-reset-password', { token: first, password: 'encore-une-autre-phrase' })
    expect(stale.status).toBe(400)
    expect(stale.body.error).toEqual({ code: 'bad_token', message: BAD_TOKEN })
    expect((await c.call('auth-login', { login: family.login, password: 'nouvelle-phrase-secrete' })).status).toBe(200)
  })

  test('a password changed from « Mon compte » also ends the links asked for before', async () => {
    const token = await requestToken()
    const c = await client(app, 'portal')
    await c.loginPortal(family.login, family.password)
    expect((await c.call('auth-change-password', { current: family.password, next: 'phrase-toute-neuve-2026' })).status).toBe(200)
    const late = await client(app, 'portal')
    expect((await late.call('auth-reset-password', { token, password: 'nouvelle-phrase-secrete' })).body.error.code).toBe('bad_token')
  })

  test(`at most ${RESET_MAILS_PER_HOUR} reset e-mails an hour per account; beyond, the same answer and nothing sent`, async () => {
    const c = await client(app, 'portal')
    const answers: unknown[] = []
    for (let i = 0; i < 8; i++) {
      answers.push((await c.call('auth-forgot-password', { login: family.login.toUpperCase() })).body)
      core.clock.advance(5 * MIN)
    }
    await core.deferred.idle()
    expect(answers).toEqual(Array(8).fill({ message: FORGOT_MESSAGE }))
    expect(await outboxMails(core)).toHaveLength(RESET_MAILS_PER_HOUR)
    core.clock.advance(30 * MIN) // the first request is now more than an hour old
    expect(await requestToken()).toBeTruthy()
    expect(await outboxMails(core)).toHaveLength(RESET_MAILS_PER_HOUR + 1)
  })

  test('the answer is given before the account is even looked up: it cannot depend on it', async () => {
    // Hold the database: any work done before answering would wait for it.
    let release!: () => void
    const held = core.tx.run(() => new Promise<void>((r) => (release = r)))
    const c = await client(app, 'portal')
    const csrf = await c.csrfToken()
    const blocked = new Promise<'blocked'>((r) => setTimeout(() => r('blocked'), 10_000).unref())
    const answers = await Promise.race([
      Promise.all([family.login, 'inconnu@exemple.fr'].map((login) => c.call('auth-forgot-password', { login }, { csrf }).then((r) => r.body))),
      blocked
    ])
    release()
    await held
    expect(answers).toEqual([{ message: FORGOT_MESSAGE }, { message: FORGOT_MESSAGE }])
    // The work happens afterwards: one link, for the real account only.
    await core.deferred.idle()
    expect((await outboxMails(core)).map((m) => m.recipient)).toEqual([family.login])
  })

  test('the address a link is used from becomes a usual one: a family kept out by an attack gets back in', async () => {
    const phone = '203.0.113.50'
    for (let i = 0; i < 8; i++) await portalLogin(core, family.login, 'mauvais-mot-de-passe', `198.51.100.${i + 1}`).catch(() => undefined)
    const kept = await portalLogin(core, family.login, family.password, phone).catch((e: DomainError) => e)
    expect((kept as DomainError).code).toBe('throttled')
    const token = await requestToken()
    const c = await client(app, 'portal', { ip: phone })
    expect((await c.call('auth-reset-password', { token, password: 'nouvelle-phrase-secrete' })).status).toBe(200)
    expect((await c.call('auth-login', { login: family.login, password: 'nouvelle-phrase-secrete' })).status).toBe(200)
  })
})
