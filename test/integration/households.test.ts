/**
 * Separated parents (issue 16): a child shared by two households. Staff
 * (direction) link the other parent's household from the child's file; the
 * child's common file is then seen from both portals, while each household's
 * own data (people, money, requests) stays its own. One seeded database for
 * the whole file; the tests run in order.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { DataSource } from 'typeorm'
import { migrations } from '../../src-main/db/migrations'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { AuditEntry } from '../../src-main/audit/entities'
import { Child } from '../../src-main/families/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, seedFamily, seedStaff, type SeededFamily, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { book } from '../helpers/billing'
import { enrol, seedActivity } from '../helpers/bookings'
import { download, PDF, upload } from '../helpers/files'
import { pdfText } from '../helpers/billing-tools'
import { portalFileRoutes } from '@shared/contract/family-file-routes'
import { COPARENT_CONFIRMATION } from '@shared/contract/households-shapes'
import { deliverDueMail } from '../../src-main/mail/outbox'
import { configureSmtp, startSmtp, type TestSmtp } from '../helpers/smtp'

let core: TestCore
let staffApp: FastifyInstance
let portalApp: FastifyInstance
/** The mother's household (the child's first one) and the father's (seeded with a child of his own). */
let mother: SeededFamily
let father: SeededFamily
let motherPortal: TestClient
let fatherPortal: TestClient
let director: TestClient
let desk: TestClient
let shared: number
let fathersOwnChild: number

beforeAll(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  mother = await seedFamily(core, { lastName: 'Martinez', firstName: 'Inès', email: 'ines.martinez@exemple.fr', phone: '06 11 22 33 44' })
  father = await seedFamily(core, { lastName: 'Bernard', firstName: 'Paul', email: 'paul.bernard@exemple.fr', phone: '07 55 66 77 88' })
  motherPortal = await client(portalApp, 'portal')
  await motherPortal.loginPortal(mother.login, mother.password)
  fatherPortal = await client(portalApp, 'portal')
  await fatherPortal.loginPortal(father.login, father.password)
  const d = await seedStaff(core, 'direction')
  director = await client(staffApp, 'staff')
  await director.loginStaff(d.login, d.password)
  const a = await seedStaff(core, 'accueil')
  desk = await client(staffApp, 'staff')
  await desk.loginStaff(a.login, a.password)
  shared = (await core.tx.read((m) => m.findOneByOrFail(Child, { familyId: mother.familyId }))).id
  fathersOwnChild = (await core.tx.read((m) => m.findOneByOrFail(Child, { familyId: father.familyId }))).id
  // The mother's household keeps the custody notes and a health detail of the child's common file.
  const file = (await director.call('family-file-get', { familyId: mother.familyId })).body
  const c = file.children.find((x: { id: number }) => x.id === shared)
  expect((await director.call('family-file-custody', { childId: shared, custodyNotes: 'Jugement du 12/03/2025 : résidence alternée', version: c.versions.custody })).status).toBe(200)
  expect((await director.call('family-file-save', { section: 'health', familyId: mother.familyId, childId: shared, version: c.versions.health + 1, values: { allergies: true, allergyNotes: 'Arachide', doctorName: 'Dr Lemoine' } })).status).toBe(200)
})
afterAll(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

const childIds = (file: { children: { id: number }[] }) => file.children.map((c) => c.id).sort((a, b) => a - b)

describe('staff link a child to a second household', () => {
  test('before the link, the father’s portal cannot read the child (404, nothing leaked)', async () => {
    expect(childIds((await fatherPortal.call('file-get', {})).body)).toEqual([fathersOwnChild])
    const r = await fatherPortal.call('file-request-change', { section: 'health', childId: shared, values: { allergies: false } })
    expect(r.status).toBe(404)
    expect(JSON.stringify(r.body)).not.toContain('Arachide')
  })

  test('only the direction links; wrong numbers get a French message; the link is audited naming the person', async () => {
    expect((await desk.call('child-household-link', { childId: shared, familyNumber: father.number })).status).toBe(403)
    const unknown = await director.call('child-household-link', { childId: shared, familyNumber: 999999 })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.message).toBe('Aucun foyer ne porte le N° famille 999999.')
    const same = await director.call('child-household-link', { childId: shared, familyNumber: mother.number })
    expect(same.status).toBe(409)
    expect(same.body.error.message).toBe('L’enfant appartient déjà à ce foyer.')
    expect((await director.call('child-household-link', { childId: shared, familyNumber: father.number })).status).toBe(200)
    const again = await director.call('child-household-link', { childId: shared, familyNumber: father.number })
    expect(again.status).toBe(409)
    expect(again.body.error.message).toContain('déjà rattaché à un second foyer (N° ' + father.number)
    const rows = await core.tx.read((m) => m.findBy(AuditEntry, { action: 'child-household-link', entityId: String(shared) }))
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ actorKind: 'staff' })
    expect(rows[0].actorLabel).toMatch(/\S+ \S+/)
    expect(JSON.parse(rows[0].after!)).toMatchObject({ secondFamilyId: father.familyId, familyNumber: father.number })
  })

  test('staff see both households on the child’s file, from either household', async () => {
    const m = (await director.call('family-file-get', { familyId: mother.familyId })).body
    const f = (await director.call('family-file-get', { familyId: father.familyId })).body
    expect(m.children.find((c: { id: number }) => c.id === shared).household).toEqual({ shared: true, firstHousehold: true, other: { familyId: father.familyId, number: father.number, name: 'BERNARD Paul' }, otherChanges: [] })
    expect(f.children.find((c: { id: number }) => c.id === shared).household).toEqual({ shared: true, firstHousehold: false, other: { familyId: mother.familyId, number: mother.number, name: 'MARTINEZ Inès' }, otherChanges: [] })
    expect(childIds(f)).toEqual([shared, fathersOwnChild].sort((a, b) => a - b))
    // Searching the father's household finds the shared child.
    const search = await desk.call('families-search', { query: 'Martinez' })
    expect(search.body.items.map((i: { id: number }) => i.id).sort()).toEqual([mother.familyId, father.familyId].sort())
  })
})

