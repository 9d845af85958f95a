/**
 * PES V2 ORMC (issue #13 §2) on the billing world of #6: a public régie's
 * September run becomes one ORMC bordereau of titres that xmllint validates
 * against the DGFiP 4.71 recette schemas, and that passes the rules the XSD
 * does not check (triplets, counts and sums, one debtor per titre, direct
 * debit data, IdBord sequence per year). A credit note becomes an
 * annulation/réduction bordereau; once sent, the portal says where to pay.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { XMLParser } from 'fast-xml-parser'
import { SYSTEM } from '../../src-main/core/actor'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { cancelInvoice } from '../../src-main/billing/invoices'
import { createAdjustment } from '../../src-main/billing/invoicing/adjustments'
import { recordPayment } from '../../src-main/billing/payments/payments'
import { previewDirectDebits } from '../../src-main/billing/sepa/export'
import { Invoice, InvoicingRun } from '../../src-main/billing/entities'
import { PesBordereau, PesTitre } from '../../src-main/billing/pes/entities'
import { exportCreditNotesToPes, exportRunToPes, markPesSent, pesBordereauXml } from '../../src-main/billing/pes/export'
import { checkIdBordSequence, checkPesXml } from '../../src-main/billing/pes/check'
import { savePesSettings } from '../../src-main/billing/pes/settings'
import { Family, Person } from '../../src-main/families/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { seedBillingWorld, type BillingWorld } from '../helpers/billing'
import { PES_XSD, xmllint } from '../helpers/billing-tools'

let core: TestCore
let w: BillingWorld
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, isArray: (n) => ['Piece', 'LigneDePiece', 'Bordereau'].includes(n) })
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const parse = (xml: string): any => parser.parse(xml).PES_Aller

const SETTINGS = {
  enabled: true,
  collectivite: 'Commune de Testville - budget principal',
  siret: '21319999000002',
  poste: '031000',
  codCol: '555',
  codBud: '01',
  defaultProduct: 'DIV',
  defaultNature: '7088'
}

beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-09-20T08:00:00Z') })
  w = await seedBillingWorld(core)
  await savePesSettings(core, SYSTEM, {
    regieId: w.regieId,
    ...SETTINGS,
    products: [
      { kind: 'activity', refId: w.activities.alae, code: 'PERI', nature: '7066' },
      { kind: 'activity', refId: w.activities.repas, code: 'CANT', nature: '7067' }
    ]
  })
  core.clock.set(new Date('2026-10-02T08:00:00Z'))
  await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-09' })
})
afterAll(() => core.cleanup())

/** The bordereau with its file's XML (on disk since issue 19). */
const withXml = (b: PesBordereau) => Object.assign(b, { xml: pesBordereauXml(core, b) })
const runOf = (month: string) => core.tx.read((m) => m.findOneByOrFail(InvoicingRun, { month }))
const invoiceOf = (familyId: number) => core.tx.read((m) => m.findOneOrFail(Invoice, { where: { familyId }, order: { id: 'DESC' } }))

describe('settings', () => {
  test('a public régie needs the Trésor’s identifiers, checked in French', async () => {
    await expect(savePesSettings(core, SYSTEM, { regieId: w.regieId, ...SETTINGS, siret: '21319999000003', products: [] })).rejects.toThrow(/SIRET de la collectivité invalide/)
    await expect(savePesSettings(core, SYSTEM, { regieId: w.regieId, ...SETTINGS, poste: '31', products: [] })).rejects.toThrow(/Poste comptable : 6 chiffres/)
    await expect(savePesSettings(core, SYSTEM, { regieId: w.regieId, ...SETTINGS, codBud: '', products: [] })).rejects.toThrow(/Code budget/)
  })
})

