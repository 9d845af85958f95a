/**
 * The attestation fiscale counts childcare only: restauration is left out,
 * and so is the meal inside a « Journée complète » or an « Après-midi avec
 * repas » (the tariff's « dont repas »). Children under 6 on 1 January of
 * the year only; per child what was paid in the year; signed with the name
 * and role set in Paramètres.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { tariffInput } from '@shared/contract/billing-shapes'
import { SYSTEM } from '../../src-main/core/actor'
import { saveActivity, saveActivityType, saveFacility, saveUnit } from '../../src-main/activities/config'
import { attestationAmounts, createAttestation } from '../../src-main/billing/attestation'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { recordPayment } from '../../src-main/billing/payments/payments'
import { saveTariff } from '../../src-main/billing/tariffs/tariffs'
import { InvoiceLine } from '../../src-main/billing/entities'
import { readStoredFile } from '../../src-main/documents/storage'
import { FamilyDocument, StoredFile } from '../../src-main/documents/entities'
import { Child } from '../../src-main/families/entities'
import { openTestCore, seedFamily, type SeededFamily, type TestCore } from '../helpers/core'
import { addChild } from '../helpers/activities'
import { book, seedMiniRegie, type MiniRegie } from '../helpers/billing'
import { pdfText } from '../helpers/billing-tools'

let core: TestCore
let mini: MiniRegie
let fam: SeededFamily
let zoe: number
const units: Record<string, number> = {}
beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-10-01T08:00:00Z') })
  mini = await seedMiniRegie(core)
  const facility = await saveFacility(core, SYSTEM, { name: 'Centre de loisirs', active: true, sort: 2 })
  const wed = await saveActivityType(core, SYSTEM, { facilityId: facility.id, name: 'Mercredis', kind: 'mercredi' })
  const resto = await saveActivityType(core, SYSTEM, { facilityId: facility.id, name: 'Restauration scolaire', kind: 'restauration' })
  const act = (typeId: number, name: string, rule: 'wednesdays' | 'school-days') =>
    saveActivity(core, SYSTEM, { activityTypeId: typeId, name, openingRule: rule, validation: 'auto', autoBook: false, typicalWeek: false, active: true, description: '' })
  const cl = await act(wed.id, 'CL Mercredis', 'wednesdays')
  const cantine = await act(resto.id, 'Cantine', 'school-days')
  let sort = 0
  const unit = async (activityId: number, name: string, start: string, end: string) =>
    (units[name] = (await saveUnit(core, SYSTEM, { activityId, name, startTime: start, endTime: end, priceCents: 0, sort: ++sort, excludes: [] })).id)
  await unit(cl.id, 'Journée complète', '08:30', '17:30')
  await unit(cl.id, 'Matin', '08:30', '12:00')
  await unit(cl.id, 'Après-midi avec repas', '11:30', '17:30')
  await unit(cantine.id, 'Repas', '11:30', '13:30')
  await saveTariff(
    core,
    SYSTEM,
    tariffInput.parse({
      name: 'Mercredis',
      activityId: cl.id,
      mode: 'day',
      dayThresholdMinutes: 420,
      validFrom: '2026-01-01',
      brackets: [{ qfMin: 0, qfMax: null, priceCents: 1450, halfDayPriceCents: 850 }],
      meals: [
        { unitId: units['Journée complète'], mealCents: 320 },
        { unitId: units['Après-midi avec repas'], mealCents: 320 }
      ]
    })
  )
  await saveTariff(core, SYSTEM, tariffInput.parse({ name: 'Repas', activityId: cantine.id, mode: 'unit', validFrom: '2026-01-01', brackets: [{ qfMin: 0, qfMax: null, priceCents: 400 }] }))

  fam = await seedFamily(core, { lastName: 'Noël' })
  const leo = await core.tx.read(async (m) => (await m.findOneByOrFail(Child, { familyId: fam.familyId })).id) // born 2018
  zoe = await addChild(core, fam.familyId, 'Zoé', '2021-03-10', 'MS') // 4 on 1 January 2026
  const jules = await addChild(core, fam.familyId, 'Jules', '2020-01-01', 'GS') // 6 on 1 January 2026: not counted
  core.db.prepare(`UPDATE child SET last_name = 'Noël' WHERE family_id = ?`).run(fam.familyId)
  book(core, zoe, units['Journée complète'], '2026-09-02', 'PRESENT') // 14,50 dont repas 3,20
  book(core, zoe, units['Matin'], '2026-09-09', 'PRESENT') // half day 8,50, no meal
  book(core, zoe, units['Après-midi avec repas'], '2026-09-16', 'PRESENT') // half day 8,50 dont repas 3,20
  book(core, zoe, units['Repas'], '2026-09-01', 'R') // 4,00: restauration, all meal
  book(core, leo, units['Journée complète'], '2026-09-02', 'PRESENT') // 14,50: Léo is 8
  book(core, jules, units['Matin'], '2026-09-02', 'PRESENT') // 8,50: Jules is 6
  await issueRun(core, mini.comptable.actor, { regieId: mini.regieId, month: '2026-09' })
  core.clock.set(new Date('2026-10-05T08:00:00Z'))
  await recordPayment(core, mini.comptable.actor, { familyId: fam.familyId, regieId: mini.regieId, mode: 'cheque', amountCents: 1450 + 850 + 850 + 400 + 1450 + 850, receivedOn: '2026-10-05', chequeNumber: '1234567', bank: '', payer: '', reference: '', allocations: [] })
  core.clock.set(new Date('2027-01-15T08:00:00Z'))
})
afterAll(() => core.cleanup())

describe('attestation fiscale', () => {
  test('a tariff declares meal shares only for the units it prices, never above its price', async () => {
    const base = { name: 'Autre', activityId: null, unitId: units['Matin'], mode: 'unit', validFrom: '2030-01-01', brackets: [{ qfMin: 0, qfMax: null, priceCents: 500 }] }
    await expect(saveTariff(core, SYSTEM, tariffInput.parse({ ...base, meals: [{ unitId: units['Repas'], mealCents: 100 }] }))).rejects.toThrow(/Part repas : choisissez une unité/)
    await expect(saveTariff(core, SYSTEM, tariffInput.parse({ ...base, meals: [{ unitId: units['Matin'], mealCents: 600 }] }))).rejects.toThrow(/ne peut pas dépasser le prix/)
  })

  test('invoice lines keep the meal share of their tariff, frozen at issue', async () => {
    const lines = await core.tx.read((m) => m.findBy(InvoiceLine, { childId: zoe }))
    expect(lines.map((l) => [l.day, l.kind, l.amountCents, l.mealCents]).sort()).toEqual([
      ['2026-09-01', 'unit', 400, 0],
      ['2026-09-02', 'day', 1450, 320],
      ['2026-09-09', 'half-day', 850, 0],
      ['2026-09-16', 'half-day', 850, 320]
    ])
    expect(() => core.db.prepare('UPDATE invoice_line SET meal_cents = 0 WHERE child_id = ?').run(zoe)).toThrow(/immutable/)
  })

  test('counts childcare paid in the year for children under 6 on 1 January, meals left out', async () => {
    const children = await core.tx.read(async (m) => attestationAmounts(m, fam.familyId, 2026))
    // Zoé: (14,50 − 3,20) + 8,50 + (8,50 − 3,20) = 25,10 €; her meals: 3,20 + 3,20 + the 4,00 € cantine.
    expect(children).toEqual([{ name: 'Zoé NOËL', birthDate: '2021-03-10', amountCents: 2510, mealCents: 1040 }])
    expect(await core.tx.read(async (m) => attestationAmounts(m, fam.familyId, 2027))).toEqual([])
  })

  test('the PDF shows each child’s amount, the meals left out and the signatory from Paramètres', async () => {
    const r = await createAttestation(core, mini.comptable.actor, fam.familyId, 2026)
    expect(r.totalCents).toBe(2510)
    const pdf = await core.tx.read(async (m) => {
      const doc = await m.findOneByOrFail(FamilyDocument, { id: r.documentId })
      return readStoredFile(core, await m.findOneByOrFail(StoredFile, { id: doc.fileId }))
    })
    const text = pdfText(pdf)
    expect(text).toMatch(/Zoé NOËL\s+10\/03\/2021\s+10,40 €\s+25,10 €/)
    expect(text).toMatch(/Total des frais de garde\s+25,10 €/)
    expect(text).not.toMatch(/Jules|Léo/)
    expect(text).toContain('Pour la structure, Marie Durand, Directrice')
  })
})
