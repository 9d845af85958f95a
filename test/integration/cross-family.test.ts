/// <reference types="vite/client" />
/**
 * Cross-family access, generated from the route table: for every portal
 * procedure that declares `owns`, every owned field in turn gets another
 * family's id (the others keep the caller's own), and every download kind
 * gets another family's id in its path. The answer must be 403 or 404, with
 * none of the other family's data and no side effect. A procedure or a
 * download kind without a case in test/helpers/cross-family/ fails the suite.
 */
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { portalProcedures, type Procedure } from '@shared/contract'
import { DOWNLOAD_KINDS, portalFileRoutes } from '@shared/contract/family-file-routes'
import { AuditEntry } from '../../src-main/audit/entities'
import { ownerIds, ownershipResolvers } from '../../src-main/rpc/ownership'
import { linkSecondHousehold } from '../../src-main/families/households'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { download, PDF, upload } from '../helpers/files'
import type { CrossFamilyContext, CrossFamilyModule, SeededSide } from '../helpers/cross-family/types'

const loaded = import.meta.glob<{ module: CrossFamilyModule }>('../helpers/cross-family/*.ts', { eager: true })
const modules = Object.entries(loaded)
  .filter(([path]) => !path.endsWith('/types.ts'))
  .map(([, m]) => m.module)
const cases: CrossFamilyModule['cases'] = Object.assign({}, ...modules.map((m) => m.cases))
const downloadEntities: Record<string, string> = Object.assign({}, ...modules.map((m) => m.downloads ?? {}))

const owned = Object.entries(portalProcedures as Record<string, Procedure>).filter(([, p]) => p.owns && Object.keys(p.owns).length > 0)

/**
 * Ids of shared catalogue items, which belong to no family (a service of the
 * message form, an activity period…). Any other `…Id` / `…Ids` field of a
 * portal input must be declared in `owns`.
 */
const CATALOGUE_IDS = new Set(['serviceId', 'themeId', 'facilityId', 'activityTypeId', 'activityId', 'periodId', 'groupId', 'unitId'])

/** Top-level keys of an input schema (objects, unions of objects, defaults and pipes unwrapped). */
function inputKeys(schema: z.ZodType): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def
  switch (def.type) {
    case 'object':
      return Object.keys(def.shape as object)
    case 'union':
      return [...new Set((def.options as z.ZodType[]).flatMap(inputKeys))]
    case 'intersection':
      return [...inputKeys(def.left as z.ZodType), ...inputKeys(def.right as z.ZodType)]
    case 'pipe':
      return inputKeys(def.in as z.ZodType)
    case 'default':
    case 'optional':
    case 'nullable':
    case 'prefault':
      return inputKeys(def.innerType as z.ZodType)
    default:
      return []
  }
}

describe('the route table is covered', () => {
  test('every id a portal procedure takes is declared in `owns` (or is a catalogue id)', () => {
    const undeclared: string[] = []
    for (const [name, p] of Object.entries(portalProcedures as Record<string, Procedure>)) {
      if (p.public) continue
      for (const k of inputKeys(p.input)) if (/Ids?$/.test(k) && !CATALOGUE_IDS.has(k) && !(p.owns && k in p.owns)) undeclared.push(`${name}.${k}`)
    }
    expect(undeclared).toEqual([])
  })

  test('every portal procedure with `owns` has a cross-family case', () => {
    expect(owned.map(([n]) => n).filter((n) => !cases[n])).toEqual([])
  })

  test('every download kind has a cross-family case', () => {
    expect(portalFileRoutes.download.kinds.filter((k) => !downloadEntities[k])).toEqual([])
  })

  test('every owned entity has an ownership resolver', () => {
    const entities = new Set(owned.flatMap(([, p]) => Object.values(p.owns!)))
    expect([...entities].filter((e) => !ownershipResolvers[e])).toEqual([])
  })
})

let core: TestCore
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let victim: SeededSide
let attacker: SeededSide
let victimIds: Record<string, number>
let attackerIds: Record<string, number>
let markers: string[]
/** Issue 16: a second household sharing the victim's child, and what of the victim stays private from it. */
let coparent: SeededSide
let coparentIds: Record<string, number>
let privateMarkers: string[]
const CUSTODY_SECRET = 'Décision du juge aux affaires familiales, confidentielle'

async function side(ctx: CrossFamilyContext, lastName: string): Promise<{ side: SeededSide; ids: Record<string, number> }> {
  const family = await seedFamily(ctx.core, { lastName })
  const portal = await client(ctx.portalApp, 'portal')
  await portal.loginPortal(family.login, family.password)
  const s = { family, portal }
  const ids: Record<string, number> = {}
  for (const m of modules) Object.assign(ids, await m.seed(ctx, s))
  return { side: s, ids }
}