describe('ORMC bordereau of a run', () => {
  let xml = ''
  test('one titre per family invoice, valid for xmllint against the 4.71 recette schemas and for the rules the XSD does not check', async () => {
    // F1 paid 10 € at the desk before the export: its titre is for what is still due.
    await recordPayment(core, w.comptable.actor, { familyId: w.f1.familyId, regieId: w.regieId, mode: 'especes', amountCents: 1000, receivedOn: '2026-10-03', chequeNumber: '', bank: '', payer: '', reference: '', allocations: [] })
    core.clock.set(new Date('2026-10-05T08:00:00Z'))
    const run = await runOf('2026-09')
    const r = await exportRunToPes(core, w.comptable.actor, run.id)
    expect(r).toMatchObject({ exer: 2026, idBord: 1, pieceCount: 3, fileName: 'PESORMC_21319999000002_2026_0000001.xml', skipped: [] })
    expect(r.totalCents).toBe(w.expected.f1 - 1000 + w.expected.f2 + w.expected.f3)
    const b = withXml(await core.tx.read((m) => m.findOneByOrFail(PesBordereau, { id: r.bordereauId })))
    xml = b.xml
    const lint = xmllint(xml, PES_XSD)
    expect(lint.output).toBe('')
    expect(lint.ok).toBe(true)
    expect(checkPesXml(xml).problems).toEqual([])

    const doc = parse(xml)
    expect(doc.Enveloppe.Parametres.TypFic.V).toBe('PESORMC')
    expect(doc.EnTetePES).toMatchObject({ IdPost: { V: '031000' }, IdColl: { V: '21319999000002' }, CodCol: { V: '555' }, CodBud: { V: '01' } })
    const bord = doc.PES_RecetteAller.Bordereau[0]
    expect(bord.BlocBordereau).toMatchObject({ Exer: { V: '2026' }, IdBord: { V: '1' }, TypBord: { V: '06' }, NbrPce: { V: '3' } })
    const pieces = bord.Piece
    expect(pieces.map((p: { BlocPiece: { TypPce: { V: string }; NatPce: { V: string } } }) => `${p.BlocPiece.TypPce.V}/${p.BlocPiece.NatPce.V}`)).toEqual(['15/01', '15/01', '15/01'])
    expect(pieces.map((p: { BlocPiece: { IdPce: { V: string } } }) => p.BlocPiece.IdPce.V)).toEqual(['1', '2', '3'])

    // F1: lines grouped by product; ALAE → PERI/7066, meals → CANT/7067, Wednesdays → the default DIV/7088.
    const f1 = pieces[0]
    const lines = f1.LigneDePiece.map((l: { BlocLignePiece: { InfoLignePiece: Record<string, { V: string }> } }) => l.BlocLignePiece.InfoLignePiece)
    expect(lines.map((l: Record<string, { V: string }>) => [l.IdLigne.V, l.CodProdLoc.V, l.Nature.V])).toEqual([
      ['1', 'PERI', '7066'],
      ['2', 'CANT', '7067'],
      ['3', 'DIV', '7088']
    ])
    expect(f1.LigneDePiece[0].Tiers.InfoTiers).toMatchObject({ RefTiers: { V: String(w.f1.number) }, Civilite: { V: 'MME' }, Nom: { V: 'DUPONT' }, Prenom: { V: 'CLAIRE' } })
    expect(f1.LigneDePiece[0].Tiers.Adresse).toMatchObject({ Adr2: { V: '3 RUE DES ECOLES' }, CP: { V: '31000' }, Ville: { V: 'DEMOVILLE' } })
    expect(f1.BlocPiece.NumDette.V).toBe('202600000001')

    // F3 is on direct debit: the Trésor collects it, FRST, with the account as a RIB (no BIC on the mandate).
    const f3 = pieces[2]
    const sepa = f3.LigneDePiece[0].BlocLignePiece.InfoPrelevementSEPA
    expect(sepa).toMatchObject({ NatPrel: { V: '01' }, PerPrel: { V: '07' }, SequencePres: { V: '02' }, DateSignMandat: { V: '2026-08-20' } })
    expect(sepa.DtePrel.V >= '2026-10-22').toBe(true)
    expect(f3.LigneDePiece[0].Tiers.CpteBancaire).toMatchObject({ CodeEtab: { V: '20041' }, CodeGuic: { V: '01005' }, IdCpte: { V: '0500013M026' }, CleRib: { V: '06' } })
    // …and the régie's own SEPA file leaves it out, saying why.
    const plan = await previewDirectDebits(core, { regieId: w.regieId, runId: null, collectionDate: null, represent: false })
    expect(plan.leftOut.find((l) => l.familyId === w.f3.familyId)?.reason).toMatch(/^Titre transmis au Trésor public \(PES V2\)/)

    const titres = await core.tx.read((m) => m.find(PesTitre, { order: { idPce: 'ASC' } }))
    expect(titres.map((t) => [t.invoiceId, t.idPce, t.sequence])).toEqual([
      [(await invoiceOf(w.f1.familyId)).id, 1, null],
      [(await invoiceOf(w.f2.familyId)).id, 2, null],
      [(await invoiceOf(w.f3.familyId)).id, 3, 'FRST']
    ])
  })

  test('a run goes to the Trésor once', async () => {
    const run = await runOf('2026-09')
    await expect(exportRunToPes(core, w.comptable.actor, run.id)).rejects.toThrow(/déjà dans le bordereau n° 1 de 2026/)
  })

  test('the checker catches what xmllint lets through', () => {
    const bad = xml.replace('<NbrPce V="3"/>', '<NbrPce V="2"/>').replace(/<TypPce V="15"\/>/, '<TypPce V="01"/>').replace(/<NumDette V="\d+"\/>/, '')
    expect(xmllint(bad, PES_XSD).ok).toBe(true)
    const problems = checkPesXml(bad).problems.join('\n')
    expect(problems).toMatch(/NbrPce \(2\) ≠ nombre de pièces \(3\)/)
    expect(problems).toMatch(/triplet TypBord\/TypPce\/NatPce 06\/01\/01 hors de la grille/)
    expect(problems).toMatch(/n° de dette/)
    const unequal = xml.replace(/<MtPrel V="([\d.]+)"\/>/, '<MtPrel V="0.01"/>')
    expect(checkPesXml(unequal).problems.join('\n')).toMatch(/MtPrel ≠ MtHT/)
    // The invalid sample of the reference notes: the XSD refuses TypPce 13.
    const sample = readFileSync(new URL('../fixtures/pes-v2/sample-PES-ORMC-INVALID.xml', import.meta.url), 'utf8')
    expect(xmllint(sample, PES_XSD).output).toMatch(/TypPce.*'13' is not an element of the set/)
  })

  test('a family whose file Hélios would refuse stops the export in French, and no number is used', async () => {
    core.clock.set(new Date('2026-11-02T08:00:00Z'))
    await createAdjustment(core, w.comptable.actor, { regieId: w.regieId, familyId: w.f2.familyId, childId: null, month: '2026-10', label: 'Garderie', amountCents: 1200 })
    await createAdjustment(core, w.comptable.actor, { regieId: w.regieId, familyId: w.f1.familyId, childId: null, month: '2026-10', label: 'Garderie', amountCents: 800 })
    await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-10' })
    const run = await runOf('2026-10')
    await core.tx.run((m) => m.update(Family, { id: w.f2.familyId }, { postalCode: '' }))
    await expect(exportRunToPes(core, w.comptable.actor, run.id)).rejects.toThrow(new RegExp(`famille ${w.f2.number} \\(MARTIN, facture AL-\\d+\\) : code postal manquant`))
    await core.tx.run((m) => m.update(Family, { id: w.f2.familyId }, { postalCode: '75011' }))
    // Hostile text reaches the XML escaped, never as markup.
    await core.tx.run((m) => m.update(Person, { familyId: w.f1.familyId, role: 'responsable' }, { lastName: 'Dupont <b>&"', firstName: 'Claire' }))
    const r = await exportRunToPes(core, w.comptable.actor, run.id)
    expect(r).toMatchObject({ exer: 2026, idBord: 2, pieceCount: 2 })
    const b = withXml(await core.tx.read((m) => m.findOneByOrFail(PesBordereau, { id: r.bordereauId })))
    expect(xmllint(b.xml, PES_XSD).ok).toBe(true)
    expect(b.xml).not.toContain('<b>')
    const ids = parse(b.xml).PES_RecetteAller.Bordereau[0].Piece.map((p: { BlocPiece: { IdPce: { V: string } } }) => Number(p.BlocPiece.IdPce.V))
    expect(ids).toEqual([4, 5])
  })

  test('bordereau numbers run 1, 2, 3… per year, and start again at 1 in a new year', async () => {
    core.clock.set(new Date('2027-01-04T08:00:00Z'))
    await createAdjustment(core, w.comptable.actor, { regieId: w.regieId, familyId: w.f2.familyId, childId: null, month: '2026-12', label: 'Garderie', amountCents: 900 })
    await issueRun(core, w.comptable.actor, { regieId: w.regieId, month: '2026-12' })
    const r = await exportRunToPes(core, w.comptable.actor, (await runOf('2026-12')).id)
    expect(r).toMatchObject({ exer: 2027, idBord: 1 })
    const all = (await core.tx.read((m) => m.find(PesBordereau))).map(withXml)
    const facts = all.map((b) => checkPesXml(b.xml).facts!.bordereaux[0])
    expect(checkIdBordSequence(facts)).toEqual([])
    expect(checkIdBordSequence([...facts, { exer: 2026, idBord: 4 }])).toEqual(['Exercice 2026 : bordereau n° 4 là où le n° 3 est attendu (numéros 1, 2, 4).'])
  })
})