describe('the child’s common file is seen from both portals', () => {
  test('the father’s portal shows the shared child’s identity, health and authorisations, no custody notes, and nothing of the mother’s household', async () => {
    const r = await fatherPortal.call('file-get', {})
    expect(r.status).toBe(200)
    expect(childIds(r.body)).toEqual([shared, fathersOwnChild].sort((a, b) => a - b))
    const c = r.body.children.find((x: { id: number }) => x.id === shared)
    expect(c.identity.lastName).toBe('Martinez')
    expect(c.health).toMatchObject({ allergies: true, allergyNotes: 'Arachide', doctorName: 'Dr Lemoine' })
    expect(c.custodyNotes).toBeNull()
    expect(c.household).toEqual({ shared: true, firstHousehold: false, other: null, otherChanges: [] })
    const text = JSON.stringify(r.body)
    for (const s of ['Inès', 'ines.martinez', '06 11 22 33 44', 'Jugement', String(mother.familyId) + ',"number"']) expect(text, s).not.toContain(s)
    expect(r.body.responsable.lastName).toBe('Bernard')
    // The mother's portal still has her child, marked as shared, without the father's details.
    const mine = (await motherPortal.call('file-get', {})).body
    expect(childIds(mine)).toEqual([shared])
    expect(mine.children[0].household).toEqual({ shared: true, firstHousehold: true, other: null, otherChanges: [] })
    expect(JSON.stringify(mine)).not.toContain('paul.bernard')
  })

  test('the father asks to change the common file; once staff accept, the mother sees it; the request is his household’s own', async () => {
    const r = await fatherPortal.call('file-request-change', {
      section: 'authorisations',
      childId: shared,
      values: { imageRights: false, leaveAlone: false, pickups: [{ name: 'Papi Henri', relationship: 'Grand-père', phone: '0622334455', emergency: true }] }
    })
    expect(r.status).toBe(200)
    expect((await motherPortal.call('requests-mine', {})).body.items.map((i: { id: number }) => i.id)).not.toContain(r.body.requestId)
    expect((await fatherPortal.call('requests-mine', {})).body.items.map((i: { id: number }) => i.id)).toContain(r.body.requestId)
    expect((await desk.call('file-changes-accept', { requestId: r.body.requestId })).status).toBe(200)
    const mine = (await motherPortal.call('file-get', {})).body
    expect(mine.children[0].authorisations.pickups.map((p: { name: string }) => p.name)).toEqual(['Papi Henri'])
    // « Modification demandée par l'autre foyer »: the section and the day, not the request.
    expect(mine.children[0].household.otherChanges).toEqual([{ section: 'authorisations', decidedAt: expect.any(String) }])
    expect((await fatherPortal.call('file-get', {})).body.children.find((c: { id: number }) => c.id === shared).household.otherChanges).toEqual([])
  })

  test('a message to the shared child’s school reaches both households, one copy each', async () => {
    core.db.prepare(`UPDATE child SET school = 'École des Deux Rives' WHERE id = ?`).run(shared)
    const audience = { kind: 'school', school: 'École des Deux Rives', grade: '' }
    expect((await desk.call('messages-audience-preview', { audience })).body.count).toBe(2)
    const sent = await desk.call('messages-staff-compose', { audience, subject: 'Sortie scolaire', body: 'Prévoir un pique-nique.', sendEmail: false })
    expect(sent.status, JSON.stringify(sent.body)).toBe(200)
    expect(sent.body.recipients).toBe(2)
    const subjects = async (c: TestClient) => (await c.call('messages-list', {})).body.map((t: { subject: string }) => t.subject)
    expect(await subjects(motherPortal)).toContain('Sortie scolaire')
    expect(await subjects(fatherPortal)).toContain('Sortie scolaire')
  })

  test('the mother cannot reach the father’s own child', async () => {
    const r = await motherPortal.call('file-request-change', { section: 'health', childId: fathersOwnChild, values: { allergies: false } })
    expect(r.status).toBe(404)
  })
})

