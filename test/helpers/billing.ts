/**
 * A small billing world for #6's tests: one régie "AL", four activities,
 * tariffs of every mode, and families whose September 2026 totals are worked
 * out by hand in the comments (so a test failing says which rule broke).
 * Activities go through #4's domain functions; bookings are inserted as rows,
 * per the schema agreement (the state machine is #5's business).
 */
import type { Core } from '../../src-main/core/app-core'
import { SYSTEM } from '../../src-main/core/actor'
import { saveActivity, saveActivityType, saveFacility, saveUnit } from '../../src-main/activities/config'
import { saveRegie } from '../../src-main/billing/regies'
import { saveBillingSettings, DEFAULT_BILLING_SETTINGS } from '../../src-main/billing/settings'
import { saveTariff } from '../../src-main/billing/tariffs/tariffs'
import { createAdjustment } from '../../src-main/billing/invoicing/adjustments'
import { saveMandate } from '../../src-main/billing/sepa/mandates'
import { Family } from '../../src-main/families/entities'
import { FamilyCaf } from '../../src-main/families/file-entities'
import { regieInput, tariffInput, type RegieInput } from '@shared/contract/billing-shapes'
import { setStructure, addChild } from './activities'
import { seedFamily, seedStaff, type SeededFamily, type SeededStaff } from './core'
import { Child } from '../../src-main/families/entities'
import { linkSecondHousehold } from '../../src-main/families/households'

export interface BillingWorld {
  regieId: number
  comptable: SeededStaff
  units: { matin: number; soir: number; repas: number; mercMatin: number; mercAprem: number; atelier: number }
  activities: { alae: number; repas: number; mercredis: number; atelier: number }
  f1: SeededFamily & { childA: number; childB: number }
  f2: SeededFamily & { child: number }
  f3: SeededFamily & { child: number }
  f4: SeededFamily
  /** Expected September totals (cents). */
  expected: { f1: number; f2: number; f3: number }
}

export function book(core: Core, childId: number, unitId: number, day: string, state: string, opts: { source?: string; arrived?: string; left?: string } = {}): number {
  const now = core.clock.now().toISOString()
  const r = core.db
    .prepare(`INSERT INTO booking (child_id, unit_id, day, state, source, price_cents, arrived_at, left_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`)
    .run(childId, unitId, day, state, opts.source ?? 'family', opts.arrived ?? null, opts.left ?? null, now, now)
  return Number(r.lastInsertRowid)
}

/** The régie "AL" of the billing tests (numbers AL-1, AL-AV1, AL-R1), with `over` changes. */
export function testRegie(over: Partial<RegieInput> = {}): RegieInput {
  return {
    id: null,
    name: 'Régie périscolaire et loisirs',
    code: 'AL',
    invoiceFormat: '{CODE}-{N}',
    creditFormat: '{CODE}-AV{N}',
    paymentFormat: '{CODE}-R{N}',
    isDefault: true,
    dueDays: 20,
    paymentMethods: 'Chèque à l’ordre du Trésor public, espèces, CESU à l’accueil.',
    creditorName: 'Régie périscolaire de Testville',
    ics: 'FR72ZZZ123456',
    creditorIban: 'FR7630006000011234567890189',
    creditorBic: '',
    active: true,
    activityIds: [],
    ...over
  }
}

const bracket = (qfMin: number, qfMax: number | null, priceCents: number, halfDayPriceCents: number | null = null) => ({ qfMin, qfMax, priceCents, halfDayPriceCents })

