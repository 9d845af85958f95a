import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { validateIBAN } from 'ibantools'
import { DEMO_FAMILY_PASSWORD, DEMO_STAFF, seedDemo } from '../../src-main/demo/seed'
import { generateFamilies } from '../../src-main/demo/generate'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'

let core: TestCore
let lines: string[]
beforeAll(async () => {
  core = await openTestCore()
  lines = await seedDemo(core, { smtpPort: 2525 })
})
afterAll(() => core.cleanup())

describe('demo data', () => {
  test('about 40 families and 70 children, 3 pending registrations, one staff user per role', async () => {
    const [{ active }] = await core.ds.query(`SELECT COUNT(*) AS active FROM family WHERE status = 'active'`)
    const [{ children }] = await core.ds.query(`SELECT COUNT(*) AS children FROM child c JOIN family f ON f.id = c.family_id WHERE f.status = 'active'`)
    const [{ pending }] = await core.ds.query(`SELECT COUNT(*) AS pending FROM request WHERE status = 'pending' AND type = 'registration'`)
    expect(active).toBe(40)
    expect(children).toBeGreaterThanOrEqual(60)
    expect(children).toBeLessThanOrEqual(80)
    expect(pending).toBe(3)
    const roles = (await core.ds.query(`SELECT role FROM staff_user ORDER BY role`)).map((r: { role: string }) => r.role)
    expect(roles).toEqual(['accueil', 'animateur', 'comptable', 'direction'])
  })

  test('the printed credentials work on both listeners', async () => {
    const text = lines.join('\n')
    const staffApp = await buildStaffApp(core)
    const portalApp = await buildPortalApp(core)
    try {
      for (const s of DEMO_STAFF) {
        expect(text).toContain(`${s.login} / ${s.password}`)
        const c = await client(staffApp, 'staff')
        const r = await c.loginStaff(s.login, s.password)
        expect(r.body.user.role).toBe(s.role)
      }
      const login = generateFamilies(40, 2026)[0].login
      expect(text).toContain(`${login} / ${DEMO_FAMILY_PASSWORD}`)
      const p = await client(portalApp, 'portal')
      await p.loginPortal(login, DEMO_FAMILY_PASSWORD)
      expect((await p.call('home-get')).body).toMatchObject({ structureName: "Maison de l'Enfant de Démo", familyNumber: 1001 })
    } finally {
      await staffApp.close()
      await portalApp.close()
    }
  })

  test('the portal’s demo follows its clock: this month’s and next month’s menus as PDFs, dated news, contact details', async () => {
    // TEST_NOW is 7 September 2026: the demo was written for late November, so nothing below can be hard-coded.
    const portalApp = await buildPortalApp(core)
    try {
      const p = await client(portalApp, 'portal')
      await p.loginPortal(generateFamilies(40, 2026)[0].login, DEMO_FAMILY_PASSWORD)
      const docs = (await p.call('documents-downloads')).body as { id: number; title: string; category: string }[]
      expect(docs.filter((d) => d.category === 'menus').map((d) => d.title).sort()).toEqual(['Menus de septembre 2026', 'Menus d’octobre 2026'])
      expect(docs.map((d) => d.title)).toContain('Règlement intérieur 2026/2027')
      const pdfs = core.db.prepare(`SELECT f.storage_name AS name FROM published_document d JOIN stored_file f ON f.id = d.file_id WHERE d.category = 'menus'`).all() as { name: string }[]
      for (const { name } of pdfs) {
        const bytes = readFileSync(join(core.paths.documentsDir, name.slice(0, 2), name))
        expect(bytes.subarray(0, 5).toString()).toBe('%PDF-')
        expect(execFileSync('pdftotext', ['-', '-'], { input: bytes }).toString()).toMatch(/Restaurant scolaire — menus (de septembre|d’octobre) 2026/)
      }
      const news = (await p.call('news-list', {})).body as { title: string; body: string; publishFrom: string }[]
      expect(news.map((n) => n.title)).toEqual(['Inscriptions : vacances de Toussaint 2026', 'Menus de la cantine'])
      for (const n of news) expect(n.publishFrom < '2026-09-07' && n.publishFrom >= '2026-08-07', n.title).toBe(true)
      expect(news[0].body).toContain('sont ouvertes jusqu’au 01/10/2026')
      expect(news[1].body).toContain('Les menus de septembre 2026 et d’octobre 2026 sont disponibles dans « Téléchargements »')
      const contact = (await p.call('contact-get', {})).body
      expect(contact.openingHours.map((h: { service: string }) => h.service)).toEqual(['Accueil administratif', 'Accueil périscolaire (ALAE)', 'Centre de loisirs'])
      expect(contact.phones).toHaveLength(2)
      expect(contact.mapUrl).toContain('openstreetmap.org/search?query=1%20place%20de%20la%20Mairie')
    } finally {
      await portalApp.close()
    }
  })

  test('every IBAN of the demo passes ibantools, national key included (the RIB key in France)', async () => {
    const ibans = core.db
      .prepare(`SELECT iban FROM sepa_mandate UNION ALL SELECT creditor_iban FROM regie WHERE creditor_iban <> '' UNION ALL SELECT iban FROM family_bank WHERE iban <> ''`)
      .all() as { iban: string }[]
    expect(ibans.length).toBeGreaterThanOrEqual(7)
    expect(ibans.filter((r) => !validateIBAN(r.iban).valid)).toEqual([])
  })

  test('the demo generator is deterministic', () => {
    expect(generateFamilies(5, 7)).toEqual(generateFamilies(5, 7))
    expect(generateFamilies(5, 7)).not.toEqual(generateFamilies(5, 8))
  })
})
