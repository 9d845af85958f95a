/**
 * A small activities configuration for #4's tests, built through the domain
 * functions: zone C (Toulouse), school year 2026/2027.
 *
 *   ALAE Matin (school days, auto-book, staff validation): unit Matin, groups Maternelle (PS-GS) / Élémentaire (CP-CM2)
 *   CL Maternel Mercredis (Wednesdays, typical week): units Journée, Matin, Après-midi avec/sans repas (exclusions),
 *     group Maternelle 3-5 ans with `clPlaces` places
 */
import { SYSTEM } from '../../src-main/core/actor'
import type { Core } from '../../src-main/core/app-core'
import { saveActivity, saveActivityType, saveCapacity, saveFacility, saveGroup, savePeriod, saveUnit } from '../../src-main/activities/config'
import { Structure } from '../../src-main/settings/entities'
import { Child } from '../../src-main/families/entities'

export interface ActivitiesFixture {
  alae: { activityId: number; periodId: number; unitId: number; maternelle: number; elementaire: number }
  cl: { activityId: number; periodId: number; closedPeriodId: number; futurePeriodId: number; groupId: number; journee: number; matin: number; avecRepas: number; sansRepas: number }
}

export async function setStructure(core: Core, zone: 'A' | 'B' | 'C' = 'C', postalCode = '31000', region = '') {
  await core.tx.run((m) =>
    m.save(Structure, {
      id: 1,
      name: 'Maison de l’Enfant de Test',
      address: '1 place de la Mairie',
      postalCode,
      city: 'Testville',
      phone: '05 61 00 00 00',
      email: 'contact@testville.fr',
      logo: null,
      siret: '21310000000017',
      holidayZone: zone,
      holidayRegion: region,
      portalUrl: 'https://portail.testville.fr',
      signatoryName: 'Marie Durand',
      signatoryRole: 'Directrice',
      updatedAt: core.clock.now().toISOString()
    })
  )
}

export async function seedActivities(core: Core, opts: { clPlaces?: number; alaeWindow?: [string, string]; clValidation?: 'auto' | 'staff' } = {}): Promise<ActivitiesFixture> {
  await setStructure(core)
  const a = SYSTEM
  const peri = await saveFacility(core, a, { name: 'Accueil périscolaire', active: true, sort: 1 })
  const periType = await saveActivityType(core, a, { facilityId: peri.id, name: 'Périscolaire', kind: 'periscolaire' })
  const alae = await saveActivity(core, a, {
    activityTypeId: periType.id,
    name: 'ALAE Matin',
    openingRule: 'school-days',
    validation: 'staff',
    autoBook: true,
    typicalWeek: false,
    active: true,
    description: ''
  })
  const [ws, we] = opts.alaeWindow ?? ['2026-03-10', '2026-11-30']
  const alaePeriod = await savePeriod(core, a, { activityId: alae.id, name: '2026/2027', startDate: '2026-09-01', endDate: '2027-07-02', windowStart: ws, windowEnd: we })
  const matin = await saveUnit(core, a, { activityId: alae.id, name: 'Matin', startTime: '07:30', endTime: '08:20', priceCents: 120, sort: 1, excludes: [] })
  const mat = await saveGroup(core, a, { activityId: alae.id, name: 'Maternelle', ageMin: null, ageMax: null, levels: ['PS', 'MS', 'GS'], places: null })
  const elem = await saveGroup(core, a, { activityId: alae.id, name: 'Élémentaire', ageMin: null, ageMax: null, levels: ['CP', 'CE1', 'CE2', 'CM1', 'CM2'], places: null })

  const cl = await saveFacility(core, a, { name: 'Centre de loisirs', active: true, sort: 2 })
  const clType = await saveActivityType(core, a, { facilityId: cl.id, name: 'Mercredis', kind: 'mercredi' })
  const clAct = await saveActivity(core, a, {
    activityTypeId: clType.id,
    name: 'CL Maternel Mercredis',
    openingRule: 'wednesdays',
    validation: opts.clValidation ?? 'staff',
    autoBook: false,
    typicalWeek: true,
    active: true,
    description: ''
  })
  const clPeriod = await savePeriod(core, a, { activityId: clAct.id, name: '2026/2027', startDate: '2026-09-02', endDate: '2027-06-30', windowStart: '2026-03-10', windowEnd: '2026-12-31' })
  const closedPeriod = await savePeriod(core, a, { activityId: clAct.id, name: 'Été 2026 (tardif)', startDate: '2026-09-02', endDate: '2026-12-16', windowStart: '2026-05-01', windowEnd: '2026-08-20' })
  const futurePeriod = await savePeriod(core, a, { activityId: clAct.id, name: '2027/2028', startDate: '2027-09-01', endDate: '2028-07-05', windowStart: '2027-03-10', windowEnd: '2027-08-20' })
  const journee = await saveUnit(core, a, { activityId: clAct.id, name: 'Journée complète', startTime: '08:30', endTime: '17:30', priceCents: 1500, sort: 1, excludes: [] })
  const clMatin = await saveUnit(core, a, { activityId: clAct.id, name: 'Matin', startTime: '08:30', endTime: '12:00', priceCents: 600, sort: 2, excludes: [journee.id] })
  const avec = await saveUnit(core, a, { activityId: clAct.id, name: 'Après-midi avec repas', startTime: '11:30', endTime: '17:30', priceCents: 1000, sort: 3, excludes: [journee.id] })
  const sans = await saveUnit(core, a, { activityId: clAct.id, name: 'Après-midi sans repas', startTime: '13:30', endTime: '17:30', priceCents: 700, sort: 4, excludes: [journee.id, avec.id] })
  const clGroup = await saveGroup(core, a, { activityId: clAct.id, name: 'Maternelle 3-5 ans', ageMin: 3, ageMax: 5, levels: [], places: null })
  for (const u of [journee, clMatin, avec, sans]) await saveCapacity(core, a, { groupId: clGroup.id, unitId: u.id, places: opts.clPlaces ?? 24, day: null })
  return {
    alae: { activityId: alae.id, periodId: alaePeriod.id, unitId: matin.id, maternelle: mat.id, elementaire: elem.id },
    cl: {
      activityId: clAct.id,
      periodId: clPeriod.id,
      closedPeriodId: closedPeriod.id,
      futurePeriodId: futurePeriod.id,
      groupId: clGroup.id,
      journee: journee.id,
      matin: clMatin.id,
      avecRepas: avec.id,
      sansRepas: sans.id
    }
  }
}

/** Adds a child to a family (test setup). */
export async function addChild(core: Core, familyId: number, firstName: string, birthDate: string, grade = ''): Promise<number> {
  return core.tx.run(async (m) => {
    const c = await m.save(Child, Object.assign(new Child(), { familyId, lastName: 'Test', firstName, birthDate, sex: '', school: '', grade, createdAt: core.clock.now().toISOString() }))
    return c.id
  })
}