describe('credit notes and the portal', () => {
  test('a credit note on a titre becomes an annulation/réduction bordereau attached to the titre', async () => {
    const inv = await invoiceOf(w.f2.familyId)
    const septemberF2 = await core.tx.read((m) => m.findOneOrFail(Invoice, { where: { familyId: w.f2.familyId }, order: { id: 'ASC' } }))
    await cancelInvoice(core, w.comptable.actor, septemberF2.id, 'Erreur de tarif')
    const r = await exportCreditNotesToPes(core, w.comptable.actor, w.regieId)
    expect(r).toMatchObject({ exer: 2027, idBord: 2, pieceCount: 1, totalCents: w.expected.f2, fileName: 'PESALR1_21319999000002_2027_0000002.xml' })
    const b = withXml(await core.tx.read((m) => m.findOneByOrFail(PesBordereau, { id: r.bordereauId })))
    expect(xmllint(b.xml, PES_XSD).output).toBe('')
    expect(checkPesXml(b.xml).problems).toEqual([])
    const piece = parse(b.xml).PES_RecetteAller.Bordereau[0].Piece[0]
    expect(piece.BlocPiece).toMatchObject({ TypPce: { V: '02' }, NatPce: { V: '06' } })
    expect(piece.LigneDePiece[0].BlocLignePiece.RattachPiece).toMatchObject({ NatPceOrig: { V: '01' }, ExerRat: { V: '2026' }, IdPceOrig: { V: '2' }, IdLigneOrig: { V: '1' } })
    await expect(exportCreditNotesToPes(core, w.comptable.actor, w.regieId)).rejects.toThrow(/Aucun avoir à transmettre/)
    expect(inv.id).not.toBe(septemberF2.id)
  })

  test('the accountant sees which invoice went to which bordereau; once sent, the portal says the family pays the Trésor', async () => {
    const staffApp = await buildStaffApp(core)
    const portal = await buildPortalApp(core)
    try {
      const staff = await client(staffApp, 'staff')
      await staff.loginStaff(w.comptable.login, w.comptable.password)
      const list = await staff.call('billing-pes-list', {})
      const first = list.body.bordereaux.find((b: { exer: number; idBord: number }) => b.exer === 2026 && b.idBord === 1)
      expect(first).toMatchObject({ kind: 'ormc', runMonth: '2026-09', status: 'generated', pieceCount: 3 })
      const titres = await staff.call('billing-pes-titres', { bordereauId: first.id })
      expect(titres.body.map((t: { invoiceNumber: string; idPce: number; debit: boolean }) => [t.invoiceNumber, t.idPce, t.debit])).toEqual([
        ['AL-1', 1, false],
        ['AL-2', 2, false],
        ['AL-3', 3, true]
      ])
      const file = await staff.call('billing-file', { kind: 'pes', id: first.id })
      expect(file.body.filename).toBe('PESORMC_21319999000002_2026_0000001.xml')
      const inv = await staff.call('billing-invoices-list', { familyId: w.f1.familyId })
      expect(inv.body.items.find((i: { number: string }) => i.number === 'AL-1').titre).toEqual({ exer: 2026, idBord: 1, idPce: 1, sent: false })

      const fam = await client(portal, 'portal')
      await fam.loginPortal(w.f1.login, w.f1.password)
      let mine = await fam.call('billing-invoices', {})
      const al1 = () => mine.body.unpaid.find((i: { number: string }) => i.number === 'AL-1')
      expect(al1()).toMatchObject({ payableOnline: true, payNote: null })
      expect((await staff.call('billing-pes-mark-sent', { bordereauId: first.id })).status).toBe(200)
      mine = await fam.call('billing-invoices', {})
      expect(al1()).toMatchObject({ stateLabel: 'Titre émis', payableOnline: false, payNote: 'Titre émis : payable auprès du Trésor public / PayFiP.' })
      // No Systempay « Payer » for a titre.
      const pay = await fam.call('billing-pay-online', { invoiceIds: [al1().id] })
      expect(pay.status).toBe(409)
      expect(pay.body.error.message).toBe('Titre émis : la facture AL-1 est payable auprès du Trésor public, plus à la régie.')
      expect((await staff.call('billing-pes-mark-sent', { bordereauId: first.id })).status).toBe(409)
    } finally {
      await staffApp.close()
      await portal.close()
    }
  })

  test('files and titres are never rewritten nor deleted', async () => {
    expect(() => core.db.prepare("UPDATE pes_bordereau SET xml = 'x'").run()).toThrow(/immutable/)
    expect(() => core.db.prepare('DELETE FROM pes_titre').run()).toThrow(/never deleted/)
  })
})