beforeAll(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  const director = await seedStaff(core, 'direction')
  const staff = await client(staffApp, 'staff')
  await staff.loginStaff(director.login, director.password)
  const ctx: CrossFamilyContext = { core, staffApp, portalApp, director, staff }
  const v = await side(ctx, 'Victimeau')
  const a = await side(ctx, 'Curieux')
  victim = v.side
  victimIds = v.ids
  attacker = a.side
  attackerIds = a.ids
  markers = modules.flatMap((m) => m.markers?.(victim) ?? [])
  const c = await side(ctx, 'Coparent')
  coparent = c.side
  coparentIds = c.ids
  // The victim's child gets a second household (the other parent's), with custody notes only the direction reads.
  await linkSecondHousehold(core, director.actor, victimIds.child, coparent.family.familyId)
  const file = (await staff.call('family-file-get', { familyId: victim.family.familyId })).body
  const version = file.children.find((x: { id: number }) => x.id === victimIds.child).versions.custody
  expect((await staff.call('family-file-custody', { childId: victimIds.child, custodyNotes: CUSTODY_SECRET, version })).status).toBe(200)
  // The shared child carries the victim's last name: that one is common; everything else of the victim's stays private.
  privateMarkers = [...markers.filter((x) => x !== victim.family.lastName), CUSTODY_SECRET]
})
afterAll(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

const auditCount = () => core.tx.read((m) => m.count(AuditEntry))

function expectNoLeak(text: string) {
  for (const s of markers) expect(text, `leaked « ${s} »`).not.toContain(s)
}

describe('another family’s id in the body is refused', () => {
  for (const [name, p] of owned) {
    for (const [field, entity] of Object.entries(p.owns!)) {
      test(`${name} — ${field} (${entity})`, async () => {
        const victimId = victimIds[entity]
        const ownId = attackerIds[entity]
        expect(victimId, `no ${entity} seeded for the victim`).toBeTypeOf('number')
        // The ids really are the victim's and the caller's own: the refusal is not a missing row.
        await core.tx.read(async (m) => {
          // (The victim's child is also its co-parent's: see the last part.)
          expect(ownerIds(await ownershipResolvers[entity](m, victimId))).toContain(victim.family.familyId)
          expect(ownerIds(await ownershipResolvers[entity](m, victimId))).not.toContain(attacker.family.familyId)
          expect(ownerIds(await ownershipResolvers[entity](m, ownId))).toEqual([attacker.family.familyId])
        })
        const input = cases[name]((f) => {
          const e = p.owns![f]
          if (!e) throw new Error(`${name}: ${f} is not an owned field`)
          return f === field ? victimId : attackerIds[e]
        })
        const before = await auditCount()
        const r = await attacker.portal.call(name, input)
        expect([403, 404], JSON.stringify(r.body)).toContain(r.status)
        expectNoLeak(JSON.stringify(r.body))
        expect(await auditCount()).toBe(before)
      })
    }
  }
})

describe('another family’s id in a download path is refused', () => {
  for (const kind of DOWNLOAD_KINDS) {
    test(`GET ${portalFileRoutes.download.path.replace(':kind', kind)}`, async () => {
      const entity = downloadEntities[kind]
      const own = await download(portalApp, attacker.portal, `/api/portal/files/${kind}/${attackerIds[entity]}`)
      expect(own.status).toBe(200)
      const r = await download(portalApp, attacker.portal, `/api/portal/files/${kind}/${victimIds[entity]}`)
      expect([403, 404]).toContain(r.status)
      expect(r.headers['content-disposition']).toBeUndefined()
      expectNoLeak(r.text)
      // The victim itself gets it.
      expect((await download(portalApp, victim.portal, `/api/portal/files/${kind}/${victimIds[entity]}`)).status).toBe(200)
    })
  }

  test('the RGPD export of a family holds none of another family’s data', async () => {
    const json = await download(portalApp, attacker.portal, portalFileRoutes.exportJson.path)
    expect(json.status).toBe(200)
    expect(json.text).toContain(attacker.family.lastName)
    expectNoLeak(json.text)
  })

  test('lists a family reads hold none of another family’s data', async () => {
    for (const name of ['file-get', 'requests-mine', 'messages-list', 'documents-mine', 'documents-downloads', 'news-list', 'home-get']) {
      const r = await attacker.portal.call(name, name === 'messages-list' ? { folder: 'sent' } : {})
      expect(r.status, name).toBe(200)
      expectNoLeak(JSON.stringify(r.body))
    }
  })

  test('nothing of the victim changed', async () => {
    const t = await victim.portal.call('messages-thread', { threadId: victimIds.thread })
    expect(t.status).toBe(200)
    expect(t.body.folder).toBe('active')
    expect(t.body.messages).toHaveLength(2)
    const mine = await victim.portal.call('requests-mine', {})
    expect(mine.body.items.find((i: { id: number }) => i.id === victimIds.request).status).toBe('pending')
  })
})

/**
 * Issue 16: the victim's child is shared with a second household (the other
 * parent). That household reaches the child's common file (the child and its
 * enrolments), and nothing else of the victim's household: every other owned
 * id is refused as from a stranger, every download too, and no list, export
 * or answer holds the victim's private data.
 */
const SHARED_ENTITIES = new Set(['child', 'enrolment'])

describe('the other household of a shared child is refused the first one’s own data', () => {
  function expectNothingPrivate(text: string) {
    for (const x of privateMarkers) expect(text, `leaked « ${x} »`).not.toContain(x)
  }

  for (const [name, p] of owned) {
    for (const [field, entity] of Object.entries(p.owns!)) {
      if (SHARED_ENTITIES.has(entity)) continue
      test(`${name} — ${field} (${entity})`, async () => {
        const input = cases[name]((f) => {
          const e = p.owns![f]
          return f === field ? victimIds[entity] : coparentIds[e]
        })
        const before = await auditCount()
        const r = await coparent.portal.call(name, input)
        expect([403, 404], JSON.stringify(r.body)).toContain(r.status)
        expectNothingPrivate(JSON.stringify(r.body))
        expect(await auditCount()).toBe(before)
      })
    }
  }

  for (const kind of DOWNLOAD_KINDS) {
    test(`GET ${portalFileRoutes.download.path.replace(':kind', kind)}`, async () => {
      const r = await download(portalApp, coparent.portal, `/api/portal/files/${kind}/${victimIds[downloadEntities[kind]]}`)
      expect([403, 404]).toContain(r.status)
      expect(r.headers['content-disposition']).toBeUndefined()
      expectNothingPrivate(r.text)
    })
  }

  test('the shared child stays the other household’s too: its file, its planning, its enrolments', async () => {
    await core.tx.read(async (m) => expect(ownerIds(await ownershipResolvers.child(m, victimIds.child))).toEqual([victim.family.familyId, coparent.family.familyId]))
    const file = await coparent.portal.call('file-get', {})
    expect(file.body.children.map((c: { id: number }) => c.id)).toContain(victimIds.child)
    expect(file.body.children.find((c: { id: number }) => c.id === victimIds.child)).toMatchObject({ custodyNotes: null, household: { shared: true, firstHousehold: false, other: null, otherChanges: [] } })
    expect((await coparent.portal.call('bookings-planning', { from: '2027-01-01', to: '2027-01-31', childId: victimIds.child })).status).toBe(200)
    expect((await coparent.portal.call('enrolment-list', {})).body.map((e: { id: number }) => e.id)).toContain(victimIds.enrolment)
  })

  test('a paper of the shared child’s common file (its PAI) opens for both households, and for no stranger; the other papers stay private', async () => {
    const url = (id: number) => `/api/portal/files/document/${id}`
    const mine = await download(portalApp, victim.portal, url(victimIds.paiDocument))
    expect(mine.status).toBe(200)
    const other = await download(portalApp, coparent.portal, url(victimIds.paiDocument))
    expect(other.status).toBe(200)
    expect(other.raw.equals(mine.raw)).toBe(true)
    expect((await download(portalApp, attacker.portal, url(victimIds.paiDocument))).status).toBe(404)
    // The victim's proof of address (not of the child's file) still does not open for the co-parent.
    const privateDoc = await download(portalApp, coparent.portal, url(victimIds.document))
    expect(privateDoc.status).toBe(404)
    expectNothingPrivate(privateDoc.text)
    // The co-parent sends a medical certificate about the shared child: the first household reads it too; not its CAF paper.
    const up = await upload(portalApp, coparent.portal, 'certificat.pdf', PDF)
    const cert = await coparent.portal.call('documents-send', { uploadId: up.body.uploadId, docType: 'certificat-medical', childId: victimIds.child })
    expect(cert.status, JSON.stringify(cert.body)).toBe(200)
    expect((await download(portalApp, victim.portal, url(cert.body.documentId))).status).toBe(200)
    const up2 = await upload(portalApp, coparent.portal, 'caf.pdf', PDF)
    const caf = await coparent.portal.call('documents-send', { uploadId: up2.body.uploadId, docType: 'attestation-caf', childId: victimIds.child })
    expect(caf.status).toBe(200)
    expect((await download(portalApp, victim.portal, url(caf.body.documentId))).status).toBe(404)
    expect((await download(portalApp, victim.portal, url(coparentIds.document))).status).toBe(404)
  })

  test('lists the other household reads hold none of the first one’s private data', async () => {
    for (const name of ['file-get', 'requests-mine', 'messages-list', 'documents-mine', 'documents-downloads', 'news-list', 'home-get', 'enrolment-list', 'bookings-my-requests', 'bookings-options', 'billing-summary', 'billing-invoices']) {
      if (!(name in portalProcedures)) continue
      const r = await coparent.portal.call(name, name === 'messages-list' ? { folder: 'sent' } : {})
      expect(r.status, name).toBe(200)
      expectNothingPrivate(JSON.stringify(r.body))
    }
  })

  test('its RGPD export holds the shared child’s common file and nothing private to the first household', async () => {
    const json = await download(portalApp, coparent.portal, portalFileRoutes.exportJson.path)
    expect(json.status).toBe(200)
    const data = JSON.parse(json.text)
    const child = data.file.children.find((c: { id: number }) => c.id === victimIds.child)
    expect(child.identity.lastName).toBe(victim.family.lastName)
    expect(child.household).toEqual({ shared: true, firstHousehold: false, other: null, otherChanges: [] })
    expectNothingPrivate(json.text)
    expect(json.text).not.toContain(victim.family.login)
  })
})

