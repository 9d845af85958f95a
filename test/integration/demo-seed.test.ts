import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { validateIBAN } from 'ibantools'
import { DEMO_FAMILY_PASSWORD, DEMO_STAFF, seedDemo } from '../../src-main/demo/seed'
import { generateFamilies } from '../../src-main/demo/generate'
import { demoSchoolYear, estimatedRentree, sameWeekdayYearsLater } from '../../src-main/demo/demo-calendar'
import { isoWeekday } from '@shared/bookings/days'
import { openingDays } from '../../src-main/calendar/calendar'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'

let core: TestCore
let lines: string[]
// Christmas Eve 2027, a year past the demo's first school year and past the published holidays: the demo must follow
// its clock (it was written for November 2026, and the shipped calendar stops at 2026-2027).
const NOW = new Date('2027-12-24T08:00:00+01:00')
beforeAll(async () => {
  core = await openTestCore({ now: NOW })
  lines = await seedDemo(core, { smtpPort: 2525 })
})
afterAll(() => core.cleanup())

describe('demo data', () => {
  test('about 40 families and 70 children, 3 pending registrations, one staff user per role', async () => {
    const [{ active }] = await core.ds.query(`SELECT COUNT(*) AS active FROM family WHERE status = 'active'`)
    const [{ children }] = await core.ds.query(`SELECT COUNT(*) AS children FROM child c JOIN family f ON f.id = c.family_id WHERE f.status = 'active'`)
    const [{ pending }] = await core.ds.query(`SELECT COUNT(*) AS pending FROM request WHERE status = 'pending' AND type = 'registration'`)
    // 40 generated families and the separated father's household (issue 16).
    expect(active).toBe(41)
    expect(children).toBeGreaterThanOrEqual(60)
    expect(children).toBeLessThanOrEqual(80)
    expect(pending).toBe(3)
    const roles = (await core.ds.query(`SELECT role FROM staff_user ORDER BY role`)).map((r: { role: string }) => r.role)
    expect(roles).toEqual(['accueil', 'animateur', 'comptable', 'direction'])
  })

  test('separated parents (issue 16): both printed logins work, each household sees the shared child and only its own weeks', async () => {
    const text = lines.join('\n')
    const logins = [...text.matchAll(/ (?:mère|père) (\S+) \/ /g)].map((x) => x[1])
    expect(logins).toHaveLength(2)
    const portalApp = await buildPortalApp(core)
    try {
      const seen: Record<string, string[]> = {}
      for (const login of logins) {
        const p = await client(portalApp, 'portal')
        await p.loginPortal(login, DEMO_FAMILY_PASSWORD)
        const shared = (await p.call('file-get', {})).body.children.find((c: { household: { shared: boolean } }) => c.household.shared)
        expect(shared, login).toBeTruthy()
        const from = '2028-01-03'
        const planning = (await p.call('bookings-planning', { from, to: '2028-01-30', childId: shared.id })).body
        seen[login] = planning.children[0].lines.flatMap((l: { cells: { day: string; cell: string }[] }) => l.cells.filter((c) => c.cell === 'autre-parent').map((c) => c.day))
      }
      // Alternate weeks: each sees « chez l'autre parent » on the other's weeks, never on the same day.
      const [a, b] = Object.values(seen)
      expect(a.length).toBeGreaterThan(0)
      expect(b.length).toBeGreaterThan(0)
      expect(a.filter((d) => b.includes(d))).toEqual([])
    } finally {
      await portalApp.close()
    }
  })

  test('one login per adult (issue 16): family 1’s two printed logins work, the second books but neither pays nor edits', async () => {
    const text = lines.join('\n')
    const main = /responsable principal \(tous les droits\) (\S+) \/ /.exec(text)?.[1]
    const second = /\(réserve, ne paie pas, ne modifie pas le dossier\) (\S+) \/ /.exec(text)?.[1]
    expect(main && second).toBeTruthy()
    const portalApp = await buildPortalApp(core)
    try {
      const a = await client(portalApp, 'portal')
      const b = await client(portalApp, 'portal')
      const ua = (await a.loginPortal(main!, DEMO_FAMILY_PASSWORD)).body.user
      const ub = (await b.loginPortal(second!, DEMO_FAMILY_PASSWORD)).body.user
      expect(ub.familyId).toBe(ua.familyId)
      expect([ua.main, ua.rights]).toEqual([true, ['book', 'pay', 'edit']])
      expect([ub.main, ub.rights]).toEqual([false, ['book']])
      expect((await b.call('billing-pay-online', { invoiceIds: [] })).body.error.code).toBe('forbidden_right')
      expect((await b.call('file-request-child', {})).body.error.code).toBe('forbidden_right')
      expect((await a.call('logins-list', {})).body.logins.map((l: { login: string }) => l.login)).toEqual([main, second])
    } finally {
      await portalApp.close()
    }
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

  test('every IBAN of the demo passes ibantools, national key included (the RIB key in France)', async () => {
    const ibans = core.db
      .prepare(`SELECT iban FROM sepa_mandate UNION ALL SELECT creditor_iban FROM regie WHERE creditor_iban <> '' UNION ALL SELECT iban FROM family_bank WHERE iban <> ''`)
      .all() as { iban: string }[]
    expect(ibans.length).toBeGreaterThanOrEqual(7)
    expect(ibans.filter((r) => !validateIBAN(r.iban).valid)).toEqual([])
  })

  test('the demo follows its clock: this school year’s periods, holidays and bills, ages and quotients', async () => {
    const q = (sql: string, ...params: unknown[]) => core.ds.query(sql, params)
    const periods = await q(`SELECT p.name, p.start_date AS startDate, p.end_date AS endDate FROM activity_period p JOIN activity a ON a.id = p.activity_id WHERE a.name = 'ALAE Matin' ORDER BY p.start_date`)
    expect(periods.map((p: { name: string }) => p.name)).toEqual(['2026/2027', '2027/2028'])
    const noel = await q(`SELECT p.name, p.start_date AS startDate, p.end_date AS endDate FROM activity_period p JOIN activity a ON a.id = p.activity_id WHERE a.name = 'CLV Noël'`)
    expect(noel).toEqual([{ name: 'Noël 2027', startDate: '2027-12-20', endDate: '2027-12-31' }])
    // The 2027-2028 holidays are not published: estimated, said so, and ALAE is closed during them.
    expect(lines).toContain('Vacances scolaires 2027-2028 (zone C) non publiées : la démonstration utilise celles de 2026-2027 décalées d’un an par an.')
    expect(lines).toContain('Rentrée 2027 non publiée : la démonstration la suppose le 01/09/2027.')
    const [matin] = await q(`SELECT id FROM activity WHERE name = 'ALAE Matin'`)
    const open = await openingDays(core, matin.id, '2027-12-13', '2028-01-07')
    expect(open).toEqual(['2027-12-13', '2027-12-14', '2027-12-16', '2027-12-17', '2028-01-03', '2028-01-04', '2028-01-06', '2028-01-07'])
    // Bills for the months over in this school year, none for the past one.
    expect(lines.filter((l) => l.startsWith('Facturation '))).toEqual([
      expect.stringMatching(/^Facturation 09\/2027 : \d+ factures/),
      expect.stringMatching(/^Facturation 10\/2027 : \d+ factures/),
      expect.stringMatching(/^Facturation 11\/2027 : \d+ factures/)
    ])
    // Children are 3 to 10 this year (the ages the groups take), and quotients run to the end of this civil year.
    const [ages] = await q(`SELECT MIN(birth_date) AS oldest, MAX(birth_date) AS youngest FROM child WHERE family_id <= 40`)
    expect(ages.oldest >= '2017-01-01' && ages.youngest <= '2024-12-31').toBe(true)
    const [qf] = await q(`SELECT DISTINCT quotient_valid_until AS until FROM family_caf`)
    expect(qf.until).toBe('2027-12-31')
  })

  test('demo dates: the school year turns in July, holidays keep their weekdays, the rentrée avoids Fridays', () => {
    expect([demoSchoolYear('2027-06-30'), demoSchoolYear('2027-07-01'), demoSchoolYear('2027-08-31'), demoSchoolYear('2027-12-24'), demoSchoolYear('2027-01-19')]).toEqual([2026, 2027, 2027, 2027, 2026])
    expect(sameWeekdayYearsLater('2026-12-19', 1)).toBe('2027-12-18')
    expect(sameWeekdayYearsLater('2026-10-17', 3)).toBe('2029-10-20')
    for (const n of [1, 2, 5, 11]) expect(isoWeekday(sameWeekdayYearsLater('2027-01-04', n))).toBe(1)
    expect([estimatedRentree(2027), estimatedRentree(2028), estimatedRentree(2029)]).toEqual(['2027-09-01', '2028-09-04', '2029-09-03'])
  })

  test('the demo generator is deterministic', () => {
    expect(generateFamilies(5, 7)).toEqual(generateFamilies(5, 7))
    expect(generateFamilies(5, 7)).not.toEqual(generateFamilies(5, 8))
  })
})

// A second demo, seeded on 7 September 2026: the portal's dated content (menus, news, windows) read back.
describe('demo portal content', () => {
  let sept: TestCore
  beforeAll(async () => {
    sept = await openTestCore({ now: new Date('2026-09-07T08:00:00+02:00') })
    await seedDemo(sept, { smtpPort: 2525 })
  })
  afterAll(() => sept.cleanup())

    test('the portal’s demo follows its clock: this month’s and next month’s menus as PDFs, dated news, contact details', async () => {
      // 7 September 2026: the demo was written for late November, so nothing below can be hard-coded.
      const portalApp = await buildPortalApp(sept)
      try {
        const p = await client(portalApp, 'portal')
        await p.loginPortal(generateFamilies(40, 2026)[0].login, DEMO_FAMILY_PASSWORD)
        const docs = (await p.call('documents-downloads')).body as { id: number; title: string; category: string }[]
        expect(docs.filter((d) => d.category === 'menus').map((d) => d.title).sort()).toEqual(['Menus de septembre 2026', 'Menus d’octobre 2026'])
        expect(docs.map((d) => d.title)).toContain('Règlement intérieur 2026/2027')
        const pdfs = sept.db.prepare(`SELECT f.storage_name AS name FROM published_document d JOIN stored_file f ON f.id = d.file_id WHERE d.category = 'menus'`).all() as { name: string }[]
        for (const { name } of pdfs) {
          const bytes = readFileSync(join(sept.paths.documentsDir, name.slice(0, 2), name))
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
})