export async function seedBillingWorld(core: Core): Promise<BillingWorld> {
  await setStructure(core)
  const a = SYSTEM
  const comptable = await seedStaff(core, 'comptable')
  const staffActor = comptable.actor

  const peri = await saveFacility(core, a, { name: 'Accueil périscolaire', active: true, sort: 1 })
  const periType = await saveActivityType(core, a, { facilityId: peri.id, name: 'Périscolaire', kind: 'periscolaire' })
  const restoType = await saveActivityType(core, a, { facilityId: peri.id, name: 'Restauration', kind: 'restauration' })
  const clType = await saveActivityType(core, a, { facilityId: peri.id, name: 'Mercredis', kind: 'mercredi' })
  const act = (activityTypeId: number, name: string, openingRule: 'school-days' | 'wednesdays') =>
    saveActivity(core, a, { activityTypeId, name, openingRule, validation: 'auto', autoBook: false, typicalWeek: false, active: true, description: '' })
  const alae = await act(periType.id, 'ALAE', 'school-days')
  const repas = await act(restoType.id, 'Restauration scolaire', 'school-days')
  const mercredis = await act(clType.id, 'Mercredis', 'wednesdays')
  const atelier = await act(periType.id, 'Ateliers du soir', 'school-days')
  const unit = (activityId: number, name: string, startTime: string, endTime: string, sort: number) =>
    saveUnit(core, a, { activityId, name, startTime, endTime, priceCents: 0, sort, excludes: [] })
  const matin = await unit(alae.id, 'Matin', '07:30', '08:20', 1)
  const soir = await unit(alae.id, 'Soir', '16:00', '18:30', 2)
  const repasU = await unit(repas.id, 'Repas', '11:30', '13:30', 1)
  const mercMatin = await unit(mercredis.id, 'Matin', '08:30', '12:00', 1)
  const mercAprem = await unit(mercredis.id, 'Après-midi', '13:30', '17:30', 2)
  const atelierU = await unit(atelier.id, 'Atelier théâtre', '16:30', '18:00', 1)

  const regieId = await saveRegie(core, a, testRegie())
  await saveBillingSettings(core, a, { ...DEFAULT_BILLING_SETTINGS, onlineEnabled: true, provider: 'systempay', simulated: true, testKey: 'cle-de-test-simulateur', residentPostalCodes: ['31000'] })

  const t = (input: Record<string, unknown>) => saveTariff(core, a, tariffInput.parse({ validFrom: '2026-09-01', ...input }))
  await t({
    name: 'ALAE matin 2026-2027',
    unitId: matin.id,
    mode: 'unit',
    walkinSurchargeCents: 100,
    sibling2: { kind: 'pct', value: 10 },
    sibling3: { kind: 'pct', value: 20 },
    outsideCommune: { kind: 'pct', value: 25 },
    brackets: [bracket(0, 700, 80), bracket(701, 1200, 120), bracket(1201, null, 160)]
  })
  await t({ name: 'ALAE soir (au quart d’heure)', unitId: soir.id, mode: 'hourly', stepMinutes: 15, brackets: [bracket(0, 700, 180), bracket(701, null, 240)] })
  await t({ name: 'Repas', activityId: repas.id, mode: 'unit', outsideCommune: { kind: 'amount', value: 100 }, brackets: [bracket(0, null, 350)] })
  await t({ name: 'Mercredis journée / demi-journée', activityId: mercredis.id, mode: 'day', dayThresholdMinutes: 300, brackets: [bracket(0, 700, 900, 500), bracket(701, null, 1500, 900)] })
  // No tariff for the Atelier: its bookings are the "child without tariff" anomaly.

  const f1base = await seedFamily(core, { lastName: 'Dupont', firstName: 'Claire' })
  const childA = await core.tx.read(async (m) => (await m.findOneByOrFail(Child, { familyId: f1base.familyId })).id)
  const childB = await addChild(core, f1base.familyId, 'Zoé', '2021-03-10', 'GS')
  const f2base = await seedFamily(core, { lastName: 'Martin', firstName: 'Hélène' })
  const f2child = await core.tx.read(async (m) => (await m.findOneByOrFail(Child, { familyId: f2base.familyId })).id)
  const f3base = await seedFamily(core, { lastName: 'Bernard', firstName: 'Paul' })
  const f3child = await core.tx.read(async (m) => (await m.findOneByOrFail(Child, { familyId: f3base.familyId })).id)
  const f4 = await seedFamily(core, { lastName: 'Petit', firstName: 'Anne' })

  await core.tx.run(async (m) => {
    const now = core.clock.now().toISOString()
    await m.save(FamilyCaf, Object.assign(new FamilyCaf(), { familyId: f1base.familyId, allocataireName: '', regime: 'general', allocataireNumber: '123', quotient: 800, quotientValidUntil: '2026-12-31', quotientProofDocumentId: null, updatedAt: now }))
    await m.save(FamilyCaf, Object.assign(new FamilyCaf(), { familyId: f3base.familyId, allocataireName: '', regime: 'general', allocataireNumber: '456', quotient: 500, quotientValidUntil: null, quotientProofDocumentId: null, updatedAt: now }))
    // An expired QF is no QF.
    await m.save(FamilyCaf, Object.assign(new FamilyCaf(), { familyId: f2base.familyId, allocataireName: '', regime: 'general', allocataireNumber: '789', quotient: 300, quotientValidUntil: '2026-06-30', quotientProofDocumentId: null, updatedAt: now }))
    await m.update(Family, { id: f2base.familyId }, { postalCode: '75011', city: 'Paris' })
  })
  await saveMandate(core, staffActor, { id: null, familyId: f3base.familyId, rum: '', holder: 'Paul Bernard', iban: 'FR1420041010050500013M02606', bic: '', signedOn: '2026-08-20', sequenceType: 'FRST' })

  // F1 — child A (eldest, rank 1, QF 800 → 701-1200 bracket):
  book(core, childA, matin.id, '2026-09-01', 'R') // 120
  book(core, childA, matin.id, '2026-09-03', 'R') // 120
  book(core, childA, matin.id, '2026-09-04', 'R') // 120
  book(core, childA, matin.id, '2026-09-07', 'A_FACT') // 120 (absence billed at 100 %)
  book(core, childA, matin.id, '2026-09-08', 'A_EXC') // 0
  book(core, childA, soir.id, '2026-09-01', 'PRESENT', { arrived: '16:00', left: '17:10' }) // 70 min → 5 quarters × 0,60 = 300
  book(core, childA, soir.id, '2026-09-03', 'R') // schedule 150 min → 10 × 0,60 = 600
  book(core, childA, repasU.id, '2026-09-01', 'R') // 350
  book(core, childA, repasU.id, '2026-09-03', 'R') // 350
  book(core, childA, matin.id, '2026-09-10', 'CANCELLED') // 0
  book(core, childA, matin.id, '2026-09-11', 'DR') // 0
  // F1 — child B (rank 2: -10 % on the morning):
  book(core, childB, matin.id, '2026-09-01', 'R') // 108
  book(core, childB, matin.id, '2026-09-03', 'R') // 108
  book(core, childB, mercMatin.id, '2026-09-02', 'PRESENT') // with the afternoon: 450 min ≥ 300 → day 15,00
  book(core, childB, mercAprem.id, '2026-09-02', 'PRESENT')
  book(core, childB, mercMatin.id, '2026-09-09', 'R') // 210 min → half-day 9,00
  // F2 — out of commune (+25 % morning, +1 € meal), QF expired → highest bracket:
  book(core, f2child, matin.id, '2026-09-01', 'R') // 160 + 25 % = 200
  book(core, f2child, matin.id, '2026-09-03', 'R') // 200
  book(core, f2child, matin.id, '2026-09-04', 'PRESENT', { source: 'walk-in' }) // 200 + walk-in 100
  book(core, f2child, repasU.id, '2026-09-01', 'R') // 350 + 100 = 450
  book(core, f2child, atelierU.id, '2026-09-01', 'R') // no tariff → anomaly, not billed
  await createAdjustment(core, staffActor, { regieId, familyId: f2base.familyId, childId: null, month: '2026-09', label: 'Frais de dossier', amountCents: 1500 })
  // F3 — QF 500 → lowest bracket; direct debit:
  book(core, f3child, matin.id, '2026-09-01', 'R') // 80
  book(core, f3child, matin.id, '2026-09-03', 'R') // 80
  book(core, f3child, matin.id, '2026-09-04', 'R') // 80
  book(core, f3child, soir.id, '2026-09-01', 'R') // 10 quarters × 0,45 = 450
  // F4 — only a negative adjustment → negative total, not issued.
  await createAdjustment(core, staffActor, { regieId, familyId: f4.familyId, childId: null, month: '2026-09', label: 'Remboursement trop-perçu', amountCents: -500 })

  return {
    regieId,
    comptable,
    units: { matin: matin.id, soir: soir.id, repas: repasU.id, mercMatin: mercMatin.id, mercAprem: mercAprem.id, atelier: atelierU.id },
    activities: { alae: alae.id, repas: repas.id, mercredis: mercredis.id, atelier: atelier.id },
    f1: { ...f1base, childA, childB },
    f2: { ...f2base, child: f2child },
    f3: { ...f3base, child: f3child },
    f4,
    expected: {
      f1: 120 * 4 + 300 + 600 + 350 * 2 + 108 * 2 + 1500 + 900,
      f2: 200 * 2 + 300 + 450 + 1500,
      f3: 80 * 3 + 450
    }
  }
}

