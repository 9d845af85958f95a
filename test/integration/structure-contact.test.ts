import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, seedStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'

// Paramètres → Structure feeds the portal's « Contact » page (issue 18): opening hours per service and phone lines,
// checked with French messages on the field, and shown to anyone, logged in or not.
let core: TestCore
let staffApp: Awaited<ReturnType<typeof buildStaffApp>>
let portalApp: Awaited<ReturnType<typeof buildPortalApp>>
let staff: TestClient
beforeAll(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  const director = await seedStaff(core, 'direction')
  staff = await client(staffApp, 'staff')
  await staff.loginStaff(director.login, director.password)
})
afterAll(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

const base = { name: 'Maison de l’Enfant de Pibrac', address: '1 place de la Mairie', postalCode: '31820', city: 'Pibrac', phone: '05 61 00 00 00', email: 'accueil@pibrac.fr' }

describe('contact details', () => {
  test('a bad line is refused on its field, in French, and nothing is saved', async () => {
    const r = await staff.call('structure-update', {
      ...base,
      openingHours: [{ service: 'Accueil', hours: '' }],
      contactPhones: [{ label: 'Cantine', phone: 'abc' }]
    })
    expect(r.status).toBe(400)
    expect(r.body.error.fields).toMatchObject({ 'openingHours.0.hours': 'Horaires : champ obligatoire.', 'contactPhones.0.phone': 'Numéro de téléphone invalide.' })
    const tooMany = await staff.call('structure-update', { ...base, contactPhones: Array.from({ length: 9 }, (_, i) => ({ label: `Ligne ${i}`, phone: '05 61 00 00 0' + (i % 10) })) })
    expect(tooMany.body.error.fields.contactPhones).toBe('Téléphones : 8 numéros au maximum.')
    expect((await staff.call('structure-get', {})).body).toMatchObject({ openingHours: [], contactPhones: [] })
  })

  test('saved in Paramètres (audited), read back, and shown on the public Contact page with an OpenStreetMap link', async () => {
    const openingHours = [
      { service: 'Accueil administratif', hours: 'Lundi au vendredi : 8h30-12h' },
      { service: 'Centre de loisirs', hours: 'Mercredis : 7h30-18h30' }
    ]
    const contactPhones = [{ label: 'Restauration scolaire', phone: '05 61 00 00 01' }]
    const { version } = (await staff.call('structure-get', {})).body
    expect((await staff.call('structure-update', { ...base, version, openingHours, contactPhones })).status).toBe(200)
    expect((await staff.call('structure-get', {})).body).toMatchObject({ openingHours, contactPhones })
    const [row] = await auditRows(core, 'structure-update')
    expect(JSON.stringify(row)).toContain('Centre de loisirs')

    const visitor = await client(portalApp, 'portal')
    const r = await visitor.call('contact-get', {})
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ name: base.name, phone: base.phone, email: base.email, openingHours, phones: contactPhones })
    expect(r.body.mapUrl).toBe('https://www.openstreetmap.org/search?query=1%20place%20de%20la%20Mairie%2C%2031820%20Pibrac')
  })
})
