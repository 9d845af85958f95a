import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { AuditEntry } from '../../src-main/audit/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type TestCore } from '../helpers/core'
import { client, type CallResult, type TestClient } from '../helpers/http'
import { versionedKinds, type VersionedKind } from '../helpers/versioned-kinds'

/**
 * Issue #12 §3, no silent lost update: for every kind of record staff load
 * and save, a save from a stale copy is refused (409) naming who changed the
 * record and when (Europe/Paris), and changes nothing (record and audit log);
 * a save from a fresh copy passes and bumps the version; of two saves racing
 * from the same version, exactly one wins.
 */

/** 14:32 in Paris (summer time). */
const AT_1432 = new Date('2026-09-07T12:32:00.000Z')

let core: TestCore
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let fam: SeededFamily
/** Claire Directrice, the first to save. */
let claire: TestClient
/** Marc Directeur, who opened the same record before Claire saved. */
let marc: TestClient

beforeAll(async () => {
  core = await openTestCore({ now: AT_1432 })
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  fam = await seedFamily(core, { lastName: 'Durand', firstName: 'Alice' })
  const a = await seedStaff(core, 'direction', { displayName: 'Claire Directrice' })
  const b = await seedStaff(core, 'direction', { displayName: 'Marc Directeur' })
  claire = await client(staffApp, 'staff')
  await claire.loginStaff(a.login, a.password)
  marc = await client(staffApp, 'staff')
  await marc.loginStaff(b.login, b.password)
})
afterAll(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

const auditCount = () => core.tx.read((m) => m.count(AuditEntry))
const ok = (r: CallResult) => expect(r.status, JSON.stringify(r.body)).toBe(200)

function kindTests(k: VersionedKind) {
  test('a stale save gets 409 naming who changed it and when; nothing is written; a fresh copy saves and bumps the version', async () => {
    const opened = await k.load(marc)
    const seen = await k.load(claire)
    expect(seen.version).toBe(opened.version)

    core.clock.set(AT_1432)
    ok(await k.save(claire, seen.version, 1))
    const after = await k.load(claire)
    expect(after.version).toBe(seen.version + 1)
    expect(after.state).toEqual(k.expected(1))

    // Three minutes later, Marc saves the copy he opened before.
    core.clock.advance(3 * 60_000)
    const audits = await auditCount()
    const stale = await k.save(marc, opened.version, 2)
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('stale_version')
    expect(stale.body.error.message).toBe(`${k.changed} par Claire Directrice à 14:32 depuis que vous ${k.opened}.`)
    expect(await k.load(marc)).toEqual(after)
    expect(await auditCount()).toBe(audits)

    // « Recharger »: the fresh copy saves.
    const fresh = await k.load(marc)
    ok(await k.save(marc, fresh.version, 2))
    const last = await k.load(marc)
    expect(last.version).toBe(fresh.version + 1)
    expect(last.state).toEqual(k.expected(2))
    expect(await auditCount()).toBeGreaterThan(audits)
  })

  test('two saves racing from the same version: exactly one wins', async () => {
    const { version } = await k.load(claire)
    const results = await Promise.all([k.save(claire, version, 3), k.save(marc, version, 4)])
    expect(results.map((r) => r.status).sort()).toEqual([200, 409])
    const winner = results[0].status === 200 ? 3 : 4
    const now = await k.load(claire)
    expect(now.version).toBe(version + 1)
    expect(now.state).toEqual(k.expected(winner))
  })
}

const kinds = versionedKinds({ core: () => core, family: () => fam, portal: () => portalApp, staff: () => claire })
for (const [name, kind] of Object.entries(kinds)) describe(name, () => kindTests(kind))

describe('the family file faults of issue #12', () => {
  const fileOf = async (c: TestClient) => (await c.call('family-file-get', { familyId: fam.familyId })).body
  const responsable = (f: { responsable: Record<string, unknown> }) => {
    const { id: _id, role: _role, ...values } = f.responsable
    return values
  }

  test('two staff saving the same section: the second save is refused instead of silently overwriting the first change', async () => {
    const claireCopy = await fileOf(claire)
    const marcCopy = await fileOf(marc)
    core.clock.set(AT_1432)
    const first = await claire.call('family-file-save', {
      section: 'responsable',
      familyId: fam.familyId,
      version: claireCopy.versions.responsable,
      values: { ...responsable(claireCopy), phoneMobile: '06 98 76 54 32' }
    })
    const second = await marc.call('family-file-save', {
      section: 'responsable',
      familyId: fam.familyId,
      version: marcCopy.versions.responsable,
      values: { ...responsable(marcCopy), city: 'Toulouse' }
    })
    expect([first.status, second.status]).toEqual([200, 409])
    expect(second.body.error.message).toBe('Ce dossier a été modifié par Claire Directrice à 14:32 depuis que vous l’avez ouvert.')
    const now = await fileOf(marc)
    expect(now.responsable.phoneMobile).toBe('06 98 76 54 32')
    expect(now.responsable.city).toBe(claireCopy.responsable.city)
  })

  test('a change request accepted by someone else makes the copy a desk holds stale', async () => {
    const family = await client(portalApp, 'portal')
    await family.loginPortal(fam.login, fam.password)
    const portalFile = (await family.call('file-get', {})).body
    const { id: _id, role: _role, email: _email, ...values } = portalFile.responsable
    const asked = await family.call('file-request-change', { section: 'responsable', values: { ...values, phoneHome: '05 61 22 33 44' } })
    ok(asked)

    const marcCopy = await fileOf(marc)
    core.clock.set(new Date('2026-09-07T14:05:00.000Z'))
    ok(await claire.call('file-changes-accept', { requestId: asked.body.requestId }))
    const stale = await marc.call('family-file-save', {
      section: 'responsable',
      familyId: fam.familyId,
      version: marcCopy.versions.responsable,
      values: { ...responsable(marcCopy), phoneHome: '' }
    })
    expect(stale.status).toBe(409)
    expect(stale.body.error.message).toBe('Ce dossier a été modifié par Claire Directrice à 16:05 depuis que vous l’avez ouvert.')
    expect((await fileOf(marc)).responsable.phoneHome).toBe('05 61 22 33 44')
  })

})

describe('a save that changes another record makes its copies stale too', () => {
  const body = async (r: Promise<CallResult>) => {
    const res = await r
    ok(res)
    return res.body
  }

  test('unit exclusions are stored both ways: excluding a unit changes it', async () => {
    const facilityId = (await body(claire.call('facilities-save', { name: 'Restauration' }))).id
    const activityTypeId = (await body(claire.call('activity-types-save', { facilityId, name: 'Cantine', kind: 'restauration' }))).id
    const activityId = (await body(claire.call('activities-save', { activityTypeId, name: 'Cantine', openingRule: 'school-days' }))).id
    const lunch = await body(claire.call('units-save', { activityId, name: 'Repas', startTime: '11:30', endTime: '13:30' }))
    const snack = await body(claire.call('units-save', { activityId, name: 'Goûter', startTime: '16:30', endTime: '17:00' }))
    const { id: _id, version: _v, ...snackFields } = snack
    core.clock.set(AT_1432)
    ok(await claire.call('units-save', { ...lunch, excludes: [snack.id] }))
    // Marc still has the goûter as he opened it, with no exclusion.
    const stale = await marc.call('units-save', { ...snackFields, id: snack.id, version: snack.version, name: 'Goûter du soir', excludes: [] })
    expect(stale.status).toBe(409)
    expect(stale.body.error.message).toBe('Cette unité a été modifiée par Claire Directrice à 14:32 depuis que vous l’avez ouverte.')
    const units = (await body(claire.call('activities-tree', {}))).flatMap((f: { types: { activities: { id: number; units: { id: number; excludes: number[] }[] }[] }[] }) =>
      f.types.flatMap((t) => t.activities.filter((a) => a.id === activityId).flatMap((a) => a.units))
    )
    expect(units.find((u: { id: number }) => u.id === snack.id).excludes).toEqual([lunch.id])
  })

  test('a régie made the default, or given an activity, takes it from another régie, whose copies become stale', async () => {
    const first = await body(claire.call('billing-regie-save', { name: 'Régie cantine', code: 'CANT', isDefault: true }))
    const copy = (await body(marc.call('billing-regies-list', {}))).find((r: { id: number }) => r.id === first.regieId)
    core.clock.set(AT_1432)
    ok(await claire.call('billing-regie-save', { name: 'Régie loisirs', code: 'LOIS', isDefault: true }))
    const stale = await marc.call('billing-regie-save', { ...copy, isDefault: true, paymentMethods: 'Chèque' })
    expect(stale.status).toBe(409)
    expect(stale.body.error.message).toBe('Cette régie a été modifiée par Claire Directrice à 14:32 depuis que vous l’avez ouverte.')
    const now = await body(marc.call('billing-regies-list', {}))
    expect(now.filter((r: { isDefault: boolean }) => r.isDefault).map((r: { code: string }) => r.code)).toEqual(['LOIS'])
  })
})
