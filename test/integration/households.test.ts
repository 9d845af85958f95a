/**
 * Separated parents (issue 16): a child shared by two households. Staff
 * (direction) link the other parent's household from the child's file; the
 * child's common file is then seen from both portals, while each household's
 * own data (people, money, requests) stays its own. One seeded database for
 * the whole file; the tests run in order.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { AuditEntry } from '../../src-main/audit/entities'
import { Child } from '../../src-main/families/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { book } from '../helpers/billing'
import { seedActivity } from '../helpers/bookings'

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
    expect(m.children.find((c: { id: number }) => c.id === shared).household).toEqual({ shared: true, firstHousehold: true, other: { familyId: father.familyId, number: father.number, name: 'BERNARD Paul' } })
    expect(f.children.find((c: { id: number }) => c.id === shared).household).toEqual({ shared: true, firstHousehold: false, other: { familyId: mother.familyId, number: mother.number, name: 'MARTINEZ Inès' } })
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
    expect(c.household).toEqual({ shared: true, firstHousehold: false, other: null })
    const text = JSON.stringify(r.body)
    for (const s of ['Inès', 'ines.martinez', '06 11 22 33 44', 'Jugement', String(mother.familyId) + ',"number"']) expect(text, s).not.toContain(s)
    expect(r.body.responsable.lastName).toBe('Bernard')
    // The mother's portal still has her child, marked as shared, without the father's details.
    const mine = (await motherPortal.call('file-get', {})).body
    expect(childIds(mine)).toEqual([shared])
    expect(mine.children[0].household).toEqual({ shared: true, firstHousehold: true, other: null })
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
  })

  test('the mother cannot reach the father’s own child', async () => {
    const r = await motherPortal.call('file-request-change', { section: 'health', childId: fathersOwnChild, values: { allergies: false } })
    expect(r.status).toBe(404)
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

describe('storage', () => {
  test('a booking written without a household (desk, autobook, older code) belongs to the child’s first household', async () => {
    const act = await seedActivity(core)
    const id = book(core, fathersOwnChild, act.units[0].id, '2026-09-09', 'R')
    expect(core.db.prepare('SELECT family_id FROM booking WHERE id = ?').get(id)).toEqual({ family_id: father.familyId })
  })
})
