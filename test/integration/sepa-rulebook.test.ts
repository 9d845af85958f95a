/**
 * SEPA direct debit by the rulebook (#13 §1), on a real database and through
 * xmllint: five families on direct debit billed three months running, then
 * the files a commune's accountant would make. Steps share one database and
 * run in order:
 * - one transaction per mandate per file (the defect: 18 debits, all FRST,
 *   3 per mandate), the sequence types across successive files;
 * - collection dates against due dates, the pre-notification period and
 *   TARGET2, every invoice left out explained in French;
 * - debits « en cours » until the collection date in balances, statements,
 *   journals, the aged balance and the portal;
 * - rejects from the bank's pain.002 and by hand, the fee, the mandate put back;
 * - amendments (RUM, account, bank, creditor) and FNAL;
 * - a failed export changes nothing.
 */
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import * as XLSX from 'xlsx'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { frenchIban, icsCheckDigits } from '../../src-shared/check-digits'
import { saveRegie } from '../../src-main/billing/regies'
import { createAdjustment } from '../../src-main/billing/invoicing/adjustments'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { familyBalance, invoiceDetail, markInvoicesNotified } from '../../src-main/billing/invoices'
import { familyStatement } from '../../src-main/billing/statement'
import { buildExport } from '../../src-main/billing/exports/reports'
import { BillingAdjustment, Invoice, Payment, SepaCollection, SepaExport, SepaMandate } from '../../src-main/billing/entities'
import { endMandate, revokeMandate, saveMandate } from '../../src-main/billing/sepa/mandates'
import { exportDirectDebits, previewDirectDebits, sepaExportXml } from '../../src-main/billing/sepa/export'
import { checkPain008Xml } from '../../src-main/billing/sepa/pain008'
import { importStatusReport, rejectDebit } from '../../src-main/billing/sepa/rejects'
import { DEFAULT_SEPA_SETTINGS, saveSepaSettings } from '../../src-main/billing/sepa/settings'
import { backfillCollections } from '../../src-main/db/migrations/0010-sepa-rulebook'
import { collectionDtos } from '../../src-main/billing/sepa/collections'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { setStructure } from '../helpers/activities'
import { auditRows, openTestCore, seedFamily, seedStaff, type SeededFamily, type SeededStaff, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { BILLING_FIXTURES, pdfText, xmllint } from '../helpers/billing-tools'
import { renderStatement } from '../../src-main/billing/documents/render'

let core: TestCore
let comptable: SeededStaff
let regieId: number
let portal: FastifyInstance
const fam: Record<'A' | 'B' | 'C' | 'D' | 'E', SeededFamily> = {} as never
const mandate: Record<string, number> = {}
const today = () => core.clock.now().toISOString().slice(0, 10)
const at = (day: string) => core.clock.set(new Date(`${day}T08:00:00Z`))
const plan = (collectionDate: string | null, represent = false) => previewDirectDebits(core, { regieId, runId: null, collectionDate, represent })
const exportOn = (collectionDate: string) => exportDirectDebits(core, comptable.actor, { regieId, runId: null, collectionDate, represent: false })
const numbersOf = (familyId: number) => (core.db.prepare('SELECT number FROM invoice WHERE family_id = ? ORDER BY seq').all(familyId) as { number: string }[]).map((r) => r.number)
const txsOf = (xml: string) => [...xml.matchAll(/<PmtInf>([\s\S]*?)<\/PmtInf>/g)].flatMap((p) => {
  const seq = /<SeqTp>(\w+)</.exec(p[1])![1]
  return [...p[1].matchAll(/<DrctDbtTxInf>([\s\S]*?)<\/DrctDbtTxInf>/g)].map((t) => ({
    seq,
    rum: /<MndtId>([^<]+)</.exec(t[1])![1],
    e2e: /<EndToEndId>([^<]+)</.exec(t[1])![1],
    amount: /<InstdAmt Ccy="EUR">([^<]+)</.exec(t[1])![1],
    ustrd: /<Ustrd>([^<]+)</.exec(t[1])![1],
    xml: t[1]
  }))
})

/** A month billed to every family (one 30 € line each), issued and sent on `issueDate`. */
async function bill(month: string, issueDate: string, notified: (f: SeededFamily) => string | null = () => issueDate) {
  at(issueDate)
  for (const f of Object.values(fam)) await createAdjustment(core, comptable.actor, { regieId, familyId: f.familyId, childId: null, month, label: 'Accueil du mois', amountCents: 3000 })
  const r = await issueRun(core, comptable.actor, { regieId, month, issueDate })
  const invoices = await core.tx.read((m) => m.findBy(Invoice, { runId: r.runId }))
  for (const f of Object.values(fam)) {
    const day = notified(f)
    const inv = invoices.find((i) => i.familyId === f.familyId)!
    if (day) await core.tx.run((m) => markInvoicesNotified(m, [inv.id], day))
  }
}

beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-09-01T08:00:00Z') })
  await setStructure(core)
  comptable = await seedStaff(core, 'comptable')
  regieId = await saveRegie(core, SYSTEM, {
    id: null, name: 'Régie enfance', code: 'AL', invoiceFormat: '{CODE}-{N}', creditFormat: '{CODE}-AV{N}', paymentFormat: '{CODE}-R{N}',
    isDefault: true, dueDays: 20, paymentMethods: '', creditorName: 'Régie enfance de Testville', ics: 'FR72ZZZ123456',
    creditorIban: 'FR7630006000011234567890189', creditorBic: 'AGRIFRPPXXX', active: true, activityIds: []
  })
  for (const k of ['A', 'B', 'C', 'D', 'E'] as const) fam[k] = await seedFamily(core, { lastName: `Famille${k}` })
  const sign = async (k: keyof typeof fam, sequenceType: 'FRST' | 'RCUR' | 'OOFF', branch: string) => {
    mandate[k] = await saveMandate(core, comptable.actor, { id: null, familyId: fam[k].familyId, rum: '', holder: `Titulaire ${k}`, iban: frenchIban('30006', branch, `${fam[k].number}`), bic: '', signedOn: '2026-09-01', sequenceType })
  }
  await sign('A', 'FRST', '00001')
  await sign('B', 'RCUR', '00002') // collected before Ribambelle
  await sign('C', 'OOFF', '00003')
  await sign('D', 'FRST', '00004')
  await sign('E', 'FRST', '00005')
  await bill('2026-09', '2026-10-01')
  await bill('2026-10', '2026-11-02')
  // A's November invoice went out late; E's never did.
  await bill('2026-11', '2026-12-01', (f) => (f === fam.A ? '2026-12-10' : f === fam.E ? null : '2026-12-01'))
  at('2026-12-02')
  await revokeMandate(core, comptable.actor, mandate.D)
  at('2026-12-03')
  portal = await buildPortalApp(core)
}, 60_000)
afterAll(async () => {
  await portal.close()
  await core.cleanup()
})