export interface MiniRegie {
  regieId: number
  activityId: number
  comptable: SeededStaff
  /** A unit of the activity with its own tariff (unit price, or price per hour with `stepMinutes`). */
  unitWithTariff(name: string, start: string, end: string, tariff: { priceCents: number; mode?: 'unit' | 'hourly'; stepMinutes?: number }): Promise<number>
}

/** A bare régie "AL" and one périscolaire activity: each test adds the units and tariffs it needs. */
export async function seedMiniRegie(core: Core): Promise<MiniRegie> {
  await setStructure(core)
  const comptable = await seedStaff(core, 'comptable')
  const facility = await saveFacility(core, SYSTEM, { name: 'Accueil', active: true, sort: 1 })
  const type = await saveActivityType(core, SYSTEM, { facilityId: facility.id, name: 'Périscolaire', kind: 'periscolaire' })
  const act = await saveActivity(core, SYSTEM, { activityTypeId: type.id, name: 'ALAE', openingRule: 'school-days', validation: 'auto', autoBook: false, typicalWeek: false, active: true, description: '' })
  // Every other field of the régie at its contract default.
  const regieId = await saveRegie(core, SYSTEM, regieInput.parse({ name: 'Régie', code: 'AL', isDefault: true }))
  let sort = 0
  return {
    regieId,
    activityId: act.id,
    comptable,
    async unitWithTariff(name, start, end, t) {
      const unitId = (await saveUnit(core, SYSTEM, { activityId: act.id, name, startTime: start, endTime: end, priceCents: 0, sort: ++sort, excludes: [] })).id
      await saveTariff(core, SYSTEM, tariffInput.parse({ name, unitId, mode: t.mode ?? 'unit', stepMinutes: t.stepMinutes ?? 15, validFrom: '2025-01-01', brackets: [{ qfMin: 0, qfMax: null, priceCents: t.priceCents }] }))
      return unitId
    }
  }
}

/**
 * The billing world with Zoé (Dupont's younger child, QF 800) shared with the Bernard household (QF 500) as her
 * second household (issue 16), linked by the direction.
 */
export async function seedSharedChildWorld(core: Core): Promise<{ w: BillingWorld; director: SeededStaff; zoe: number }> {
  const w = await seedBillingWorld(core)
  const director = await seedStaff(core, 'direction')
  await linkSecondHousehold(core, director.actor, w.f1.childB, w.f3.familyId)
  return { w, director, zoe: w.f1.childB }
}
