/**
 * What an invoice line says and costs: each line rounded half up to the cent
 * once (17 × 4,15 € = 70,55 €), hourly lines billed at their price per hour
 * (7 quarter hours at 1,90 €/h = 3,33 €, not 7 × 0,48 €) and shown with their
 * unit (« 16 × 6 quarts d'heure ») on the invoice PDF.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Invoice, InvoiceLine } from '../../src-main/billing/entities'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { renderInvoice } from '../../src-main/billing/documents/render'
import { Child } from '../../src-main/families/entities'
import { openTestCore, seedFamily, type SeededFamily, type TestCore } from '../helpers/core'
import { book, seedMiniRegie } from '../helpers/billing'
import { pdfText } from '../helpers/billing-tools'

let core: TestCore
let fam: SeededFamily
let invoiceId: number
beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-10-02T08:00:00Z') })
  const mini = await seedMiniRegie(core)
  const matin = await mini.unitWithTariff('Matin', '07:30', '08:20', { priceCents: 415 })
  const soir = await mini.unitWithTariff('Soir', '16:00', '17:30', { priceCents: 190, mode: 'hourly', stepMinutes: 15 })
  fam = await seedFamily(core, { lastName: 'Durand' })
  const child = await core.tx.read(async (m) => (await m.findOneByOrFail(Child, { familyId: fam.familyId })).id)
  const days = Array.from({ length: 30 }, (_, i) => `2026-09-${String(i + 1).padStart(2, '0')}`).filter((d) => ![0, 6].includes(new Date(`${d}T12:00:00Z`).getUTCDay()))
  for (const d of days.slice(0, 17)) book(core, child, matin, d, 'R')
  // 16 evenings on the schedule (1 h 30 = 6 quarter hours), one pointed 16:00–17:40 (7 started quarter hours).
  for (const d of days.slice(0, 16)) book(core, child, soir, d, 'R')
  book(core, child, soir, days[16], 'PRESENT', { arrived: '16:00', left: '17:40' })
  await issueRun(core, mini.comptable.actor, { regieId: mini.regieId, month: '2026-09' })
  invoiceId = (await core.tx.read((m) => m.findOneByOrFail(Invoice, { familyId: fam.familyId }))).id
})
afterAll(() => core.cleanup())

describe('invoice lines', () => {
  test('each line is rounded once, half up; the invoice total is the sum of its lines', async () => {
    const lines = await core.tx.read((m) => m.findBy(InvoiceLine, { invoiceId }))
    const evenings = lines.filter((l) => l.kind === 'hourly')
    expect(evenings.filter((l) => l.quantityLabel === "6 quarts d'heure").map((l) => [l.unitPriceCents, l.amountCents])).toEqual(Array(16).fill([190, 285]))
    expect(evenings.filter((l) => l.quantityLabel === "7 quarts d'heure").map((l) => [l.quantity, l.unitPriceCents, l.amountCents])).toEqual([[7, 190, 333]])
    const inv = await core.tx.read((m) => m.findOneByOrFail(Invoice, { id: invoiceId }))
    expect(inv.totalCents).toBe(17 * 415 + 16 * 285 + 333)
    expect(inv.totalCents).toBe(lines.reduce((s, l) => s + l.amountCents, 0))
  })

  test('the PDF shows 17 × 4,15 € = 70,55 € and the hourly lines with their unit and price per hour', async () => {
    const text = pdfText((await renderInvoice(core, invoiceId)).data)
    expect(text).toMatch(/ALAE – Matin\s.*\s17\s+4,15 €\s+70,55 €/)
    expect(text).toMatch(/ALAE – Soir\s.*16 × 6 quarts d'heure\s+1,90 €\/h\s+45,60 €/)
    expect(text).toMatch(/ALAE – Soir\s.*7 quarts d'heure\s+1,90 €\/h\s+3,33 €/)
    expect(text).not.toMatch(/\b96\b|0,48 €/)
    expect(text).toMatch(/Total de la facture\s+119,48 €/)
  })
})
