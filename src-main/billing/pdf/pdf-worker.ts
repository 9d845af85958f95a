/**
 * The PDF worker (#19): renders invoice PDFs off the main thread, in a
 * piscina pool (pool.ts), so a city's batch uses every core while the event
 * loop keeps serving the portal. It takes plain data (pdfmake definitions
 * hold functions, which cannot cross threads) and builds the definition here.
 */
import Piscina from 'piscina'
import type { Content } from 'pdfmake/interfaces'
import { invoicePdf, type InvoicePdfData } from '../documents/pdfs'
import { documentDef } from '../documents/layout'
import { renderPdf } from './printer'

/**
 * A few invoices, one PDF each (one message each way for the lot: a batch sends 8 per task); or the print
 * file: the invoices one after the other, a page break between two.
 */
export type PdfTask = { kind: 'invoices'; invoices: InvoicePdfData[] } | { kind: 'print'; invoices: InvoicePdfData[]; footer: string }

/** The PDFs, moved to the main thread rather than copied (their memory changes hands). */
export async function render(task: PdfTask): Promise<Uint8Array[]> {
  const pdfs: Uint8Array[] = []
  if (task.kind === 'invoices') for (const data of task.invoices) pdfs.push(ownBuffer(await renderPdf(invoicePdf(data))))
  else pdfs.push(ownBuffer(await renderPdf(printFile(task.invoices, task.footer))))
  const moved = { [Piscina.transferableSymbol]: pdfs.map((p) => p.buffer), [Piscina.valueSymbol]: pdfs }
  return Piscina.move(moved as unknown as Parameters<typeof Piscina.move>[0]) as unknown as Uint8Array[]
}

function printFile(invoices: InvoicePdfData[], footer: string) {
  const content: Content[] = []
  for (const data of invoices) {
    if (content.length) content.push({ text: '', pageBreak: 'after' })
    content.push(...(invoicePdf(data).content as Content[]))
  }
  return documentDef(content, footer)
}

/** A small Buffer may sit in Node's shared pool, which cannot be moved: such a one is copied. */
function ownBuffer(b: Buffer): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? new Uint8Array(b.buffer) : new Uint8Array(b)
}
