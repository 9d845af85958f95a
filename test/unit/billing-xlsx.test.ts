import { describe, expect, it } from 'vitest'
import * as XLSX from 'xlsx'
import { buildWorkbook, escapeFormula } from '../../src-main/billing/exports/xlsx'
import { pdfSafe, renderPdf } from '../../src-main/billing/pdf/printer'
import { pdfText } from '../helpers/billing-tools'

describe('xlsx exports', () => {
  it('escapes text that a spreadsheet would run as a formula', () => {
    expect(escapeFormula('=HYPERLINK("http://x")')).toBe(`'=HYPERLINK("http://x")`)
    expect(escapeFormula('+33 6')).toBe("'+33 6")
    expect(escapeFormula('-1')).toBe("'-1")
    expect(escapeFormula('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(escapeFormula('Dupont')).toBe('Dupont')
  })

  it('writes typed cells, frozen header and totals that an independent reader sees', async () => {
    const buf = await buildWorkbook([
      {
        name: 'Journal',
        title: 'Journal des factures',
        columns: [
          { header: 'Numéro', key: 'number', type: 'text' },
          { header: 'Date', key: 'date', type: 'date' },
          { header: 'Montant', key: 'amount', type: 'money', total: true },
          { header: 'Lignes', key: 'lines', type: 'int', total: true }
        ],
        rows: [
          { number: 'AL-36', date: '2026-03-31', amount: 12060, lines: 3 },
          { number: '=cmd|calc', date: '2026-02-28', amount: -550, lines: 1 }
        ],
        totalsLabel: 'Total'
      }
    ])
    const wb = XLSX.read(buf, { type: 'buffer', cellDates: true, cellNF: true })
    const ws = wb.Sheets.Journal
    expect(ws.A1.v).toBe('Journal des factures')
    expect(ws.A3.v).toBe('Numéro')
    expect(ws.A4.v).toBe('AL-36')
    expect(ws.A5.v).toBe("'=cmd|calc")
    expect(ws.A5.t).toBe('s')
    expect(ws.B4.t).toBe('d')
    expect((ws.B4.v as Date).toISOString().slice(0, 10)).toBe('2026-03-31')
    expect(ws.C4.t).toBe('n')
    expect(ws.C4.v).toBe(120.6)
    expect(ws.C4.z).toContain('€')
    expect(ws.C6.f).toBe('SUM(C4:C5)')
    expect(ws.C6.v).toBeCloseTo(115.1, 10)
    expect(ws.D6.v).toBe(4)
    const styled = XLSX.read(buf, { type: 'buffer', cellStyles: true }).Sheets.Journal
    expect(styled['!cols']?.[0]?.width).toBeGreaterThanOrEqual(10)
    expect(styled['!cols']?.[2]?.width).toBe(14)
    expect(ws['!autofilter']?.ref).toBe('A3:D3')
    // Frozen pane: SheetJS does not expose views, so read the sheet XML.
    const zip = XLSX.CFB.read(buf, { type: 'buffer' })
    const sheetXml = XLSX.CFB.find(zip, '/xl/worksheets/sheet1.xml')
    expect(Buffer.from(sheetXml!.content as Uint8Array).toString()).toMatch(/<pane[^>]*ySplit="3"[^>]*state="frozen"/)
  })
})

describe('print setup', () => {
  it('A4 landscape, one page wide, header row repeated, title above and structure and page number below', async () => {
    const buf = await buildWorkbook(
      [{ name: 'Journal', title: 'Journal des factures', columns: [{ header: 'Numéro', key: 'n', type: 'text' }], rows: [{ n: 'AL-1' }], totalsLabel: 'Total' }],
      { structureName: 'Enfance & Loisirs' }
    )
    const zip = XLSX.CFB.read(buf, { type: 'buffer' })
    const sheet = Buffer.from(XLSX.CFB.find(zip, '/xl/worksheets/sheet1.xml')!.content as Uint8Array).toString()
    expect(sheet).toMatch(/<pageSetUpPr fitToPage="1"\/>/)
    expect(sheet).toMatch(/<pageSetup[^>]*paperSize="9"[^>]*orientation="landscape"[^>]*fitToWidth="1"[^>]*fitToHeight="0"/)
    // « & » starts a code in headers and footers: a literal one is doubled.
    expect(sheet).toContain('<oddFooter>&amp;LEnfance &amp;&amp; Loisirs&amp;RPage &amp;P / &amp;N</oddFooter>')
    expect(sheet).toContain('<oddHeader>&amp;L&amp;&quot;-,Bold&quot;Journal des factures</oddHeader>')
    const book = Buffer.from(XLSX.CFB.find(zip, '/xl/workbook.xml')!.content as Uint8Array).toString()
    expect(book).toMatch(/<definedName name="_xlnm.Print_Titles" localSheetId="0">(&apos;)?Journal(&apos;)?!\$3:\$3<\/definedName>/)
  })
})

describe('pdf rendering', () => {
  it('renders French text that pdftotext reads back', async () => {
    const pdf = await renderPdf({ content: [{ text: 'Facture AL-36 — Léo Périscolaire, cœur, 20,80\u00a0€' }, 'Tranche ≥ 1 000 − réduction'] })
    const text = pdfText(pdf)
    expect(text).toContain('Facture AL-36 — Léo Périscolaire, cœur, 20,80 €')
    expect(text).toContain('Tranche >= 1 000 - réduction')
  })
  it('transliterates characters outside WinAnsi', () => {
    expect(pdfSafe('Łukasz Wałęsa ≥ 中')).toBe('Lukasz Walesa >= ?')
    expect(pdfSafe('Zoë Œuvre 20 €')).toBe('Zoë Œuvre 20 €')
  })
})
