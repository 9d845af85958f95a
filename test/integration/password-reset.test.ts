import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { FORGOT_MESSAGE } from '../../src-main/accounts/auth'
import { PasswordToken } from '../../src-main/accounts/entities'
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
})
