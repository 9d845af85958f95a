/**
 * A family called Noël is « NOËL » on every document and export: invoice,
 * receipt, statement, deposit slip, payment journal, aged balance, mandate
 * list. SQLite's UPPER() (ASCII only) used to print « NOëL » on some of them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import * as XLSX from 'xlsx'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Invoice } from '../../src-main/billing/entities'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { createDeposit, listPayments, recordPayment } from '../../src-main/billing/payments/payments'
import { renderDeposit, renderInvoice, renderReceipt, renderStatement } from '../../src-main/billing/documents/render'
import { buildExport } from '../../src-main/billing/exports/reports'
import { mandateDtos } from '../../src-main/billing/sepa/mandates'
import { familyStatement } from '../../src-main/billing/statement'
import { openTestCore, type TestCore } from '../helpers/core'
import { seedBillingWorld, type BillingWorld } from '../helpers/billing'
import { pdfText } from '../helpers/billing-tools'

let core: TestCore
let w: BillingWorld
let paymentId: number
let depositId: number
beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-10-02T08:00:00Z') })
  w = await seedBillingWorld(core)
  core.db.prepare(`UPDATE person SET last_name = 'Noël' WHERE family_id = ?`).run(w.f1.familyId)
  core.db.prepare(`UPDATE person SET last_name = 'Lefèvre-Çelik' WHERE family_id = ?`).run(w.f3.familyId)
  await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-09' })
  const p = await recordPayment(core, w.comptable.actor, { familyId: w.f1.familyId, regieId: w.regieId, mode: 'cheque', amountCents: 1000, receivedOn: '2026-10-02', chequeNumber: '7654321', bank: '', payer: '', reference: '', allocations: [] })
  paymentId = p.paymentId
  depositId = (await createDeposit(core, w.comptable.actor, { regieId: w.regieId, mode: 'cheque', paymentIds: [p.paymentId], depositedOn: '2026-10-02', bankAccount: '' })).depositId
})
afterAll(() => core.cleanup())

const cells = (buf: Buffer, sheet: string): string[] => {
  const ws = XLSX.read(buf, { type: 'buffer' }).Sheets[sheet]
  return XLSX.utils.sheet_to_json<string[]>(ws, { header: 1 }).flat().map(String)
}

describe('names in upper case, French style, everywhere', () => {
  test('PDFs: invoice, receipt, statement, deposit slip', async () => {
    const invoice = await core.tx.read((m) => m.findOneByOrFail(Invoice, { familyId: w.f1.familyId }))
    for (const pdf of [renderInvoice(core, invoice.id), renderReceipt(core, paymentId), renderStatement(core, w.f1.familyId, '2026-2027'), renderDeposit(core, depositId)]) {
      const text = pdfText((await pdf).data)
      expect(text).toContain('NOËL Claire')
      expect(text).not.toMatch(/NOëL|Noël Claire/)
    }
  })

  test('screens and exports: payments, statement, payment journal, aged balance, mandates', async () => {
    await core.tx.read(async (m) => {
      expect(listPayments(m, { familyId: w.f1.familyId, limit: 10, offset: 0, today: '2026-10-02' }).items[0].familyName).toBe('NOËL Claire')
      expect(familyStatement(m, w.f1.familyId, '2026-2027', '2026-10-02').familyName).toBe('NOËL Claire')
      expect(mandateDtos(m, { familyId: w.f3.familyId })[0].familyName).toBe('LEFÈVRE-ÇELIK Paul')
    })
    const journal = await buildExport(core, { kind: 'payment-journal', from: '2026-10-01', to: '2026-10-31' })
    expect(cells(journal.data, 'Règlements')).toContain('NOËL Claire')
    const aged = await buildExport(core, { kind: 'aged-balance', from: '2026-10-01', to: '2026-10-31' })
    expect(cells(aged.data, 'Balance âgée')).toEqual(expect.arrayContaining(['NOËL Claire', 'LEFÈVRE-ÇELIK Paul']))
  })

  test('no SQL in the code upper-cases with SQLite’s UPPER()', () => {
    const offenders: string[] = []
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e)
        if (statSync(p).isDirectory()) walk(p)
        else if (/\.(ts|vue)$/.test(e) && /\bUPPER\s*\(\s*(COALESCE|[a-z_]+\.)/i.test(readFileSync(p, 'utf8'))) offenders.push(p)
      }
    }
    for (const d of ['src-main', 'src-shared', 'src-renderer']) walk(join(__dirname, '..', '..', d))
    expect(offenders).toEqual([])
  })
})
