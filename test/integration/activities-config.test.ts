import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { Enrolment } from '../../src-main/activities/entities'
import { acceptEnrolments, requestEnrolment } from '../../src-main/activities/enrolment'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, seedFamily, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { addChild, seedActivities, setStructure } from '../helpers/activities'

let core: TestCore
let app: FastifyInstance
let direction: SeededStaff
let dir: TestClient

beforeEach(async () => {
  core = await openTestCore()
  await setStructure(core, 'C')
  direction = await seedStaff(core, 'direction')
  app = await buildStaffApp(core)
  dir = await client(app, 'staff')
  await dir.loginStaff(direction.login, direction.password)
})
afterEach(async () => {
  await app.close()
  await core.cleanup()
})

async function ok(name: string, input: unknown) {
  const r = await dir.call(name, input)
  if (r.status !== 200) throw new Error(`${name}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

describe('configuration through the staff API', () => {
  test('direction builds the hierarchy; the tree returns it with symmetric unit exclusions; every change is audited', async () => {
    const f = await ok('facilities-save', { name: 'Centre de loisirs' })
    const t = await ok('activity-types-save', { facilityId: f.id, name: 'Mercredis', kind: 'mercredi' })
    const a = await ok('activities-save', { activityTypeId: t.id, name: 'CL Élémentaire Mercredis', openingRule: 'wednesdays', typicalWeek: true })
    expect(a).toMatchObject({ validation: 'staff', autoBook: false, typicalWeek: true, active: true })
    await ok('periods-save', { activityId: a.id, name: '2026/2027', startDate: '2026-09-02', endDate: '2027-06-30', windowStart: '2026-03-10', windowEnd: '2026-08-20' })
    const g = await ok('groups-save', { activityId: a.id, name: '6-8 ans', ageMin: 6, ageMax: 8 })
    const journee = await ok('units-save', { activityId: a.id, name: 'Journée complète', startTime: '08:30', endTime: '17:30', priceCents: 1500 })
    const avec = await ok('units-save', { activityId: a.id, name: 'Après-midi avec repas', startTime: '11:30', endTime: '17:30', excludes: [journee.id] })
    const sans = await ok('units-save', { activityId: a.id, name: 'Après-midi sans repas', startTime: '13:30', endTime: '17:30', excludes: [journee.id, avec.id] })
    await ok('capacities-save', { groupId: g.id, unitId: journee.id, places: 24 })
    await ok('capacities-save', { groupId: g.id, unitId: journee.id, places: 12, day: '2026-12-16' })
    // Saving the default again replaces it rather than adding a second row.
    await ok('capacities-save', { groupId: g.id, unitId: journee.id, places: 20 })

    const tree = await ok('activities-tree', {})
    const node = tree[0].types[0].activities[0]
    expect(node.periods).toHaveLength(1)
    expect(node.groups[0]).toMatchObject({ name: '6-8 ans', ageMin: 6, ageMax: 8, levels: [] })
    const units = Object.fromEntries(node.units.map((u: { name: string; excludes: number[] }) => [u.name, u.excludes.sort()]))
    expect(units['Journée complète']).toEqual([avec.id, sans.id].sort())
    expect(units['Après-midi avec repas']).toEqual([journee.id, sans.id].sort())
    expect(node.capacities.map((c: { places: number; day: string | null }) => [c.places, c.day])).toEqual([
      [20, null],
      [12, '2026-12-16']
    ])
    const actions = (await auditRows(core)).map((r) => r.action)
    for (const x of ['facility-create', 'activity_type-create', 'activity-create', 'activity_period-create', 'activity_group-create', 'unit-create', 'unit-exclusions-update', 'capacity-create', 'capacity-update']) {
      expect(actions).toContain(x)
    }
  })

  test('bad input gets French field messages; other roles cannot change the configuration', async () => {
    const f = await ok('facilities-save', { name: 'Accueil périscolaire' })
    const t = await ok('activity-types-save', { facilityId: f.id, name: 'Périscolaire', kind: 'periscolaire' })
    const a = await ok('activities-save', { activityTypeId: t.id, name: 'ALAE Soir', openingRule: 'school-days' })
    const bad = await dir.call('periods-save', { activityId: a.id, name: '2026/2027', startDate: '2027-07-02', endDate: '2026-09-01', windowStart: '2026-03-10', windowEnd: '2026-08-20' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields.endDate).toBe('La fin de la période doit suivre son début.')
    const badUnit = await dir.call('units-save', { activityId: a.id, name: 'Soir', startTime: '18:30', endTime: '16:00' })
    expect(badUnit.body.error.fields.endTime).toBe('L’heure de fin doit suivre l’heure de début.')
    const badTime = await dir.call('units-save', { activityId: a.id, name: 'Soir', startTime: '25:00', endTime: '26:00' })
    expect(badTime.body.error.fields.startTime).toContain('Heure invalide')

    const accueil = await seedStaff(core, 'accueil')
    const c = await client(app, 'staff')
    await c.loginStaff(accueil.login, accueil.password)
    expect((await c.call('facilities-save', { name: 'Crèche' })).status).toBe(403)
    expect((await c.call('activities-tree', {})).status).toBe(200)
    const anim = await seedStaff(core, 'animateur')
    const c2 = await client(app, 'staff')
    await c2.loginStaff(anim.login, anim.password)
    expect((await c2.call('enrolments-accept', { enrolmentIds: [1] })).status).toBe(403)
  })

  test('an activity, period or group with enrolments cannot be deleted', async () => {
    const fx = await seedActivities(core)
    const fam = await seedFamily(core)
    const child = await addChild(core, fam.familyId, 'Lina', '2022-03-01')
    await requestEnrolment(core, fam.actor, { childId: child, periodId: fx.cl.periodId, groupId: fx.cl.groupId, typicalWeek: [], memo: '', siblingIds: [] })
    const r = await dir.call('activities-delete', { id: fx.cl.activityId })
    expect(r.status).toBe(409)
    expect(r.body.error.message).toContain('1 inscription y est rattachée')
    expect((await dir.call('groups-delete', { id: fx.cl.groupId })).status).toBe(409)
    expect((await dir.call('periods-delete', { id: fx.cl.futurePeriodId })).status).toBe(200)
  })

  test('raising a group’s places gives them to the waiting list, first come first served', async () => {
    const fx = await seedActivities(core, { clPlaces: 1 })
    const desk = await seedStaff(core, 'accueil')
    const ids: number[] = []
    for (const name of ['Zoé', 'Tom', 'Lou']) {
      const fam = await seedFamily(core)
      const child = await addChild(core, fam.familyId, name, '2022-02-02')
      ids.push((await requestEnrolment(core, fam.actor, { childId: child, periodId: fx.cl.periodId, groupId: fx.cl.groupId, typicalWeek: [], memo: '', siblingIds: [] })).created[0].enrolmentId)
    }
    const out = await acceptEnrolments(core, desk.actor, ids, true)
    expect(out.map((o) => o.outcome)).toEqual(['validated', 'waiting', 'waiting'])
    // The same id twice in a bulk accept: the second is reported, the rest kept.
    const again = await acceptEnrolments(core, desk.actor, [ids[0]], true)
    expect(again[0]).toMatchObject({ outcome: 'error', message: 'Cette inscription a déjà été traitée.' })

    const tree = await ok('activities-tree', {})
    const group = tree.flatMap((f: any) => f.types.flatMap((t: any) => t.activities)).find((a: any) => a.id === fx.cl.activityId).groups[0]
    await ok('groups-save', { ...group, places: 2 })
    const rows = await core.tx.read((m) => m.findBy(Enrolment, {}))
    expect(rows.find((e) => e.id === ids[1])!.status).toBe('validated')
    expect(rows.find((e) => e.id === ids[2])!.status).toBe('waiting')
  })
})

describe('calendar through the staff API', () => {
  test('school holidays are seeded from resources, editable, and reloading only adds what is missing', async () => {
    const all = await ok('school-holidays-list', {})
    expect(all).toHaveLength(51)
    const hiverC = all.find((h: any) => h.zone === 'C' && h.schoolYear === '2026-2027' && h.name === 'Hiver')
    expect(hiverC).toMatchObject({ kind: 'petites', firstDayOff: '2027-02-06', backDay: '2027-02-22' })
    // A structure publishes the rentrée 2027 once known.
    const ete = all.find((h: any) => h.zone === 'C' && h.schoolYear === '2026-2027' && h.name === 'Été')
    await ok('school-holidays-save', { ...ete, backDay: '2027-09-02' })
    await ok('school-holidays-delete', { id: hiverC.id })
    expect(await ok('school-holidays-reload', {})).toEqual({ added: 1 })
    const after = await ok('school-holidays-list', { zone: 'C' })
    expect(after.find((h: any) => h.name === 'Été' && h.schoolYear === '2026-2027').backDay).toBe('2027-09-02')
    const dup = await dir.call('school-holidays-save', { zone: 'C', schoolYear: '2026-2027', name: 'Hiver', kind: 'petites', firstDayOff: '2027-02-06', backDay: '2027-02-22' })
    expect(dup.status).toBe(409)
  })

  test('the year view colours holidays, public holidays and closures, and counts the activity’s opening days', async () => {
    const fx = await seedActivities(core)
    await ok('closures-save', { facilityId: null, activityId: fx.alae.activityId, startDate: '2026-12-17', endDate: '2026-12-18', reason: 'Travaux' })
    const both = await dir.call('closures-save', { facilityId: 1, activityId: fx.alae.activityId, startDate: '2026-12-17', endDate: '2026-12-18', reason: 'X' })
    expect(both.status).toBe(400)
    const y = await ok('calendar-year', { from: '2026-09-01', to: '2027-08-31', activityId: fx.alae.activityId })
    expect(y).toMatchObject({ zone: 'C', department: '31', alsaceMoselle: false })
    const day = (d: string) => y.days.find((x: any) => x.day === d)
    expect(day('2026-10-20').holiday).toEqual({ name: 'Toussaint', kind: 'petites' })
    expect(day('2027-07-20').holiday).toEqual({ name: 'Été', kind: 'grandes' })
    expect(day('2027-05-07').holiday).toEqual({ name: "Pont de l'Ascension", kind: 'pont' })
    expect(day('2026-11-11').publicHoliday).toBe('Armistice 1918')
    expect(day('2026-12-17').closures[0].reason).toBe('Travaux')
    expect(day('2026-12-17').open).toBe(false)
    expect(day('2026-12-15').open).toBe(true)
    expect(y.openCount).toBe(y.days.filter((d: any) => d.open).length)
    expect(y.openCount).toBeGreaterThan(130)

    await setStructure(core, 'B', '57000')
    const moselle = await ok('calendar-year', { from: '2026-12-01', to: '2026-12-31' })
    expect(moselle.alsaceMoselle).toBe(true)
    expect(moselle.days.find((x: any) => x.day === '2026-12-26').publicHoliday).toBe('Lendemain de Noël')
    expect((await dir.call('calendar-year', { from: '2026-01-01', to: '2027-12-31' })).status).toBe(400)
  })

  test('the school week setting opens ALAE on Wednesdays where there is school that day', async () => {
    const fx = await seedActivities(core)
    const before = await ok('calendar-year', { from: '2026-09-01', to: '2026-09-30', activityId: fx.alae.activityId })
    await ok('calendar-settings-update', { schoolWeekdays: [1, 2, 3, 4, 5], version: 0 })
    expect(await ok('calendar-settings-get', {})).toEqual({ schoolWeekdays: [1, 2, 3, 4, 5], version: 1 })
    const after = await ok('calendar-year', { from: '2026-09-01', to: '2026-09-30', activityId: fx.alae.activityId })
    expect(after.openCount - before.openCount).toBe(5) // five Wednesdays in September 2026
  })
})