describe('collection date', () => {
  test('the suggested date is the first TARGET2 day on which every sent invoice may be collected', async () => {
    expect(Object.values(fam).map((f) => f.number)).toEqual([1001, 1002, 1003, 1004, 1005])
    const p = await plan(null)
    // A's November invoice, sent on 10/12, may not be collected before 24/12 (14 days); its due date is 21/12.
    expect(p).toMatchObject({ suggestedDate: '2026-12-24', collectionDate: '2026-12-24', earliestDate: '2026-12-04', format: 'pain.008.001.08', preNotificationDays: 14 })
    expect(p.debits.map((d) => [d.familyNumber, d.sequenceType, d.amountCents, d.invoices.map((i) => i.number)])).toEqual([
      [1001, 'FRST', 9000, numbersOf(fam.A.familyId)],
      [1002, 'RCUR', 9000, numbersOf(fam.B.familyId)],
      [1003, 'OOFF', 9000, numbersOf(fam.C.familyId)],
      [1005, 'FRST', 6000, numbersOf(fam.E.familyId).slice(0, 2)]
    ])
    expect(p.leftOut.map((l) => [l.familyNumber, l.number, l.reason])).toEqual([
      ...numbersOf(fam.D.familyId).map((n) => [1004, n, expect.stringMatching(/^Aucun mandat SEPA actif pour la famille N° 1004/)]),
      [1005, numbersOf(fam.E.familyId)[2], expect.stringMatching(/^Facture pas encore envoyée à la famille : la pré-notification/)]
    ])
  })

  test('never before an included invoice’s due date: the November invoices stay out of a file collected on 08/12', async () => {
    const p = await plan('2026-12-08')
    expect(p.debits.map((d) => [d.familyNumber, d.invoices.length])).toEqual([[1001, 2], [1002, 2], [1003, 2], [1005, 2]])
    const nov = p.leftOut.filter((l) => l.dueDate === '2026-12-21' && l.possibleFrom)
    expect(nov.map((l) => [l.familyNumber, l.possibleFrom])).toEqual([[1001, '2026-12-24'], [1002, '2026-12-21'], [1003, '2026-12-21']])
    expect(nov[1].reason).toBe('Échéance le 21/12/2026 : la facture ne peut pas être prélevée avant (le 21/12/2026 au plus tôt).')
  })

  test('never less than the pre-notification period after the invoice was sent; shorter only when Paramètres say so', async () => {
    const p = await plan('2026-12-22')
    expect(p.leftOut.find((l) => l.familyNumber === 1001)?.reason).toBe(
      'Envoyée le 10/12/2026 : le délai de pré-notification de 14 jours court jusqu’au 24/12/2026 (prélèvement le 24/12/2026 au plus tôt).'
    )
    expect(p.debits.find((d) => d.familyNumber === 1001)?.invoices).toHaveLength(2)
    await saveSepaSettings(core, comptable.actor, { ...DEFAULT_SEPA_SETTINGS, preNotificationDays: 5 })
    expect((await plan('2026-12-22')).debits.find((d) => d.familyNumber === 1001)?.invoices).toHaveLength(3)
    expect((await plan(null)).suggestedDate).toBe('2026-12-21')
    await saveSepaSettings(core, comptable.actor, DEFAULT_SEPA_SETTINGS)
  })

  test('a TARGET2 business day, tomorrow at the earliest', async () => {
    await expect(plan('2026-12-25')).rejects.toThrow(/25\/12\/2026 n’est pas un jour ouvré TARGET2/)
    await expect(plan('2026-12-26')).rejects.toThrow(/TARGET2/)
    await expect(plan('2026-12-03')).rejects.toThrow(/le 04\/12\/2026 au plus tôt/)
  })
})

