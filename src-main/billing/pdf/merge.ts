/**
 * The print file from its parts (#19): the invoices to print are rendered a
 * few dozen per part on every worker thread, then put back into one PDF here
 * (pdf-lib, pdfme's maintained fork), in order, and numbered « Page n / N »
 * across the whole file as one pdfmake document would have been: the parts
 * leave that place of their footer empty (documentDef's `pageNumbers`). The
 * parts have no outline (pdfmake adds none to an invoice), so none is lost.
 */
import { FOOTER } from '../documents/layout'

type PdfLib = typeof import('@pdfme/pdf-lib')
let lib: PdfLib | null = null
/** pdf-lib is loaded by the one merge of a batch, not by every thread as it starts (a quarter of a second each). */
const pdfLib = (): PdfLib => (lib ??= require('@pdfme/pdf-lib') as PdfLib)

/** The parts, in their order, as one PDF numbered from its first page to its last. */
export async function mergePrintParts(parts: Uint8Array[]): Promise<Uint8Array> {
  const { PDFDocument, StandardFonts, rgb } = pdfLib()
  const out = await PDFDocument.create({ updateMetadata: false })
  out.setCreator('Ribambelle')
  out.setProducer('Ribambelle')
  for (const part of parts) {
    const src = await PDFDocument.load(part, { updateMetadata: false })
    for (const page of await out.copyPages(src, src.getPageIndices())) out.addPage(page)
  }
  const font = await out.embedFont(StandardFonts.Helvetica)
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(FOOTER.color.slice(i, i + 2), 16) / 255)
  const pages = out.getPages()
  const [, top, right] = FOOTER.margin
  for (const [i, page] of pages.entries()) {
    const text = `Page ${i + 1} / ${pages.length}`
    // Where pdfmake puts it: right-aligned against the right margin, one line from the top of the footer band.
    const x = page.getWidth() - right - font.widthOfTextAtSize(text, FOOTER.fontSize)
    const y = FOOTER.bottom - top - font.heightAtSize(FOOTER.fontSize, { descender: false })
    page.drawText(text, { x, y, size: FOOTER.fontSize, font, color: rgb(r, g, b) })
  }
  return out.save({ useObjectStreams: false })
}
