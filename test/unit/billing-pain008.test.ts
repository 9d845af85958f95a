import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BILLING_FIXTURES, xmllint } from '../helpers/billing-tools'
import { buildPain008, checkPain008Xml, type DirectDebitFile } from '../../src-main/billing/sepa/pain008'

const fixtures = BILLING_FIXTURES

function file(over: Partial<DirectDebitFile> = {}): DirectDebitFile {
  return {
    msgId: 'RB-REGIE1-20260310-001',
    createdAt: '2026-03-02T09:15:00',
    initiatingParty: "Maison de l'Enfant de Démo",
    creditor: { name: 'Régie Périscolaire & Loisirs', iban: 'FR7630006000011234567890189', bic: null, ics: 'FR72ZZZ123456' },
    collectionDate: '2026-03-10',
    transactions: [
      { endToEndId: 'AL-36', amountCents: 18720, mandateId: 'RUM-FAM-000042', mandateSignedOn: '2025-09-01', sequenceType: 'RCUR', debtorName: 'DUPONT Hélène & Zoë', debtorIban: 'FR1420041010050500013M02606', debtorBic: null, remittance: 'Facture AL-36 février 2026' },
      { endToEndId: 'AL-37', amountCents: 12525, mandateId: 'RUM-FAM-000043', mandateSignedOn: '2025-09-03', sequenceType: 'FRST', debtorName: 'MARTIN Léo', debtorIban: 'FR7630006000011234567890189', debtorBic: 'AGRIFRPPXXX', remittance: 'Facture AL-37' },
      { endToEndId: 'AL-38', amountCents: 1, mandateId: 'RUM-FAM-000044', mandateSignedOn: '2025-09-03', sequenceType: 'RCUR', debtorName: 'Œdipe Müller', debtorIban: 'DE89370400440532013000', debtorBic: null, remittance: 'x'.repeat(300) }
    ],
    ...over
  }
}

describe('pain.008.001.02 export', () => {
  it('validates against the ISO XSD with xmllint', () => {
    const r = xmllint(buildPain008(file()))
    expect(r.output).toBe('')
    expect(r.ok).toBe(true)
  })
  it('groups by sequence type with control totals per file and per PmtInf', () => {
    const xml = buildPain008(file())
    expect(checkPain008Xml(xml)).toEqual([])
    const pmt = [...xml.matchAll(/<PmtInf>([\s\S]*?)<\/PmtInf>/g)].map((m) => m[1])
    expect(pmt).toHaveLength(2)
    expect(pmt[0]).toMatch(/<SeqTp>FRST<\/SeqTp>/)
    expect(pmt[0]).toMatch(/<NbOfTxs>1<\/NbOfTxs>\s*<CtrlSum>125.25<\/CtrlSum>/)
    expect(pmt[1]).toMatch(/<SeqTp>RCUR<\/SeqTp>/)
    expect(pmt[1]).toMatch(/<NbOfTxs>2<\/NbOfTxs>\s*<CtrlSum>187.21<\/CtrlSum>/)
    expect(xml).toMatch(/<GrpHdr>[\s\S]*<NbOfTxs>3<\/NbOfTxs>\s*<CtrlSum>312.46<\/CtrlSum>/)
    expect(xml).toContain('<InstdAmt Ccy="EUR">0.01</InstdAmt>')
  })
  it('transliterates names and cuts the remittance to 140', () => {
    const xml = buildPain008(file())
    expect(xml).toContain('<Nm>DUPONT Helene et Zoe</Nm>')
    expect(xml).toContain('<Nm>OEdipe Muller</Nm>')
    expect(xml).toContain(`<Ustrd>${'x'.repeat(140)}</Ustrd>`)
    expect(xml).toContain('<Othr><Id>NOTPROVIDED</Id></Othr>')
    expect(/[éèàçëüœŒ]|&(?!amp;|lt;|gt;)/.test(xml)).toBe(false)
  })
  it('refuses a bad ICS, a bad IBAN, a RUM with spaces or a zero amount', () => {
    expect(() => buildPain008(file({ creditor: { ...file().creditor, ics: 'FR00ZZZ123456' } }))).toThrow(/ICS/)
    const t = file().transactions[0]
    expect(() => buildPain008(file({ transactions: [{ ...t, debtorIban: 'FR7630006000011234567890188' }] }))).toThrow(/IBAN du débiteur/)
    expect(() => buildPain008(file({ transactions: [{ ...t, mandateId: 'RUM 1' }] }))).toThrow(/RUM/)
    expect(() => buildPain008(file({ transactions: [{ ...t, amountCents: 0 }] }))).toThrow(/montant/)
  })
})

describe('EPC checker on the reference samples', () => {
  it('passes the valid French sample', () => {
    const xml = readFileSync(new URL('sample-pain.008.001.02-FR-CORE.xml', fixtures), 'utf8')
    expect(xmllint(xml).ok).toBe(true)
    expect(checkPain008Xml(xml)).toEqual([])
  })
  it('catches what the XSD lets through', () => {
    const xml = readFileSync(new URL('sample-pain.008.001.02-XSD-valid-but-EPC-invalid.xml', fixtures), 'utf8')
    expect(xmllint(xml).ok).toBe(true)
    const problems = checkPain008Xml(xml).join('\n')
    expect(problems).toMatch(/GrpHdr\/NbOfTxs = 7/)
    expect(problems).toMatch(/GrpHdr\/CtrlSum = 999.99/)
    expect(problems).toMatch(/FR00ZZZ123456 invalide/)
    expect(problems).toMatch(/Hélène & Zoë.*hors du jeu EPC/)
  })
})
