import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { nonEmpty, optionalText } from '@shared/contract/common'
import { PortalAccount, StaffUser } from '../../src-main/accounts/entities'
import { Child, Person } from '../../src-main/families/entities'
import { FamilyRequest } from '../../src-main/requests/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'

/**
 * Bidirectional controls (U+202A–U+202E, U+2066–U+2069) make a name display
 * other than it is stored. Every name a person types goes through the shared
 * text schemas (contract/common.ts → validators.ts), which refuse them with a
 * French message on the field; nothing is stored.
 */
const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069']
const REFUSED = /contient un caractère invisible qui inverse le sens d’écriture/

let core: TestCore
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let desk: TestClient
let director: TestClient
let fam: SeededFamily
let family: TestClient
beforeAll(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  desk = await client(staffApp, 'staff')
  const accueil = await seedStaff(core, 'accueil')
  await desk.loginStaff(accueil.login, accueil.password)
  director = await client(staffApp, 'staff')
  const direction = await seedStaff(core, 'direction')
  await director.loginStaff(direction.login, direction.password)
  fam = await seedFamily(core, { lastName: 'Durand', firstName: 'Alice' })
  family = await client(portalApp, 'portal')
  await family.loginPortal(fam.login, fam.password)
})
afterAll(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

const storedNames = async () =>
  core.tx.read(async (m) => [
    ...(await m.find(Person)).flatMap((p) => [p.lastName, p.firstName]),
    ...(await m.find(Child)).flatMap((c) => [c.lastName, c.firstName]),
    ...(await m.find(StaffUser)).map((u) => u.displayName),
    ...(await m.find(FamilyRequest)).map((r) => JSON.stringify(r.payload))
  ])

describe('names with bidirectional controls', () => {
  test('the shared schemas refuse each of the nine controls, in names and short texts, and nothing else', () => {
    const name = nonEmpty('Prénom', 100)
    const text = optionalText(100)
    for (const c of BIDI) {
      const r = name.safeParse(`Léo${c}tnomud`)
      expect(r.success, c.codePointAt(0)!.toString(16)).toBe(false)
      expect(r.error?.issues[0].message).toBe(
        'Prénom : contient un caractère invisible qui inverse le sens d’écriture (U+202A à U+202E, U+2066 à U+2069), souvent venu d’un copier-coller. Retapez-le au clavier.'
      )
      expect(text.safeParse(`École${c}`).success).toBe(false)
    }
    // Names in other scripts and typographic apostrophes are names.
    for (const ok of ['مريم', 'דוד', 'N’Diaye', 'Zoé-Lou', 'Ægir Ødegård']) expect(name.safeParse(ok).success, ok).toBe(true)
  })

  test('registration: a U+202E in the name is refused on the field and nothing is stored', async () => {
    const p = await client(portalApp, 'portal')
    const r = await p.call('auth-register', {
      civility: 'Mme',
      lastName: 'Dupont\u202Eelbaliava',
      firstName: 'Marie',
      birthDate: '1987-03-14',
      phoneMobile: '06 11 22 33 44',
      phoneHome: '',
      email: 'marie.bidi@exemple.fr',
      address: '5 rue des Lilas',
      postalCode: '31000',
      city: 'Démoville',
      password: 'ma-phrase-secrete-2026'
    })
    expect(r.status).toBe(400)
    expect(r.body.error.fields.lastName).toMatch(/^Nom : contient un caractère invisible/)
    expect(await core.tx.read((m) => m.countBy(PortalAccount, { login: 'marie.bidi@exemple.fr' }))).toBe(0)
  })

  test('portal change requests: a child’s or a parent’s name with a bidi control is refused', async () => {
    const file = (await family.call('file-get', {})).body
    const child = file.children[0]
    const { id: _id, familyId: _f, ...values } = child.identity ?? child
    const r = await family.call('file-request-change', { section: 'child', childId: child.id, values: { ...values, firstName: 'L\u2066éo' } })
    expect(r.status).toBe(400)
    expect(r.body.error.fields).toEqual({ 'values.firstName': expect.stringMatching(REFUSED) })
    // The same request typed by hand goes through.
    expect((await family.call('file-request-change', { section: 'child', childId: child.id, values: { ...values, firstName: 'Léon' } })).status).toBe(200)
    const { id: _p, role: _r, email: _e, ...resp } = file.responsable
    const r2 = await family.call('file-request-change', { section: 'responsable', values: { ...resp, lastName: 'Durand\u202D' } })
    expect(r2.status).toBe(400)
    expect(r2.body.error.fields['values.lastName']).toMatch(REFUSED)
  })

  test('staff forms: a new family, its child, a staff user’s display name', async () => {
    const f = await desk.call('families-create', {
      responsable: { civility: 'M.', lastName: 'Martin', firstName: 'Paul\u202E' },
      children: [{ lastName: 'Martin', firstName: 'Zoé', birthDate: '2019-02-03' }]
    })
    expect(f.status).toBe(400)
    expect(f.body.error.fields['responsable.firstName']).toMatch(/^Prénom : contient/)
    const c = await desk.call('families-create', {
      responsable: { civility: 'M.', lastName: 'Martin', firstName: 'Paul' },
      children: [{ lastName: 'Martin', firstName: 'Z\u2067oé', birthDate: '2019-02-03' }]
    })
    expect(c.status).toBe(400)
    expect(c.body.error.fields['children.0.firstName']).toMatch(REFUSED)
    const u = await director.call('staff-create', { login: 'nouvelle', displayName: 'Nina\u202B Nouvelle', email: '', role: 'accueil', password: 'cerf-volant-bleu-42' })
    expect(u.status).toBe(400)
    expect(u.body.error.fields.displayName).toMatch(/^Nom affiché : contient/)
  })

  test('no name with a bidi control was stored by any of the above', async () => {
    const names = await storedNames()
    expect(names.filter((n) => /[\u202A-\u202E\u2066-\u2069]/.test(n))).toEqual([])
    expect(names.some((n) => n === 'Martin')).toBe(false)
  })
})