let firstXml = ''
describe('one transaction per mandate per file', () => {
  test('each mandate once, its due invoices summed and listed in the remittance; one batch per sequence type', async () => {
    const r = await exportOn('2026-12-24')
    expect(r).toMatchObject({ msgId: 'AL-PRLV-20261224-0001', nbTxs: 4, ctrlSumCents: 33000 })
    expect(r.leftOut).toHaveLength(4)
    firstXml = sepaExportXml(core, await core.tx.read((m) => m.findOneByOrFail(SepaExport, { id: r.exportId })))
    expect(xmllint(firstXml).output).toBe('')
    expect(checkPain008Xml(firstXml)).toEqual([])
    const txs = txsOf(firstXml)
    expect(txs.map((t) => [t.e2e, t.seq, t.amount])).toEqual([
      ['AL-0001-1001', 'FRST', '90.00'],
      ['AL-0001-1005', 'FRST', '60.00'],
      ['AL-0001-1002', 'RCUR', '90.00'],
      ['AL-0001-1003', 'OOFF', '90.00']
    ])
    expect(new Set(txs.map((t) => t.rum)).size).toBe(txs.length)
    expect(txs[0].ustrd).toBe(`Factures ${numbersOf(fam.A.familyId).join(' ')} Maison de l'Enfant de Test famille 1001`)
    expect([...firstXml.matchAll(/<PmtInfId>([^<]+)</g)].map((m) => m[1])).toEqual(['AL-PRLV-20261224-0001-FRST', 'AL-PRLV-20261224-0001-RCUR', 'AL-PRLV-20261224-0001-OOFF'])
  })

  test('the mandates move on only with the committed file: FRST → RCUR, the one-off is spent; nothing is presented twice', async () => {
    const states = await core.tx.read((m) => m.find(SepaMandate, { order: { id: 'ASC' } }))
    expect(states.map((s) => [s.id, s.sequenceType, s.status, s.lastCollectionOn])).toEqual([
      [mandate.A, 'RCUR', 'active', '2026-12-24'],
      [mandate.B, 'RCUR', 'active', '2026-12-24'],
      [mandate.C, 'OOFF', 'used', '2026-12-24'],
      [mandate.D, 'FRST', 'revoked', null],
      [mandate.E, 'RCUR', 'active', '2026-12-24']
    ])
    expect((await plan('2026-12-24')).debits).toEqual([])
    await expect(exportOn('2026-12-24')).rejects.toThrow(/Aucune facture à prélever à cette date/)
  })
})

