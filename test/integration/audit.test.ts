import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Setting } from '../../src-main/settings/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, seedFamily, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'

let core: TestCore
let app: FastifyInstance
let director: SeededStaff
let c: TestClient
beforeEach(async () => {
  core = await openTestCore()
  app = await buildStaffApp(core)
  director = await seedStaff(core, 'direction', { displayName: 'Claire Directrice' })
  c = await client(app, 'staff')
  await c.loginStaff(director.login, director.password)
})
afterEach(async () => {
  await app.close()
  await core.cleanup()
})

const structure = { name: 'Maison de l’Enfant', address: '1 place de la Mairie', postalCode: '31000', city: 'Démoville', phone: '05 61 00 00 00', email: 'mde@exemple.fr', siret: '21310000000017', holidayZone: 'C', holidayRegion: '', logo: null }

describe('audit log', () => {
  test('structure update: actor, time, before and after', async () => {
    expect((await c.call('structure-update', { ...structure, version: 0 })).status).toBe(200)
    core.clock.advance(60_000)
    expect((await c.call('structure-update', { ...structure, name: 'Maison de l’Enfant de Démoville', version: 1 })).status).toBe(200)
    const rows = await auditRows(core, 'structure-update')
    expect(rows).toHaveLength(2)
    expect(rows[1]).toMatchObject({
      at: core.clock.now().toISOString(),
      actorKind: 'staff',
      actorId: director.id,
      actorLabel: 'Claire Directrice',
      entity: 'structure',
      entityId: '1'
    })
    expect(rows[1].before).toMatchObject({ name: 'Maison de l’Enfant', siret: '21310000000017' })
    expect(rows[1].after).toMatchObject({ name: 'Maison de l’Enfant de Démoville' })
    expect(rows[0].before).toMatchObject({ name: 'Ma structure' })
  })

  test('an embedded logo is summarised in the audit row, not copied', async () => {
    const logo = `data:image/png;base64,${'A'.repeat(50_000)}`
    expect((await c.call('structure-update', { ...structure, logo, version: 0 })).status).toBe(200)
    const [row] = await auditRows(core, 'structure-update')
    expect((row.after as { logo: string }).logo).toBe(`[fichier intégré, ${logo.length} caractères]`)
    expect(JSON.stringify(row).length).toBeLessThan(2_000)
  })

  test('staff create / update / password reset are audited and no password or hash is ever copied', async () => {
    const created = await c.call('staff-create', { login: 'sophie', displayName: 'Sophie', email: 'sophie@exemple.fr', role: 'accueil', password: 'secret-initial-2026' })
    expect(created.status).toBe(200)
    const id = created.body.id
    expect((await c.call('staff-update', { id, displayName: 'Sophie B.', role: 'comptable', active: true, version: 0 })).status).toBe(200)
    expect((await c.call('staff-reset-password', { id, password: 'secret-remis-2026' })).status).toBe(200)

    const create = (await auditRows(core, 'staff-create')).find((r) => r.entityId === String(id))!
    expect(create).toMatchObject({ actorId: director.id, entity: 'staff_user', entityId: String(id), before: null })
    expect(create.after).toMatchObject({ login: 'sophie', role: 'accueil', mustChangePassword: true, active: true })
    expect(create.after).not.toHaveProperty('passwordHash')
    const [update] = await auditRows(core, 'staff-update')
    expect(update.before).toMatchObject({ displayName: 'Sophie', role: 'accueil' })
    expect(update.after).toMatchObject({ displayName: 'Sophie B.', role: 'comptable' })
    expect(await auditRows(core, 'staff-reset-password')).toHaveLength(1)

    const all = JSON.stringify(await auditRows(core))
    for (const secret of ['secret-initial-2026', 'secret-remis-2026', director.password, '$argon2']) expect(all).not.toContain(secret)
  })

  test('the last active direction account cannot be demoted (and nothing is audited)', async () => {
    const r = await c.call('staff-update', { id: director.id, displayName: 'Claire', role: 'accueil', active: true, version: 0 })
    expect(r.status).toBe(400)
    expect(r.body.error.message).toBe('Il doit rester au moins un compte Direction actif.')
    expect(await auditRows(core, 'staff-update')).toEqual([])
  })

  test('the SMTP password is masked in the audit log and never sent back to the screen', async () => {
    const smtp = { host: 'smtp.exemple.fr', port: 587, secure: false, user: 'mde', password: 'mot-de-passe-smtp-XYZ', from: 'mde@exemple.fr', allowSelfSigned: false }
    expect((await c.call('smtp-update', { ...smtp, version: 0 })).status).toBe(200)
    const got = await c.call('smtp-get', {})
    expect(got.body.password).toBe('********')
    // Saving the screen again with the placeholder keeps the stored password.
    expect((await c.call('smtp-update', { ...got.body, host: 'smtp2.exemple.fr' })).status).toBe(200)
    const stored = await core.tx.read((m) => m.findOneByOrFail(Setting, { key: 'smtp' }))
    expect(JSON.parse(stored.value)).toMatchObject({ host: 'smtp2.exemple.fr', password: 'mot-de-passe-smtp-XYZ' })

    const rows = (await auditRows(core, 'setting-update')).filter((r) => r.entityId === 'smtp')
    expect(rows).toHaveLength(2)
    expect(rows[0].after).toMatchObject({ host: 'smtp.exemple.fr', password: '***' })
    expect(rows[1].before).toMatchObject({ password: '***' })
    expect(rows[1].after).toMatchObject({ host: 'smtp2.exemple.fr', password: '***' })
    expect(JSON.stringify(await auditRows(core))).not.toContain('mot-de-passe-smtp-XYZ')
    const listed = await c.call('audit-list', { entity: 'setting' })
    expect(JSON.stringify(listed.body)).not.toContain('mot-de-passe-smtp-XYZ')
  })

  test('family creation, portal account status and logins are audited; audit-list serves them to the direction only', async () => {
    const created = await c.call('families-create', {
      responsable: { civility: 'Mme', lastName: 'Martin', firstName: 'Léa', email: 'lea.martin@exemple.fr', phoneMobile: '06 01 02 03 04' },
      children: [{ lastName: 'Martin', firstName: 'Hugo', birthDate: '2019-01-02' }]
    })
    expect(created.status).toBe(200)
    const [fc] = await auditRows(core, 'family-create')
    expect(fc).toMatchObject({ actorId: director.id, entity: 'family', entityId: String(created.body.familyId) })
    expect(fc.after).toMatchObject({ number: created.body.number, status: 'active', responsable: { lastName: 'Martin' } })

    const fam = await seedFamily(core)
    expect((await c.call('accounts-set-portal-status', { accountId: fam.accountId, status: 'disabled' })).status).toBe(200)
    const [st] = await auditRows(core, 'account-status')
    expect(st).toMatchObject({ entity: 'portal_account', entityId: String(fam.accountId), before: { status: 'active' }, after: { status: 'disabled' } })

    const logins = await auditRows(core, 'login')
    expect(logins.at(-1)).toMatchObject({ actorId: director.id, entity: 'staff_user', entityId: String(director.id) })

    const listed = await c.call('audit-list', { action: 'account-status' })
    expect(listed.body.total).toBe(1)
    expect(listed.body.items[0]).toMatchObject({ actorLabel: 'Claire Directrice', before: { status: 'active' }, after: { status: 'disabled' } })
    const desk = await seedStaff(core, 'accueil')
    const d = await client(app, 'staff')
    await d.loginStaff(desk.login, desk.password)
    expect((await d.call('audit-list', {})).status).toBe(403)
  })

  test('a portal password change is audited with the family as actor', async () => {
    const fam = await seedFamily(core)
    const portalApp = await buildPortalApp(core)
    try {
      const p = await client(portalApp, 'portal')
      await p.loginPortal(fam.login, fam.password)
      expect((await p.call('auth-change-password', { current: fam.password, next: 'phrase-toute-neuve-2026' })).status).toBe(200)
    } finally {
      await portalApp.close()
    }
    const [row] = await auditRows(core, 'password-change')
    expect(row).toMatchObject({ actorKind: 'family', actorId: fam.accountId, actorLabel: fam.actor.label, entity: 'portal_account' })
    expect(JSON.stringify(row)).not.toContain('phrase-toute-neuve-2026')
  })
})
