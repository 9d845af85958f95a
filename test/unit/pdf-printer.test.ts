/**
 * What the batch speed-ups of the PDF printer (#19) must not change: a logo
 * with transparency looks the same (flattened on white, no soft mask left for
 * pdfkit to split in every invoice), and the standard fonts' widths and
 * kerning, now parsed once per thread, are those of their AFM files.
 */
import PdfPrinter from 'pdfmake'
import type { Content } from 'pdfmake/interfaces'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { pdfLogo, renderPdf } from '../../src-main/billing/pdf/printer'
import { pdfPages, pdfText, qpdfCheck } from '../helpers/billing-tools'

/** 3 × 1 px RGBA: transparent, opaque red, half-transparent black. */
function transparentPng(): string {
  const png = new PNG({ width: 3, height: 1 })
  png.data.set([0, 0, 0, 0, 255, 0, 0, 255, 0, 0, 0, 128])
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`
}

describe('pdf printer', () => {
  it('flattens a transparent PNG logo on white once, and the invoice PDF embeds it without a soft mask', async () => {
    const logo = transparentPng()
    const flat = pdfLogo(logo)!
    expect(pdfLogo(logo)).toBe(flat) // the batch's next invoices reuse it
    const png = PNG.sync.read(Buffer.from(flat.split(',')[1], 'base64'))
    expect(Buffer.from(flat.split(',')[1], 'base64')[25]).toBe(2) // colour type 2: RGB, no alpha channel
    expect([...png.data]).toEqual([255, 255, 255, 255, 255, 0, 0, 255, 127, 127, 127, 255])
    const pdf = await renderPdf({ content: [{ image: flat, width: 30 }, 'Facture N° 2604EN000001 — Élodie Bœuf, à régler : 12,50\u00a0€'] })
    qpdfCheck(pdf)
    expect(pdfText(pdf)).toContain('Facture N° 2604EN000001 — Élodie Bœuf, à régler : 12,50 €')
    const raw = pdf.toString('latin1')
    expect(raw).toMatch(/\/Subtype \/Image/)
    expect(raw).not.toContain('/SMask')
    // A JPEG is embedded as it is; anything else is no logo.
    expect(pdfLogo('data:image/jpeg;base64,/9j/AA==')).toBe('data:image/jpeg;base64,/9j/AA==')
    expect(pdfLogo('data:image/gif;base64,R0lGOD')).toBeNull()
  })

  it('keeps the AFM widths and kerning of Helvetica, document after document', async () => {
    await renderPdf({ content: ['AVA'] }) // the metrics are cached from here on
    const printer = new PdfPrinter({ Helvetica: { normal: 'Helvetica', bold: 'Helvetica-Bold' } })
    for (let i = 0; i < 2; i++) {
      const doc = printer.createPdfKitDocument({ content: '' }) as unknown as { font(f: string): { fontSize(n: number): { widthOfString(s: string): number } } }
      // A and V are 667 units wide; the pair A V is kerned by -70 (-80 in bold).
      expect(doc.font('Helvetica').fontSize(1000).widthOfString('AV')).toBe(1264)
      expect(doc.font('Helvetica').fontSize(1000).widthOfString('AA')).toBe(1334)
      expect(doc.font('Helvetica-Bold').fontSize(1000).widthOfString('AV')).toBe(722 + 667 - 80)
    }
  })
})

describe('print file from parts', () => {
  it('reads like the one document pdfmake would have made: same pages, same text, numbered across the parts', async () => {
    const { documentDef } = await import('../../src-main/billing/documents/layout')
    const { mergePrintParts } = await import('../../src-main/billing/pdf/merge')
    // Invoices of one to three pages, so that numbers run over part boundaries mid-invoice.
    const invoice = (n: number): Content[] => [{ text: `FACTURE N° ${n}`, fontSize: 15 }, ...Array.from({ length: 60 * (n % 3) + 10 }, (_, i) => `Ligne ${i} de la facture ${n} — à régler 12,50 €`)]
    const doc = (ns: number[], pageNumbers: boolean) => documentDef(ns.flatMap((n, i) => [...(i ? [{ text: '', pageBreak: 'after' as const }] : []), ...invoice(n)]), 'Factures à imprimer', pageNumbers)
    const one = await renderPdf(doc([1, 2, 3, 4, 5], true))
    const parts = await Promise.all([[1, 2], [3], [4, 5]].map(async (ns) => new Uint8Array(await renderPdf(doc(ns, false)))))
    const merged = await mergePrintParts(parts)
    qpdfCheck(merged)
    expect(pdfText(merged)).toBe(pdfText(one))
    const pages = pdfPages(merged).count
    expect(pages).toBeGreaterThan(5)
    expect(pdfText(merged)).toContain(`Page ${pages} / ${pages}`)
  })
})