describe('custody calendar and bookings', () => {
  /** Wednesdays of January 2027: ISO weeks 1 (odd), 2, 3, 4. */
  const [W1, W2, W3, W4] = ['2027-01-06', '2027-01-13', '2027-01-20', '2027-01-27']
  let unit: number
  const cells = async (c: TestClient, proc = 'bookings-planning', extra: Record<string, unknown> = {}) => {
    const r = await c.call(proc, { from: '2027-01-01', to: '2027-01-31', ...extra })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const child = r.body.children.find((x: { childId: number }) => x.childId === shared)
    return { body: r.body, child, cell: (day: string) => child.lines[0].cells.find((x: { day: string }) => x.day === day) }
  }

  beforeAll(async () => {
    const act = await seedActivity(core, { validation: 'auto', name: 'Mercredis partagés' })
    unit = act.units[0].id
    await enrol(core, act, shared)
  })

  test('the desk sets alternate weeks (mother: odd weeks) with an exception; bad households and stale copies are refused', async () => {
    const calendar = { kind: 'alternate-weeks', oddWeeksFamilyId: mother.familyId, exceptions: [{ day: W4, familyId: mother.familyId }] }
    // Without a month, the editor opens on the app's own (its clock: 7 September 2026 here), not the browser's.
    const current = (await desk.call('custody-get', { childId: shared })).body
    expect([current.month, current.days[0].day, current.days.length]).toEqual(['2026-09', '2026-09-01', 30])
    const view = (await desk.call('custody-get', { childId: shared, month: '2027-01' })).body
    expect(view.month).toBe('2027-01')
    expect(view.households.map((h: { familyId: number }) => h.familyId)).toEqual([mother.familyId, father.familyId])
    expect(view.days.find((d: { day: string }) => d.day === W1).familyId).toBeNull()
    const stranger = await seedFamily(core, { lastName: 'Inconnu' })
    const bad = await desk.call('custody-save', { childId: shared, version: view.version, calendar: { ...calendar, oddWeeksFamilyId: stranger.familyId } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toBe('Le calendrier ne peut nommer que les deux foyers de l’enfant.')
    const animateur = await seedStaff(core, 'animateur')
    const anim = await client(staffApp, 'staff')
    await anim.loginStaff(animateur.login, animateur.password)
    expect((await anim.call('custody-save', { childId: shared, version: view.version, calendar })).status).toBe(403)
    expect((await desk.call('custody-save', { childId: shared, version: view.version, calendar })).status).toBe(200)
    const stale = await director.call('custody-save', { childId: shared, version: view.version, calendar: { kind: 'none' } })
    expect(stale.status).toBe(409)
    expect(stale.body.error.message).toContain('Ce calendrier de garde a été modifié par')
    const after = (await director.call('custody-get', { childId: shared, month: '2027-01' })).body
    expect([W1, W2, W3, W4].map((d) => after.days.find((x: { day: string }) => x.day === d).familyId)).toEqual([mother.familyId, father.familyId, mother.familyId, mother.familyId])
    const rows = await core.tx.read((m) => m.findBy(AuditEntry, { action: 'custody-save', entityId: String(shared) }))
    expect(rows).toHaveLength(1)
    expect(rows[0].actorKind).toBe('staff')
  })

  test('each household sees its own days; the other one’s show as « chez l’autre parent »', async () => {
    const m = await cells(motherPortal)
    expect([W1, W2, W3, W4].map((d) => m.cell(d).cell)).toEqual(['libre', 'autre-parent', 'libre', 'libre'])
    expect(m.cell(W2)).toMatchObject({ canAdd: false, canRemove: false, bookingId: null, priceCents: 0 })
    const f = await cells(fatherPortal)
    expect([W1, W2, W3, W4].map((d) => f.cell(d).cell)).toEqual(['autre-parent', 'libre', 'autre-parent', 'autre-parent'])
    expect(f.cell(W2).canAdd).toBe(true)
  })

  test('a household books its own days only; the booking records it; the other one’s cells are refused', async () => {
    const add = (day: string) => ({ childId: shared, unitId: unit, day, op: 'add' })
    const refused = await motherPortal.call('bookings-commit', { changes: [add(W1), add(W2)] })
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toContain('Léo est chez l’autre parent')
    expect((await motherPortal.call('bookings-commit', { changes: [add(W1), add(W3)] })).status).toBe(200)
    expect((await fatherPortal.call('bookings-commit', { changes: [add(W2)] })).status).toBe(200)
    const rows = core.db.prepare('SELECT day, family_id AS familyId, state FROM booking WHERE child_id = ? AND unit_id = ? ORDER BY day').all(shared, unit)
    expect(rows).toEqual([
      { day: W1, familyId: mother.familyId, state: 'R' },
      { day: W2, familyId: father.familyId, state: 'R' },
      { day: W3, familyId: mother.familyId, state: 'R' }
    ])
    // Each household's agenda feed holds its own days of the shared child.
    const feedDays = async (c: TestClient) => {
      const path = (await c.call('agenda-feed-regenerate', {})).body.path as string
      const r = await portalApp.inject({ method: 'GET', url: path, remoteAddress: '10.9.9.9' })
      expect(r.statusCode).toBe(200)
      return [W1, W2, W3].filter((d) => r.body.includes(d.replaceAll('-', '')))
    }
    expect(await feedDays(motherPortal)).toEqual([W1, W3])
    expect(await feedDays(fatherPortal)).toEqual([W2])
    // The father cannot cancel the mother's booking, nor see it.
    const cancel = await fatherPortal.call('bookings-commit', { changes: [{ childId: shared, unitId: unit, day: W1, op: 'remove' }] })
    expect(cancel.status).toBe(409)
    const f = await cells(fatherPortal)
    expect([W1, W2, W3].map((d) => f.cell(d).cell)).toEqual(['autre-parent', 'R', 'autre-parent'])
    expect(f.child.costCents).toBe(520)
    expect((await cells(motherPortal)).child.costCents).toBe(1040)
    // An absence declared by the father over the month touches his booking only.
    const absence = await fatherPortal.call('bookings-absence-declare', { childId: shared, from: '2027-01-01', to: '2027-01-31', reason: 'convenance' })
    expect(absence.status, JSON.stringify(absence.body)).toBe(200)
    const states = core.db.prepare('SELECT day, state FROM booking WHERE child_id = ? AND unit_id = ? ORDER BY day').all(shared, unit) as { day: string; state: string }[]
    expect([states[0].state, states[2].state]).toEqual(['R', 'R'])
    expect(['A_EXC', 'A_FACT', 'DA']).toContain(states[1].state)
    // « Mes demandes » are each household's own.
    const mine = (c: TestClient) => c.call('bookings-my-requests', {}).then((r) => r.body.items.map((i: { day: string }) => i.day).sort())
    expect(await mine(motherPortal)).toEqual([W1, W3])
    expect(await mine(fatherPortal)).toEqual([W2, W2])
  })

  test('each household’s RGPD export lists its own bookings of the shared child, not the other one’s', async () => {
    const bookingDays = async (c: TestClient) => {
      const r = await download(portalApp, c, portalFileRoutes.exportJson.path)
      expect(r.status).toBe(200)
      const text = r.text
      return [W1, W2, W3].filter((d) => text.includes(`"${d}"`))
    }
    expect(await bookingDays(motherPortal)).toEqual([W1, W3])
    expect(await bookingDays(fatherPortal)).toEqual([W2])
  })

  test('the health sheet of an outing lists both households’ responsables', async () => {
    const activityId = (core.db.prepare('SELECT u.activity_id AS a FROM unit u WHERE u.id = ?').get(unit) as { a: number }).a
    const r = await desk.call('attendance-health-sheets-pdf', { day: W1, activityId, childIds: [shared] })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const text = pdfText(Buffer.from(r.body.pdfBase64, 'base64')).replace(/\s+/g, ' ')
    expect(text).toContain('MARTINEZ')
    expect(text).toContain('Responsable (second foyer)')
    expect(text).toContain('07 55 66 77 88')
  })

  test('staff see the whole month, both households’ bookings', async () => {
    const s = await cells(desk, 'bookings-child-planning', { childId: shared })
    expect([W1, W2, W3].map((d) => s.cell(d).cell)).not.toContain('autre-parent')
    expect(s.cell(W1).cell).toBe('R')
    expect(s.cell(W3).cell).toBe('R')
    expect(s.cell(W4).cell).toBe('libre')
    // Which household booked each day: « Foyer 1 » (the mother's, the child's first) or « Foyer 2 »; nothing on a free day.
    expect([W1, W2, W3].map((d) => s.cell(d).household)).toEqual([1, 2, 1])
    expect(s.cell(W4).household).toBeUndefined()
    // A household's own planning never says it.
    expect(JSON.stringify((await cells(fatherPortal)).body)).not.toContain('"household"')
  })

  test('the activity-day list and the pointage tag the shared child « Foyer 1 » / « Foyer 2 », the booking household’s phones first', async () => {
    const activityId = (core.db.prepare('SELECT u.activity_id AS a FROM unit u WHERE u.id = ?').get(unit) as { a: number }).a
    book(core, fathersOwnChild, unit, W1, 'R')
    const rowsOf = async (proc: string, day: string) => {
      const r = await desk.call(proc, { day, activityId })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      return r.body.rows as { childId: number; household?: number; emergencyPhones: { label: string; phone: string }[] }[]
    }
    for (const proc of ['attendance-list', 'bookings-activity-day']) {
      const w1 = await rowsOf(proc, W1)
      const mine = w1.find((r) => r.childId === shared)!
      expect(mine.household).toBe(1)
      // Then the common file's emergency pickups, as for any child.
      expect(mine.emergencyPhones.slice(0, 2).map((p) => [p.label.slice(0, 10), p.phone])).toEqual([['Foyer 1 – ', '06 11 22 33 44'], ['Foyer 2 – ', '07 55 66 77 88']])
      // A child of one household has no tag, and its phones are as before.
      const own = w1.find((r) => r.childId === fathersOwnChild)!
      expect(own.household).toBeUndefined()
      expect(own.emergencyPhones.map((p) => p.phone)).toEqual(['07 55 66 77 88'])
    }
    // The printed pointage says it too, beside the group.
    const pdf = await desk.call('attendance-pdf', { day: W1, activityId })
    expect(pdfText(Buffer.from(pdf.body.pdfBase64, 'base64')).replace(/\s+/g, ' ')).toContain('Maternelle · Foyer 1')
    // The father's Wednesday (his absence declared): « Foyer 2 », his phone first.
    const w2 = (await rowsOf('bookings-activity-day', W2)).find((r) => r.childId === shared)!
    expect(w2.household).toBe(2)
    expect(w2.emergencyPhones.slice(0, 2).map((p) => p.phone)).toEqual(['07 55 66 77 88', '06 11 22 33 44'])
  })
})

describe('detaching the second household', () => {
  test('only the direction detaches; the father’s portal no longer reads the child; audited', async () => {
    expect((await desk.call('child-household-unlink', { childId: shared })).status).toBe(403)
    expect((await director.call('child-household-unlink', { childId: shared })).status).toBe(200)
    expect(childIds((await fatherPortal.call('file-get', {})).body)).toEqual([fathersOwnChild])
    expect((await fatherPortal.call('file-request-change', { section: 'health', childId: shared, values: { allergies: false } })).status).toBe(404)
    expect((await director.call('child-household-unlink', { childId: shared })).status).toBe(404)
    const rows = await core.tx.read((m) => m.findBy(AuditEntry, { action: 'child-household-unlink', entityId: String(shared) }))
    expect(rows.map((r) => r.actorKind)).toEqual(['staff'])
  })
})

describe('« je suis l’autre parent »: the father asks for the link from his portal', () => {
  let smtp: TestSmtp
  /** A third household whose child has the same name and birth date as the mother's (an ambiguous match). */
  let namesake: SeededFamily
  let matched: number
  let unmatched: number
  const ask = async (c: TestClient, child: { first: string; last: string; born: string }) => {
    const up = await upload(portalApp, c, 'jugement-jaf.pdf', PDF)
    expect(up.status).toBe(200)
    return c.call('coparent-request', { childFirstName: child.first, childLastName: child.last, birthDate: child.born, relation: 'pere', proofType: 'jugement', uploadId: up.body.uploadId })
  }
  const subjects = async (c: TestClient) => (await c.call('messages-list', {})).body.map((t: { subject: string }) => t.subject)

  beforeAll(async () => {
    smtp = await startSmtp()
    await configureSmtp(core, smtp.port)
    await deliverDueMail(core)
    smtp.messages.length = 0
    namesake = await seedFamily(core, { lastName: 'Martinez', firstName: 'Jeanne', email: 'jeanne.martinez@exemple.fr' })
  })
  afterAll(() => smtp.stop())

  test('the answer is the same whether the structure knows the child or not (no enumeration)', async () => {
    const a = await ask(fatherPortal, { first: 'leo', last: 'MARTÍNEZ', born: '2018-05-04' })
    const b = await ask(fatherPortal, { first: 'Zoé', last: 'Inconnue', born: '2019-01-01' })
    expect(a.status, JSON.stringify(a.body)).toBe(200)
    expect(b.status).toBe(200)
    expect({ ...a.body, requestId: 0 }).toEqual({ ...b.body, requestId: 0 })
    expect(a.body.message).toBe(COPARENT_CONFIRMATION)
    matched = a.body.requestId
    unmatched = b.body.requestId
    // Both are in the father's « Mes demandes », pending; the proof is a document of his own household.
    const mine = (await fatherPortal.call('requests-mine', {})).body.items.filter((i: { type: string }) => i.type === 'household-link')
    expect(mine.map((i: { id: number; status: string }) => [i.id, i.status]).sort()).toEqual([[matched, 'pending'], [unmatched, 'pending']])
    const docs = (await fatherPortal.call('documents-mine', {})).body.map((d: { title: string }) => d.title)
    expect(docs).toContain('Jugement (juge aux affaires familiales) — rattachement de leo MARTÍNEZ')
    // The request is audited naming who asked.
    const created = await auditRows(core, 'request-create')
    expect(created.find((r) => r.entityId === String(matched))).toMatchObject({ actorKind: 'family', actorLabel: father.actor.label })
    // A household cannot flood the direction.
    expect((await ask(fatherPortal, { first: 'A', last: 'B', born: '2020-01-01' })).status).toBe(200)
    const flood = await ask(fatherPortal, { first: 'C', last: 'D', born: '2020-01-01' })
    expect(flood.status).toBe(409)
    expect(flood.body.error.message).toContain('3 demandes de rattachement en attente')
  })

  test('it lands in the validation queue; only the direction sees the matches and decides', async () => {
    const queue = (await desk.call('requests-list', { type: 'household-link', status: 'pending', limit: 10, offset: 0 })).body
    expect(queue.items.map((i: { id: number }) => i.id)).toContain(matched)
    for (const [proc, input] of [
      ['coparent-request-candidates', { requestId: matched }],
      ['coparent-request-accept', { requestId: matched, childId: shared }],
      ['coparent-request-refuse', { requestId: matched, reason: 'Non' }]
    ] as const) expect((await desk.call(proc, input)).status, proc).toBe(403)
    // Two children match (same names, accents and case aside, same birth date): the direction picks one.
    const c = await director.call('coparent-request-candidates', { requestId: matched })
    expect(c.status).toBe(200)
    const namesakeChild = (await core.tx.read((m) => m.findOneByOrFail(Child, { familyId: namesake.familyId }))).id
    expect(c.body.map((x: { childId: number }) => x.childId).sort((x: number, y: number) => x - y)).toEqual([shared, namesakeChild].sort((x, y) => x - y))
    expect(c.body.find((x: { childId: number }) => x.childId === shared)).toMatchObject({ name: 'Léo MARTINEZ', household: { familyId: mother.familyId, number: mother.number }, shared: false })
    expect((await director.call('coparent-request-candidates', { requestId: unmatched })).body).toEqual([])
    // The proof opens for staff.
    const docId = (await director.call('requests-list', { requestId: matched, limit: 1, offset: 0 })).body.items[0].payload.documentId
    expect((await download(staffApp, director, `/api/staff/files/document/${docId}`)).status).toBe(200)
    // …and never for the mother's household.
    expect((await download(portalApp, motherPortal, `/api/portal/files/document/${docId}`)).status).toBe(404)
  })

  test('the direction accepts with a child that matches: the link is made and audited; the father is answered; the mother is told, without his details', async () => {
    const wrong = await director.call('coparent-request-accept', { requestId: matched, childId: fathersOwnChild })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error.message).toBe('Cet enfant ne correspond pas à la demande (prénom, nom et date de naissance).')
    const r = await director.call('coparent-request-accept', { requestId: matched, childId: shared })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(childIds((await fatherPortal.call('file-get', {})).body)).toEqual([shared, fathersOwnChild].sort((a, b) => a - b))
    const again = await director.call('coparent-request-accept', { requestId: matched, childId: shared })
    expect(again.status).toBe(409)
    expect(again.body.error.message).toContain('Demande déjà traitée par')
    const link = (await auditRows(core, 'child-household-link')).at(-1)!
    expect(link).toMatchObject({ actorKind: 'staff', entityId: String(shared), after: { secondFamilyId: father.familyId } })
    expect((await auditRows(core, 'request-accept')).at(-1)).toMatchObject({ entityId: String(matched), actorKind: 'staff', actorLabel: link.actorLabel })
    expect((await fatherPortal.call('requests-mine', {})).body.items.find((i: { id: number }) => i.id === matched).status).toBe('accepted')

    expect(await subjects(fatherPortal)).toContain('Votre demande de rattachement est acceptée')
    const motherThreads = (await motherPortal.call('messages-list', {})).body
    const notice = motherThreads.find((t: { subject: string }) => t.subject === 'Léo : un second foyer est rattaché')
    expect(notice).toBeTruthy()
    const detail = JSON.stringify((await motherPortal.call('messages-thread', { threadId: notice.id })).body)
    for (const s of ['Bernard', 'Paul', 'paul.bernard', '07 55 66 77 88', String(father.number)]) expect(detail, s).not.toContain(s)
    // Each by e-mail, to its own household only.
    await deliverDueMail(core)
    const mails = await smtp.waitFor(2)
    const toFather = mails.find((x) => x.subject.endsWith('Votre demande de rattachement est acceptée'))!
    const toMother = mails.find((x) => x.subject.endsWith('Léo : un second foyer est rattaché'))!
    expect(toFather.to).toEqual([father.login])
    expect(toMother.to).toEqual([mother.login])
    for (const s of ['Bernard', 'paul.bernard', '07 55 66 77 88']) expect(toMother.text + toMother.parsed.headers, s).not.toContain(s)
  })

  test('the direction refuses with a reason; the father gets it by message and e-mail, in the same words with or without a match', async () => {
    smtp.messages.length = 0
    const r = await director.call('coparent-request-refuse', { requestId: unmatched, reason: 'Aucun enfant de ce nom n’est inscrit.' })
    expect(r.status).toBe(200)
    const item = (await fatherPortal.call('requests-mine', {})).body.items.find((i: { id: number }) => i.id === unmatched)
    expect(item).toMatchObject({ status: 'refused', reason: 'Aucun enfant de ce nom n’est inscrit.' })
    expect(await subjects(fatherPortal)).toContain('Votre demande de rattachement n’a pas été acceptée')
    await deliverDueMail(core)
    const [mail] = await smtp.waitFor(1)
    expect(mail.to).toEqual([father.login])
    expect(mail.text).toContain('Motif : Aucun enfant de ce nom n’est inscrit.')
    expect((await auditRows(core, 'request-refuse')).at(-1)).toMatchObject({ entityId: String(unmatched), actorKind: 'staff' })
  })
})

describe('staff messages about one shared child: « Foyer 1 », « Foyer 2 » or « Les deux foyers »', () => {
  let smtp: TestSmtp
  beforeAll(async () => {
    smtp = await startSmtp()
    await configureSmtp(core, smtp.port)
    await deliverDueMail(core)
    smtp.messages.length = 0
  })
  afterAll(() => smtp.stop())
  const inbox = async (c: TestClient, subject: string) => (await c.call('messages-list', {})).body.filter((t: { subject: string }) => t.subject === subject)

  test('to one household: only that one gets it; the preview names the child and the household', async () => {
    const audience = { kind: 'child', childId: shared, households: 'second' }
    expect((await desk.call('messages-audience-preview', { audience })).body).toEqual({ count: 1, label: 'Léo MARTINEZ — Foyer 2' })
    const sent = await desk.call('messages-staff-compose', { audience, subject: 'Trousse PAI', body: 'Merci de rapporter la trousse PAI lundi.', sendEmail: true })
    expect(sent.status, JSON.stringify(sent.body)).toBe(200)
    expect(await inbox(fatherPortal, 'Trousse PAI')).toHaveLength(1)
    expect(await inbox(motherPortal, 'Trousse PAI')).toHaveLength(0)
    await deliverDueMail(core)
    expect((await smtp.waitFor(1)).map((x) => x.to)).toEqual([[father.login]])
  })

  test('to both: one copy each, separate e-mails, replies stay with their household', async () => {
    smtp.messages.length = 0
    const audience = { kind: 'child', childId: shared, households: 'both' }
    expect((await desk.call('messages-audience-preview', { audience })).body).toEqual({ count: 2, label: 'Léo MARTINEZ — Les deux foyers' })
    const sent = await desk.call('messages-staff-compose', { audience, subject: 'Sortie au musée', body: 'Autorisation à signer.', sendEmail: true })
    expect(sent.body).toMatchObject({ recipients: 2, emails: 2 })
    const [m] = await inbox(motherPortal, 'Sortie au musée')
    const [f] = await inbox(fatherPortal, 'Sortie au musée')
    expect(m.id).not.toBe(f.id)
    expect((await fatherPortal.call('messages-reply', { threadId: f.id, body: 'Signée, Paul Bernard 07 55 66 77 88' })).status).toBe(200)
    expect(JSON.stringify((await motherPortal.call('messages-thread', { threadId: m.id })).body)).not.toContain('Paul Bernard')
    expect((await motherPortal.call('messages-thread', { threadId: f.id })).status).toBe(404)
    await deliverDueMail(core)
    const mails = await smtp.waitFor(2)
    expect(mails.map((x) => x.to).sort()).toEqual([[father.login], [mother.login]].sort())
    for (const x of mails) {
      const other = x.to[0] === mother.login ? father.login : mother.login
      expect(JSON.stringify(x.parsed.headers) + x.text + x.html, `${x.to[0]} sees ${other}`).not.toContain(other)
    }
    // A child with one household has no « Foyer 2 ».
    const single = await desk.call('messages-audience-preview', { audience: { kind: 'child', childId: fathersOwnChild, households: 'second' } })
    expect(single.status).toBe(400)
    expect(single.body.error.message).toBe('Cet enfant n’a pas de second foyer.')
  })
})

describe('the PAI of the shared child’s common file', () => {
  test('sent by the father as a plain document and put on the health file, it opens for the mother too; his other papers do not', async () => {
    const up = await upload(portalApp, fatherPortal, 'protocole.pdf', PDF)
    const doc = (await fatherPortal.call('documents-send', { uploadId: up.body.uploadId, docType: 'autre', title: 'Protocole signé par le médecin' })).body.documentId
    const up2 = await upload(portalApp, fatherPortal, 'quittance.pdf', PDF)
    const own = (await fatherPortal.call('documents-send', { uploadId: up2.body.uploadId, docType: 'autre', title: 'Quittance de loyer' })).body.documentId
    const url = (id: number) => `/api/portal/files/document/${id}`
    expect((await download(portalApp, motherPortal, url(doc))).status).toBe(404)
    const r = await fatherPortal.call('file-request-change', { section: 'health', childId: shared, values: { pai: true, allergies: true, allergyNotes: 'Arachide' }, documentId: doc })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect((await desk.call('file-changes-accept', { requestId: r.body.requestId })).status).toBe(200)
    const health = (await motherPortal.call('file-get', {})).body.children[0].health
    expect(health).toMatchObject({ pai: true, paiDocumentId: doc, paiDocumentName: 'Protocole signé par le médecin' })
    expect((await download(portalApp, motherPortal, url(doc))).status).toBe(200)
    expect((await download(portalApp, motherPortal, url(own))).status).toBe(404)
    // A stranger still gets nothing.
    const namesake = await client(portalApp, 'portal')
    await namesake.loginPortal('jeanne.martinez@exemple.fr', father.password)
    expect((await download(portalApp, namesake, url(doc))).status).toBe(404)
  })
})

describe('storage', () => {
  test('0027’s down() gives back the schema of 0026 and keeps the bookings; up() again works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ribambelle-0027-'))
    const at = migrations.findIndex((M) => M.name === 'Households0000000000027')
    const open = async (file: string, count: number) => {
      const ds = new DataSource({ type: 'better-sqlite3', database: join(dir, file), entities: [], migrations: migrations.slice(0, count), migrationsTransactionMode: 'each' })
      await ds.initialize()
      await ds.runMigrations({ transaction: 'each' })
      return ds
    }
    const schema = async (ds: DataSource) =>
      ((await ds.query(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)) as { type: string; name: string; sql: string | null }[]).map((r) => ({
        ...r,
        sql: (r.sql ?? '').replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')')
      }))
    try {
      const before = await open('at-26.db', at)
      const expected = await schema(before)
      await before.destroy()
      // The same file, upgraded by 0027 alone (building a second database from scratch costs seconds).
      copyFileSync(join(dir, 'at-26.db'), join(dir, 'at-27.db'))
      const ds = await open('at-27.db', at + 1)
      await ds.query(`PRAGMA foreign_keys = OFF`)
      await ds.query(`INSERT INTO booking (child_id, unit_id, day, state, price_cents, source, created_at, updated_at) VALUES (1, 1, '2026-09-09', 'R', 520, 'desk', 'x', 'x')`)
      await ds.undoLastMigration({ transaction: 'each' })
      expect(await schema(ds)).toEqual(expected)
      expect(await ds.query(`SELECT day, state FROM booking`)).toEqual([{ day: '2026-09-09', state: 'R' }])
      await ds.runMigrations({ transaction: 'each' })
      expect(await ds.query(`SELECT family_id AS familyId FROM booking`)).toEqual([{ familyId: null }])
      expect((await ds.query(`SELECT name FROM sqlite_master WHERE name IN ('child_household', 'household_child', 'custody_rule', 'booking_household_default') ORDER BY name`)).length).toBe(4)
      await ds.destroy()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })


  test('a booking written without a household (desk, autobook, older code) belongs to the child’s first household', async () => {
    const act = await seedActivity(core)
    const id = book(core, fathersOwnChild, act.units[0].id, '2026-09-09', 'R')
    expect(core.db.prepare('SELECT family_id FROM booking WHERE id = ?').get(id)).toEqual({ family_id: father.familyId })
  })
})
