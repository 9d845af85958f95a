import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { portalProcedures, staffProcedures } from '@shared/contract'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, outboxMails, seedFamily, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'

/** Mirrors ALLOWED_BEFORE_PASSWORD_CHANGE in rpc/dispatch.ts. */
const ALLOWED = new Set(['auth-session', 'auth-logout', 'auth-change-password', 'home-get'])
const REQUIRED = { code: 'password_change_required', message: 'Vous devez d’abord choisir un nouveau mot de passe.' }

let core: TestCore
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let director: SeededStaff
beforeEach(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  director = await seedStaff(core, 'direction')
})
afterEach(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

describe('portal account created by staff', () => {
  test('credentials go out by e-mail and the first login must change the password', async () => {
    const fam = await seedFamily(core, { account: false })
    const desk = await seedStaff(core, 'accueil')
    const s = await client(staffApp, 'staff')
    await s.loginStaff(desk.login, desk.password)
    const created = await s.call('accounts-create-portal', { familyId: fam.familyId, login: 'Parent.Nouveau@Exemple.fr' })
    expect(created.status).toBe(200)

    const [mail] = await outboxMails(core)
    expect(mail.recipient).toBe('parent.nouveau@exemple.fr')
    expect(mail.subject).toBe('[Ma structure] Vos identifiants pour le portail famille')
    expect(mail.textBody).toContain(`N° famille ${fam.number}`)
    const provisional = /Mot de passe provisoire : (\S+)/.exec(mail.textBody)![1]
    expect(provisional.length).toBeGreaterThanOrEqual(16)
    expect(mail.htmlBody).toContain('Mot de passe provisoire')
    expect((await auditRows(core, 'account-create'))[0]).toMatchObject({ actorId: desk.id, after: { familyId: fam.familyId, login: 'parent.nouveau@exemple.fr' } })
    expect(JSON.stringify(await auditRows(core))).not.toContain(provisional)

    const p = await client(portalApp, 'portal')
    const login = await p.loginPortal('parent.nouveau@exemple.fr', provisional)
    expect(login.body.user.mustChangePassword).toBe(true)

    // Every portal procedure that needs a session, other than the few needed to change it, is refused.
    const gated = Object.entries(portalProcedures).filter(([n, proc]) => !proc.public && !ALLOWED.has(n))
    for (const [name] of gated) {
      const r = await p.call(name, {})
      expect(r.status, name).toBe(403)
      expect(r.body.error, name).toEqual(REQUIRED)
    }
    expect((await p.call('home-get')).status).toBe(200)

    const wrong = await p.call('auth-change-password', { current: 'pas-le-bon-mot', next: 'ma-nouvelle-phrase-2026' })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error).toMatchObject({ code: 'bad_password', message: 'Le mot de passe actuel est incorrect.' })
    const same = await p.call('auth-change-password', { current: provisional, next: provisional })
    expect(same.body.error.code).toBe('same_password')
    expect((await p.call('auth-change-password', { current: provisional, next: 'ma-nouvelle-phrase-2026' })).status).toBe(200)
    expect((await p.call('auth-session')).body.user.mustChangePassword).toBe(false)
    for (const [name] of gated) expect((await p.call(name, {})).body?.error?.code, name).not.toBe('password_change_required')
    expect((await auditRows(core, 'password-change'))[0]).toMatchObject({ actorKind: 'family', entity: 'portal_account' })
  })

  test('an account is only created for an active family, with a login not yet used', async () => {
    const s = await client(staffApp, 'staff')
    await s.loginStaff(director.login, director.password)
    const fam = await seedFamily(core)
    const dup = await s.call('accounts-create-portal', { familyId: fam.familyId, login: fam.login.toUpperCase() })
    expect(dup.status).toBe(409)
    expect(dup.body.error.message).toBe('Cet identifiant est déjà utilisé par un autre compte.')
    const none = await s.call('accounts-create-portal', { familyId: 9999, login: 'x@exemple.fr' })
    expect(none.body.error).toEqual({ code: 'bad_family', message: 'Famille introuvable ou inactive.' })
    expect(await outboxMails(core)).toEqual([])
  })
})

describe('staff user created by the direction', () => {
  test('must change the password before any other procedure', async () => {
    const s = await client(staffApp, 'staff')
    await s.loginStaff(director.login, director.password)
    const r = await s.call('staff-create', { login: 'nouvelle', displayName: 'Nouvelle Directrice', role: 'direction', password: 'provisoire-2026-abc' })
    expect(r.status).toBe(200)

    const n = await client(staffApp, 'staff')
    const login = await n.loginStaff('nouvelle', 'provisoire-2026-abc')
    expect(login.body.user.mustChangePassword).toBe(true)
    // A direction user, so only the forced change (not the role) can refuse these.
    const gated = Object.entries(staffProcedures).filter(([name, proc]) => !proc.public && !ALLOWED.has(name))
    expect(gated.length).toBeGreaterThan(20)
    for (const [name] of gated) {
      const res = await n.call(name, {})
      expect(res.status, name).toBe(403)
      expect(res.body.error, name).toEqual(REQUIRED)
    }
    expect((await n.call('auth-change-password', { current: 'provisoire-2026-abc', next: 'definitive-2026-xyz' })).status).toBe(200)
    expect((await n.call('families-search', {})).status).toBe(200)
  })
})