describe('debits in flight', () => {
  test('« Prélèvement en cours » until the collection date: owed, no longer to pay, no receipt; the statement keeps it out of the balance', async () => {
    const a = fam.A.familyId
    const states = await core.tx.read(async (m) => Promise.all(numbersOf(a).map(async (n) => (await invoiceDetail(m, (await m.findOneByOrFail(Invoice, { number: n })).id, today())).state)))
    expect(states).toEqual(['debit-pending', 'debit-pending', 'debit-pending'])
    expect(await core.tx.read(async (m) => familyBalance(m, a, today()))).toMatchObject({ balanceCents: 9000, unpaidCents: 0, unpaidCount: 0, debitInFlightCents: 9000, nextDebitOn: '2026-12-24' })
    const st = await core.tx.read(async (m) => familyStatement(m, a, '2026-2027', today()))
    expect(st.rows.map((r) => r.kind)).toEqual(['invoice', 'invoice', 'invoice'])
    expect(st.pendingDebits).toEqual([expect.objectContaining({ date: '2026-12-24', amountCents: 9000, description: 'Prélèvement en cours, le 24/12/2026' })])
    expect(st.closingCents).toBe(9000)
    expect(pdfText((await renderStatement(core, a, '2026-2027')).data)).toMatch(/Prélèvement en cours, le 24\/12\/2026 : 90,00 € \(AL-R\d+\), déduit du solde à cette date\./)
    expect((await core.tx.read(async (m) => collectionDtos(m, today(), { inFlight: true, limit: 100 }))).map((c) => [c.endToEndId, c.state])).toEqual([
      ['AL-0001-1001', 'in-flight'],
      ['AL-0001-1002', 'in-flight'],
      ['AL-0001-1003', 'in-flight'],
      ['AL-0001-1005', 'in-flight']
    ])
  })

  test('the portal says it will be collected on 24/12 and offers nothing to pay', async () => {
    const c = await client(portal, 'portal')
    await c.loginPortal(fam.A.login, fam.A.password)
    const r = (await c.call('billing-invoices', {})).body
    expect(r).toMatchObject({ debitInFlightCents: 9000, nextDebitOn: '2026-12-24', unpaid: [] })
    expect(r.history.map((i: { stateLabel: string }) => i.stateLabel)).toEqual(Array(3).fill('Prélèvement en cours (le 24/12/2026)'))
    expect(r.payments).toMatchObject([{ modeLabel: 'Prélèvement en cours (le 24/12/2026)', inFlight: true, amountCents: 9000 }])
    const receipt = await portal.inject({ method: 'GET', url: `/api/portal/billing/receipt/${r.payments[0].id}`, headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ') } })
    expect(receipt.statusCode).toBe(409)
  })

  test('journals: the payment journal dates it on the collection day and marks it « en cours »; the aged balance before that day still counts it due', async () => {
    const read = async (kind: 'payment-journal' | 'aged-balance', to: string) => XLSX.read((await buildExport(core, { kind, from: '2026-12-01', to, regieId: null })).data, { type: 'buffer', cellDates: true })
    const journal = XLSX.utils.sheet_to_json<Record<string, unknown>>((await read('payment-journal', '2026-12-31')).Sheets['Règlements'], { range: 2 })
    expect(journal.slice(0, -1).map((r) => [r['Date'] instanceof Date ? 'date' : r['Date'], r['Montant'], r['État']])).toEqual(Array(4).fill(['date', expect.any(Number), 'Prélèvement en cours']))
    const byMode = XLSX.utils.sheet_to_json<Record<string, unknown>>((await read('payment-journal', '2026-12-31')).Sheets['Par mode'])
    expect(byMode.filter((r) => r['Mode'] === 'Prélèvement')).toEqual([])
    const aged = XLSX.utils.sheet_to_json<Record<string, unknown>>((await read('aged-balance', '2026-12-23')).Sheets['Balance âgée'], { range: 2 })
    const totals = aged.at(-1)!
    // Everything billed is still due on 23/12: the debits in flight (33 000) plus D's invoices and E's unsent one.
    expect(Math.round((totals['Total dû'] as number) * 100)).toBe(33000 + 9000 + 3000)
    expect(Math.round((totals['dont prélèvement en cours'] as number) * 100)).toBe(33000)
  })
})

describe('rejects', () => {
  const report = readFileSync(new URL('pain.002.001.03-rejects.xml', BILLING_FIXTURES), 'utf8')

  test('the pain.002 is read first without changing anything: rejects, acceptances and unknown references in French', async () => {
    at('2026-12-23')
    await saveSepaSettings(core, comptable.actor, { ...DEFAULT_SEPA_SETTINGS, rejectFeeCents: 750 })
    const r = await importStatusReport(core, comptable.actor, { xml: report, apply: false })
    expect(r).toMatchObject({ reportMsgId: 'BQ-STS-20261223-000417', originalMsgId: 'AL-PRLV-20261224-0001', groupStatus: 'PART', applied: false, rejectedCount: 1, problems: [] })
    expect(r.lines.map((l) => [l.endToEndId, l.outcome, l.familyNumber, l.reason])).toEqual([
      ['AL-0001-1001', 'reject', 1001, 'AM04 – Provision insuffisante : Provision insuffisante'],
      ['AL-0001-1002', 'accepted', 1002, ''],
      ['AL-0009-9999', 'unknown', null, 'MD01 – Pas de mandat']
    ])
    expect(r.lines[2].message).toBe('Référence « AL-0009-9999 » inconnue : aucun prélèvement de Ribambelle ne porte cette référence de bout en bout. Rien n’est enregistré pour elle.')
    expect(await core.tx.read((m) => m.countBy(Payment, { status: 'rejected' }))).toBe(0)
  })

  test('applied: the invoices re-open, the first collection is a FRST again, the bank fee goes on the next invoice, audit rows name the accountant', async () => {
    const r = await importStatusReport(core, comptable.actor, { xml: report, apply: true })
    expect(r).toMatchObject({ applied: true, rejectedCount: 1, feeCents: 750 })
    const a = fam.A.familyId
    const states = await core.tx.read(async (m) => Promise.all(numbersOf(a).map(async (n) => (await invoiceDetail(m, (await m.findOneByOrFail(Invoice, { number: n })).id, today())).state)))
    expect(states).toEqual(['rejected', 'rejected', 'rejected'])
    expect(await core.tx.read((m) => m.findOneByOrFail(SepaMandate, { id: mandate.A }))).toMatchObject({ sequenceType: 'FRST', lastCollectionOn: null })
    expect(await core.tx.read((m) => m.findBy(BillingAdjustment, { familyId: a, amountCents: 750 }))).toMatchObject([{ month: '2026-12', invoiceId: null, label: 'Frais de rejet de prélèvement du 23/12/2026 (AL-0001-1001)' }])
    const rejects = await auditRows(core, 'debit-reject')
    expect(rejects).toMatchObject([{ actorId: comptable.actor.id, after: { endToEndId: 'AL-0001-1001', feeCents: 750 } }])
    expect((await auditRows(core, 'sepa-status-import'))[0]).toMatchObject({ actorId: comptable.actor.id, after: { rejected: 1, unknown: ['AL-0009-9999'] } })
    // Rejected before its collection date, it moved no money: the statement shows neither, the balance is the invoices.
    const st = await core.tx.read(async (m) => familyStatement(m, a, '2026-2027', today()))
    expect(st).toMatchObject({ pendingDebits: [], closingCents: 9000 })
    expect(st.rows.map((x) => x.kind)).toEqual(['invoice', 'invoice', 'invoice'])
  })

  test('importing the same report again changes nothing', async () => {
    const r = await importStatusReport(core, comptable.actor, { xml: report, apply: true })
    expect(r.rejectedCount).toBe(0)
    expect(r.lines[0]).toMatchObject({ outcome: 'already-rejected', message: 'Déjà enregistré comme rejeté le 23/12/2026.' })
    expect(await core.tx.read((m) => m.countBy(BillingAdjustment, { amountCents: 750 }))).toBe(1)
    expect(await auditRows(core, 'debit-reject')).toHaveLength(1)
  })

  test('a report on a file we never wrote, or a file that is no pain.002, is explained', async () => {
    const r = await importStatusReport(core, comptable.actor, { xml: report.replace('<OrgnlMsgId>AL-PRLV-20261224-0001<', '<OrgnlMsgId>XX-PRLV-1<'), apply: false })
    expect(r.problems[0]).toMatch(/^Le compte rendu porte sur le fichier « XX-PRLV-1 », inconnu de Ribambelle/)
    await expect(importStatusReport(core, comptable.actor, { xml: firstXml, apply: false })).rejects.toThrow(/n’est pas un compte rendu de prélèvements pain.002/)
  })

  test('by hand, after the collection date: the one-off mandate serves again', async () => {
    at('2026-12-28')
    const c = (await core.tx.read(async (m) => m.findOneByOrFail(SepaCollection, { endToEndId: 'AL-0001-1003' })))
    await expect(rejectDebit(core, comptable.actor, { collectionId: c.id, reasonCode: 'MS02', detail: '', rejectedOn: '2026-12-29' })).rejects.toThrow(/futur/)
    await rejectDebit(core, comptable.actor, { collectionId: c.id, reasonCode: 'MS02', detail: 'contestation', rejectedOn: '2026-12-28' })
    await expect(rejectDebit(core, comptable.actor, { collectionId: c.id, reasonCode: 'MS02', detail: '', rejectedOn: '2026-12-28' })).rejects.toThrow(/déjà enregistré comme rejeté/)
    expect(await core.tx.read((m) => m.findOneByOrFail(SepaMandate, { id: mandate.C }))).toMatchObject({ status: 'active', sequenceType: 'OOFF' })
    expect((await auditRows(core, 'mandate-reopen')).map((x) => x.entityId)).toEqual([String(mandate.A), String(mandate.C)])
    // The others were collected on 24/12: paid now.
    expect(await core.tx.read(async (m) => familyBalance(m, fam.B.familyId, today()))).toMatchObject({ balanceCents: 0, debitInFlightCents: 0 })
    const st = await core.tx.read(async (m) => familyStatement(m, fam.C.familyId, '2026-2027', today()))
    expect(st.rows.slice(-2).map((x) => x.description)).toEqual([`Règlement : Prélèvement`, expect.stringMatching(/^Rejet de prélèvement AL-R\d+ : MS02 – Refus du débiteur : contestation$/)])
  })
})

describe('amendments and the last collection', () => {
  let xml = ''
  test('the next file declares a new RUM and account (same bank), a change of bank (SMNDA, FRST), a new creditor; FNAL ends a mandate', async () => {
    await bill('2026-12', '2027-01-04')
    at('2027-01-05')
    const b = await core.tx.read((m) => m.findOneByOrFail(SepaMandate, { id: mandate.B }))
    const bOld = { rum: b.rum, iban: b.iban }
    await saveMandate(core, comptable.actor, { id: mandate.B, version: b.version, familyId: fam.B.familyId, rum: 'RUM-B-2027', holder: b.holder, iban: frenchIban('30006', '00002', '9991002'), bic: '', signedOn: b.signedOn, sequenceType: 'RCUR' })
    await endMandate(core, comptable.actor, mandate.B)
    const e = await core.tx.read((m) => m.findOneByOrFail(SepaMandate, { id: mandate.E }))
    await saveMandate(core, comptable.actor, { id: mandate.E, version: e.version, familyId: fam.E.familyId, rum: e.rum, holder: e.holder, iban: frenchIban('20041', '01005', '0500013M026'), bic: '', signedOn: e.signedOn, sequenceType: 'RCUR' })
    expect(await core.tx.read((m) => m.findOneByOrFail(SepaMandate, { id: mandate.E }))).toMatchObject({ sequenceType: 'FRST', amendment: { otherBank: true } })
    const ics = `FR${icsCheckDigits('FR', '654321')}ZZZ654321`
    const regie = (await import('../../src-main/billing/regies')).regieDtos
    const r = (await core.tx.read((m) => regie(m))).find((x) => x.id === regieId)!
    await saveRegie(core, SYSTEM, { ...r, ics })

    const p = await plan('2027-01-25')
    expect(p.debits.map((d) => [d.familyNumber, d.sequenceType, d.amendment])).toEqual([
      [1001, 'FRST', []],
      [1002, 'FNAL', [`RUM modifiée (ancienne : ${bOld.rum})`, `nouveau compte dans la même banque (ancien IBAN se terminant par ${bOld.iban.slice(-4)})`, 'créancier modifié (ancien ICS FR72ZZZ123456)']],
      [1003, 'OOFF', []],
      [1005, 'FRST', ['changement de banque du débiteur (SMNDA)', 'créancier modifié (ancien ICS FR72ZZZ123456)']]
    ])
    // The rejected invoices wait to be presented again, on purpose.
    expect(p.leftOut.filter((l) => l.familyNumber === 1001).map((l) => l.reason)).toEqual(Array(3).fill(expect.stringMatching(/^Prélèvement rejeté le 23\/12\/2026 \(AM04 – Provision insuffisante/)))
    expect((await plan('2027-01-25', true)).debits.find((d) => d.familyNumber === 1001)?.invoices).toHaveLength(4)

    const done = await exportOn('2027-01-25')
    xml = sepaExportXml(core, await core.tx.read((m) => m.findOneByOrFail(SepaExport, { id: done.exportId })))
    expect(xmllint(xml).output).toBe('')
    expect(checkPain008Xml(xml)).toEqual([])
    const txs = txsOf(xml)
    const bTx = txs.find((t) => t.e2e === 'AL-0002-1002')!
    expect(bTx.seq).toBe('FNAL')
    expect(bTx.xml).toContain(`<AmdmntInd>true</AmdmntInd><AmdmntInfDtls><OrgnlMndtId>${bOld.rum}</OrgnlMndtId><OrgnlCdtrSchmeId><Nm>Regie enfance de Testville</Nm>`)
    expect(bTx.xml).toContain(`<OrgnlDbtrAcct><Id><IBAN>${bOld.iban}</IBAN></Id></OrgnlDbtrAcct>`)
    const eTx = txs.find((t) => t.e2e === 'AL-0002-1005')!
    expect(eTx.seq).toBe('FRST')
    expect(eTx.xml).toContain('<OrgnlDbtrAgt><FinInstnId><Othr><Id>SMNDA</Id></Othr></FinInstnId></OrgnlDbtrAgt>')
    expect(txs.find((t) => t.e2e === 'AL-0002-1001')!.xml).not.toContain('AmdmntInd')
  })

  test('after it: amendments cleared, the FNAL mandate over, and never two first collections of one mandate that went through', async () => {
    const s = await core.tx.read((m) => m.find(SepaMandate, { order: { id: 'ASC' } }))
    expect(s.map((x) => [x.id, x.sequenceType, x.status, x.amendment])).toEqual([
      [mandate.A, 'RCUR', 'active', null],
      [mandate.B, 'FNAL', 'used', null],
      [mandate.C, 'OOFF', 'used', null],
      [mandate.D, 'FRST', 'revoked', null],
      [mandate.E, 'RCUR', 'active', null]
    ])
    const history = core.db
      .prepare(`SELECT c.mandate_id, c.sequence_type, c.amendment, p.status FROM sepa_collection c JOIN payment p ON p.id = c.payment_id ORDER BY c.id`)
      .all() as { mandate_id: number; sequence_type: string; amendment: string | null; status: string }[]
    for (const id of [mandate.A, mandate.B, mandate.C, mandate.E]) {
      const mine = history.filter((h) => h.mandate_id === id && h.status === 'ok')
      // A FRST that went through opens a mandate's history; another one only after a change of bank (SMNDA).
      mine.forEach((h, i) => {
        if (h.sequence_type === 'FRST') expect(i === 0 || JSON.parse(h.amendment ?? '{}').otherBank === true, `mandate ${id}, collection ${i + 1}`).toBe(true)
        else expect(i > 0 || ['RCUR', 'OOFF'].includes(h.sequence_type), `mandate ${id}, collection ${i + 1}`).toBe(true)
      })
    }
    expect(history.filter((h) => h.mandate_id === mandate.E).map((h) => h.sequence_type)).toEqual(['FRST', 'FRST'])
    expect(history.filter((h) => h.mandate_id === mandate.B).map((h) => h.sequence_type)).toEqual(['RCUR', 'FNAL'])
  })

  test('« Rejet » from the payments screen on a debit of a file does the same as a SEPA reject (mandate put back, fee)', async () => {
    at('2027-01-26')
    const staff = await buildStaffApp(core)
    try {
      const c = await client(staff, 'staff')
      await c.loginStaff(comptable.login, comptable.password)
      const col = await core.tx.read((m) => m.findOneByOrFail(SepaCollection, { endToEndId: 'AL-0002-1001' }))
      const fees = await core.tx.read((m) => m.countBy(BillingAdjustment, { familyId: fam.A.familyId, amountCents: 750 }))
      const r = await c.call('billing-payment-reject', { paymentId: col.paymentId, reason: 'AC04 compte clos', rejectedOn: '2027-01-26' })
      expect(r.status).toBe(200)
      expect(await core.tx.read((m) => m.findOneByOrFail(SepaMandate, { id: mandate.A }))).toMatchObject({ sequenceType: 'FRST', lastCollectionOn: null })
      expect(await core.tx.read((m) => m.countBy(BillingAdjustment, { familyId: fam.A.familyId, amountCents: 750 }))).toBe(fees + 1)
      expect((await auditRows(core, 'debit-reject')).at(-1)).toMatchObject({ actorId: comptable.actor.id, after: { endToEndId: 'AL-0002-1001' } })
    } finally {
      await staff.close()
    }
  })
})

describe('a failed export', () => {
  let c2: TestCore
  const at2 = (day: string) => c2.clock.set(new Date(`${day}T08:00:00Z`))
  beforeAll(async () => {
    c2 = await openTestCore({ now: new Date('2026-10-01T08:00:00Z') })
    await setStructure(c2)
  })
  afterAll(() => c2.cleanup())

  test('changes nothing (the mandate stays FRST); the file then goes out in pain.008.001.02 when Paramètres say so', async () => {
    const staff = await seedStaff(c2, 'comptable')
    const rid = await saveRegie(c2, SYSTEM, {
      id: null, name: 'Régie', code: 'RG', invoiceFormat: '{CODE}-{N}', creditFormat: '{CODE}-AV{N}', paymentFormat: '{CODE}-R{N}', isDefault: true, dueDays: 20,
      paymentMethods: '', creditorName: '', ics: 'FR72ZZZ123456', creditorIban: 'FR7630006000011234567890189', creditorBic: '', active: true, activityIds: []
    })
    const f = await seedFamily(c2)
    const mid = await saveMandate(c2, staff.actor, { id: null, familyId: f.familyId, rum: '', holder: 'Titulaire', iban: frenchIban('30006', '00009', '42'), bic: '', signedOn: '2026-09-15', sequenceType: 'FRST' })
    await createAdjustment(c2, staff.actor, { regieId: rid, familyId: f.familyId, childId: null, month: '2026-09', label: 'Accueil', amountCents: 4210 })
    const run = await issueRun(c2, staff.actor, { regieId: rid, month: '2026-09', issueDate: '2026-10-01' })
    await c2.tx.run(async (m) => markInvoicesNotified(m, (await m.findBy(Invoice, { runId: run.runId })).map((i) => i.id), '2026-10-01'))
    const input = { regieId: rid, runId: null, collectionDate: '2026-10-21', represent: false }
    // Writing the planned debits fails (disk full) while the export is 'preparing': nothing is left, not even a file.
    c2.db.exec(`CREATE TEMP TRIGGER fail_sepa_items BEFORE INSERT ON sepa_export_item BEGIN SELECT RAISE(ABORT, 'disque plein (simulé)'); END`)
    await expect(exportDirectDebits(c2, staff.actor, input)).rejects.toThrow(/disque plein/)
    expect(await c2.tx.read((m) => m.findOneByOrFail(SepaMandate, { id: mid }))).toMatchObject({ sequenceType: 'FRST', lastCollectionOn: null })
    const counts = () => c2.db.prepare(`SELECT (SELECT COUNT(*) FROM sepa_export) AS e, (SELECT COUNT(*) FROM sepa_collection) AS c, (SELECT COUNT(*) FROM payment) AS p, (SELECT COUNT(*) FROM invoice WHERE debit_status IS NOT NULL) AS i`).get()
    expect(counts()).toEqual({ e: 0, c: 0, p: 0, i: 0 })
    expect(readdirSync(join(c2.paths.dataDir, 'exports'))).toEqual([])
    c2.db.exec('DROP TRIGGER fail_sepa_items')

    // The file is written, then the last write (its audit row) fails: the debits are recorded with their file, and the
    // export, left 'marking', is finished by the next export (which then finds nothing left to collect).
    await saveSepaSettings(c2, staff.actor, { ...DEFAULT_SEPA_SETTINGS, format: 'pain.008.001.02' })
    c2.db.exec(`CREATE TEMP TRIGGER fail_sepa_export BEFORE INSERT ON audit_entry WHEN NEW.action = 'sepa-export' BEGIN SELECT RAISE(ABORT, 'disque plein (simulé)'); END`)
    await expect(exportDirectDebits(c2, staff.actor, input)).rejects.toThrow(/disque plein/)
    c2.db.exec('DROP TRIGGER fail_sepa_export')
    expect(c2.db.prepare(`SELECT state, file_name FROM sepa_export`).all()).toEqual([{ state: 'marking', file_name: expect.stringMatching(/^prelevements-sepa-RG-PRLV-20261021-\d{4}\.xml$/) }])
    expect(counts()).toEqual({ e: 1, c: 1, p: 1, i: 1 })
    expect((await previewDirectDebits(c2, input)).nbTxs).toBe(0)
    await expect(exportDirectDebits(c2, staff.actor, input)).rejects.toThrow(/Aucune facture à prélever/)
    const r = await c2.tx.read((m) => m.findOneByOrFail(SepaExport, { regieId: rid }))
    expect(r.state).toBe('done')
    expect(c2.db.prepare(`SELECT COUNT(*) AS n FROM audit_entry WHERE action = 'sepa-export'`).get()).toEqual({ n: 1 })
    const xml = sepaExportXml(c2, r)
    expect(xml).toContain('xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"')
    expect(xmllint(xml).output).toBe('')
    expect(checkPain008Xml(xml)).toEqual([])
    expect(txsOf(xml)).toMatchObject([{ seq: 'FRST', amount: '42.10', e2e: `${r.msgId.slice(0, 2)}-${r.msgId.slice(-4)}-${f.number}` }])
    expect(await c2.tx.read((m) => m.findOneByOrFail(SepaMandate, { id: mid }))).toMatchObject({ sequenceType: 'RCUR', lastCollectionOn: '2026-10-21' })
  })

  test('files written before the migration get their history back from their XML (one transaction per invoice then)', async () => {
    const staff = await seedStaff(c2, 'comptable')
    const rid = (c2.db.prepare(`SELECT id FROM regie WHERE code = 'RG'`).get() as { id: number }).id
    const f = await seedFamily(c2)
    const mid = await saveMandate(c2, staff.actor, { id: null, familyId: f.familyId, rum: 'RUM-OLD-1', holder: 'Ancien', iban: frenchIban('30006', '00010', '77'), bic: '', signedOn: '2026-09-15', sequenceType: 'FRST' })
    await createAdjustment(c2, staff.actor, { regieId: rid, familyId: f.familyId, childId: null, month: '2026-10', label: 'Accueil', amountCents: 1234 })
    at2('2026-11-02')
    const run = await issueRun(c2, staff.actor, { regieId: rid, month: '2026-10', issueDate: '2026-11-02' })
    const inv = await c2.tx.read((m) => m.findOneByOrFail(Invoice, { runId: run.runId }))
    // What the old export wrote: EndToEndId = the invoice number, a payment per invoice, no collection row.
    const xml = `<Document><CstmrDrctDbtInitn><PmtInf><PmtInfId>RG-OLD-FRST</PmtInfId><PmtTpInf><SeqTp>FRST</SeqTp></PmtTpInf><DrctDbtTxInf><PmtId><EndToEndId>${inv.number}</EndToEndId></PmtId></DrctDbtTxInf></PmtInf></CstmrDrctDbtInitn></Document>`
    const exp = c2.db.prepare(`INSERT INTO sepa_export (regie_id, msg_id, run_id, collection_date, nb_txs, ctrl_sum_cents, xml, created_at) VALUES (?, 'RG-OLD', NULL, '2026-11-23', 1, 1234, ?, '2026-11-03')`).run(rid, xml)
    const pay = c2.db.prepare(`INSERT INTO payment (regie_id, family_id, number, seq, received_on, mode, amount_cents, sepa_export_id, mandate_id, created_at) VALUES (?, ?, 'RG-ROLD', 999, '2026-11-23', 'prelevement', 1234, ?, ?, '2026-11-03')`).run(rid, f.familyId, exp.lastInsertRowid, mid)
    c2.db.prepare(`INSERT INTO payment_allocation (payment_id, invoice_id, amount_cents, created_at) VALUES (?, ?, 1234, '2026-11-03')`).run(pay.lastInsertRowid, inv.id)
    const before = (c2.db.prepare('SELECT COUNT(*) AS n FROM sepa_collection').get() as { n: number }).n
    await backfillCollections({ query: (sql: string, params?: unknown[]) => c2.ds.query(sql, params) })
    expect((c2.db.prepare('SELECT COUNT(*) AS n FROM sepa_collection').get() as { n: number }).n).toBe(before + 1)
    expect(c2.db.prepare('SELECT end_to_end_id, sequence_type, collection_date, amount_cents, rum, ics FROM sepa_collection WHERE payment_id = ?').get(pay.lastInsertRowid)).toEqual({
      end_to_end_id: inv.number, sequence_type: 'FRST', collection_date: '2026-11-23', amount_cents: 1234, rum: 'RUM-OLD-1', ics: 'FR72ZZZ123456'
    })
  })
})
