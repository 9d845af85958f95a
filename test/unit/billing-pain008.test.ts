import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BILLING_FIXTURES, xmllint } from '../helpers/billing-tools'
import { buildPain008, checkPain008Xml, type DebitTransaction, type DirectDebitFile } from '../../src-main/billing/sepa/pain008'
import { remittanceText, isEpcText } from '../../src-main/billing/sepa/epc-text'
import type { SepaFormat } from '@shared/contract/sepa'

const fixtures = BILLING_FIXTURES
const DATE = '2026-03-10'

function tx(over: Partial<DebitTransaction> & { rum?: string; iban?: string } = {}): DebitTransaction {
  const { rum = 'RUM-FAM-000042', iban = 'FR1420041010050500013M02606', ...rest } = over
  return {
    endToEndId: 'AL-0001-42',
    amountCents: 18720,
    sequenceType: 'RCUR',
    collectionDate: DATE,
    mandate: { rum, signedOn: '2025-09-01', amendment: null },
    debtor: { name: 'DUPONT Hélène & Zoë', iban, bic: null, address: { street: '12 bis rue des Écoles', postalCode: '31000', town: 'Toulouse', country: 'FR' } },
    remittance: 'Facture AL-36 février 2026',
    ...rest
  }
}

function file(format: SepaFormat = 'pain.008.001.02', over: Partial<DirectDebitFile> = {}): DirectDebitFile {
  return {
    format,
    msgId: 'AL-PRLV-20260310-0001',
    createdAt: '2026-03-02T09:15:00',
    initiatingParty: "Maison de l'Enfant de Démo",
    creditor: { name: 'Régie Périscolaire & Loisirs', iban: 'FR7630006000011234567890189', bic: null, ics: 'FR72ZZZ123456', address: { street: '1 place de la Mairie', postalCode: '31000', town: 'Démoville', country: 'FR' } },
    transactions: [
      tx(),
      tx({ endToEndId: 'AL-0001-43', amountCents: 12525, sequenceType: 'FRST', rum: 'RUM-FAM-000043', iban: 'FR7630006000011234567890189', debtor: { name: 'MARTIN Léo', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPPXXX', address: { street: 'Lieu-dit Les Granges', postalCode: '31500', town: 'Voisinville', country: 'FR' } } }),
      tx({ endToEndId: 'AL-0001-44', amountCents: 1, rum: 'RUM-FAM-000044', debtor: { name: 'Œdipe Müller', iban: 'DE89370400440532013000', bic: null, address: null }, remittance: 'x'.repeat(300) })
    ],
    ...over
  }
}

const batches = (xml: string) => [...xml.matchAll(/<PmtInf>([\s\S]*?)<\/PmtInf>/g)].map((m) => m[1])

describe.each(['pain.008.001.02', 'pain.008.001.08'] as const)('%s export', (format) => {
  it('validates against the ISO XSD with xmllint', () => {
    const r = xmllint(buildPain008(file(format)))
    expect(r.output).toBe('')
    expect(r.ok).toBe(true)
  })
  it('groups by collection date and sequence type, with control totals per file and per PmtInf', () => {
    const f = file(format)
    f.transactions.push(tx({ endToEndId: 'AL-0001-45', rum: 'RUM-FAM-000045', collectionDate: '2026-03-12', amountCents: 500 }))
    const xml = buildPain008(f)
    expect(checkPain008Xml(xml)).toEqual([])
    expect(xmllint(xml).ok).toBe(true)
    const pmt = batches(xml)
    expect(pmt.map((p) => [/<SeqTp>(\w+)</.exec(p)![1], /<ReqdColltnDt>([\d-]+)</.exec(p)![1], /<PmtInfId>([^<]+)</.exec(p)![1]])).toEqual([
      ['FRST', DATE, 'AL-PRLV-20260310-0001-FRST1'],
      ['RCUR', DATE, 'AL-PRLV-20260310-0001-RCUR1'],
      ['RCUR', '2026-03-12', 'AL-PRLV-20260310-0001-RCUR2']
    ])
    expect(pmt[0]).toMatch(/<NbOfTxs>1<\/NbOfTxs>\s*<CtrlSum>125.25<\/CtrlSum>/)
    expect(pmt[1]).toMatch(/<NbOfTxs>2<\/NbOfTxs>\s*<CtrlSum>187.21<\/CtrlSum>/)
    expect(xml).toMatch(/<GrpHdr>[\s\S]*<NbOfTxs>4<\/NbOfTxs>\s*<CtrlSum>317.46<\/CtrlSum>/)
    expect(xml).toContain('<InstdAmt Ccy="EUR">0.01</InstdAmt>')
  })
  it('transliterates names and cuts the remittance to 140', () => {
    const xml = buildPain008(file(format))
    expect(xml).toContain('<Nm>DUPONT Helene et Zoe</Nm>')
    expect(xml).toContain('<Nm>OEdipe Muller</Nm>')
    expect(xml).toContain(`<Ustrd>${'x'.repeat(140)}</Ustrd>`)
    expect(xml).toContain('<Othr><Id>NOTPROVIDED</Id></Othr>')
    expect(xml).toContain(format === 'pain.008.001.08' ? '<BICFI>AGRIFRPPXXX</BICFI>' : '<BIC>AGRIFRPPXXX</BIC>')
    expect(/[éèàçëüœŒ]|&(?!amp;|lt;|gt;)/.test(xml)).toBe(false)
  })
  it('declares amendments: new RUM, new account in the same bank, new creditor; SMNDA with a FRST', () => {
    const f = file(format, {
      transactions: [
        tx({ mandate: { rum: 'RUM-FAM-000042-B', signedOn: '2025-09-01', amendment: { originalRum: 'RUM-FAM-000042', originalIban: 'FR7630006000011234567890189', originalCreditor: { name: 'Ancienne regie', ics: 'FR72ZZZ123456' } } } }),
        tx({ endToEndId: 'AL-0001-43', sequenceType: 'FRST', mandate: { rum: 'RUM-FAM-000043', signedOn: '2025-09-01', amendment: { otherBank: true } } })
      ]
    })
    const xml = buildPain008(f)
    expect(xmllint(xml).output).toBe('')
    expect(checkPain008Xml(xml)).toEqual([])
    expect(xml).toContain(
      '<AmdmntInd>true</AmdmntInd><AmdmntInfDtls><OrgnlMndtId>RUM-FAM-000042</OrgnlMndtId><OrgnlCdtrSchmeId><Nm>Ancienne regie</Nm><Id><PrvtId><Othr><Id>FR72ZZZ123456</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></OrgnlCdtrSchmeId><OrgnlDbtrAcct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></OrgnlDbtrAcct></AmdmntInfDtls>'
    )
    expect(xml).toContain('<AmdmntInfDtls><OrgnlDbtrAgt><FinInstnId><Othr><Id>SMNDA</Id></Othr></FinInstnId></OrgnlDbtrAgt></AmdmntInfDtls>')
    expect(() => buildPain008(file(format, { transactions: [tx({ mandate: { rum: 'R1', signedOn: '2025-09-01', amendment: { otherBank: true } } })] }))).toThrow(/SMNDA.*FRST/)
  })
  it('refuses a bad ICS, a bad IBAN, a RUM with spaces, a zero amount, two debits of one mandate with a FRST', () => {
    const f = file(format)
    expect(() => buildPain008({ ...f, creditor: { ...f.creditor, ics: 'FR00ZZZ123456' } })).toThrow(/ICS/)
    expect(() => buildPain008({ ...f, transactions: [tx({ debtor: { ...tx().debtor, iban: 'FR7630006000011234567890188' } })] })).toThrow(/IBAN du débiteur/)
    expect(() => buildPain008({ ...f, transactions: [tx({ mandate: { rum: 'RUM 1', signedOn: '2025-09-01', amendment: null } })] })).toThrow(/RUM/)
    expect(() => buildPain008({ ...f, transactions: [tx({ amountCents: 0 })] })).toThrow(/montant/)
    expect(() => buildPain008({ ...f, transactions: [tx({ sequenceType: 'FRST' }), tx({ endToEndId: 'AL-0001-99', sequenceType: 'FRST' })] })).toThrow(/premier prélèvement \(FRST\) ne peut pas/)
  })
})

describe('pain.008.001.08 postal addresses', () => {
  const xml = buildPain008(file('pain.008.001.08'))
  it('are structured when the street line starts with a number, hybrid otherwise; town and country always', () => {
    expect(xml).toContain('<Dbtr><Nm>DUPONT Helene et Zoe</Nm><PstlAdr><StrtNm>rue des Ecoles</StrtNm><BldgNb>12 bis</BldgNb><PstCd>31000</PstCd><TwnNm>Toulouse</TwnNm><Ctry>FR</Ctry></PstlAdr></Dbtr>')
    expect(xml).toContain('<PstlAdr><PstCd>31500</PstCd><TwnNm>Voisinville</TwnNm><Ctry>FR</Ctry><AdrLine>Lieu-dit Les Granges</AdrLine></PstlAdr>')
    expect(xml).toContain('<Cdtr><Nm>Regie Periscolaire et Loisirs</Nm><PstlAdr><StrtNm>place de la Mairie</StrtNm><BldgNb>1</BldgNb><PstCd>31000</PstCd><TwnNm>Demoville</TwnNm><Ctry>FR</Ctry></PstlAdr></Cdtr>')
    expect(xml).toContain('<Dbtr><Nm>OEdipe Muller</Nm></Dbtr>')
  })
  it('an unstructured-only address breaks the 2023 rulebook though the XSD takes it', () => {
    const bad = xml.replace('<PstlAdr><PstCd>31500</PstCd><TwnNm>Voisinville</TwnNm><Ctry>FR</Ctry>', '<PstlAdr>')
    expect(xmllint(bad).ok).toBe(true)
    expect(checkPain008Xml(bad).join('\n')).toMatch(/TwnNm et Ctry sont obligatoires/)
  })
  it('.02 files carry no postal address', () => {
    expect(buildPain008(file('pain.008.001.02'))).not.toContain('<PstlAdr>')
  })
})

describe('remittance information of a debit covering several invoices', () => {
  it('lists the invoice numbers first, then who bills, within 140 EPC characters', () => {
    expect(remittanceText(['AL-6', 'AL-46', 'AL-86'], "Maison de l'Enfant de Démo famille 1006")).toBe("Factures AL-6 AL-46 AL-86 Maison de l'Enfant de Demo famille 1006")
    expect(remittanceText(['AL-6'], 'x')).toBe('Facture AL-6 x')
    const many = Array.from({ length: 30 }, (_, i) => `2026-11-FACT-${String(i).padStart(4, '0')}`)
    const t = remittanceText(many, 'Maison')
    expect(t.length).toBeLessThanOrEqual(140)
    expect(isEpcText(t)).toBe(true)
    expect(t).toMatch(/^Factures 2026-11-FACT-0000 2026-11-FACT-0001 .* \+\d+$/)
  })
})

describe('EPC checker on the reference samples', () => {
  it('passes the valid French samples, .02 and .08', () => {
    for (const name of ['sample-pain.008.001.02-FR-CORE.xml', 'sample-pain.008.001.08-FR-CORE.xml']) {
      const xml = readFileSync(new URL(name, fixtures), 'utf8')
      expect(xmllint(xml).ok, name).toBe(true)
      expect(checkPain008Xml(xml), name).toEqual([])
    }
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
  it('catches two debits of one mandate with a FRST among them', () => {
    const xml = buildPain008(file('pain.008.001.02', { transactions: [tx({ sequenceType: 'FRST' })] }))
    const one = /<DrctDbtTxInf>[\s\S]*<\/DrctDbtTxInf>/.exec(xml)![0]
    const twice = xml.replace(one, one + one.replace('AL-0001-42', 'AL-0001-77'))
    expect(checkPain008Xml(twice).join('\n')).toMatch(/Mandat RUM-FAM-000042 : 2 prélèvements dont un premier \(FRST\)/)
  })
})
