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
import { mergePrintParts } from './merge'

/**
 * A few invoices, one PDF each (one message each way for the lot: a batch sends 8 per task); or a part of the
 * print file: its invoices one after the other, a page break between two, pages not numbered yet; or the
 * print file from its parts, numbered (merge.ts); or nothing, for a thread started ahead of a batch (pool.ts).
 */
export type PdfTask =
  | { kind: 'invoices'; invoices: InvoicePdfData[] }
  | { kind: 'print'; invoices: InvoicePdfData[]; footer: string }
  | { kind: 'merge'; parts: Uint8Array[] }
  | { kind: 'warm' }

/** The PDFs, moved to the main thread rather than copied (their memory changes hands). */
export async function render(task: PdfTask): Promise<Uint8Array[]> {
  const pdfs: Uint8Array[] = []
  if (task.kind === 'invoices') for (const data of task.invoices) pdfs.push(ownBuffer(await renderPdf(invoicePdf(data))))
  else if (task.kind === 'warm') await renderPdf({ content: '' }) // fonts parsed, code compiled
  else if (task.kind === 'print') pdfs.push(ownBuffer(await renderPdf(printPart(task.invoices, task.footer))))
  else pdfs.push(ownBuffer(await mergePrintParts(task.parts)))
  const moved = { [Piscina.transferableSymbol]: pdfs.map((p) => p.buffer), [Piscina.valueSymbol]: pdfs }
  return Piscina.move(moved as unknown as Parameters<typeof Piscina.move>[0]) as unknown as Uint8Array[]
}

function printPart(invoices: InvoicePdfData[], footer: string) {
  const content: Content[] = []
  for (const data of invoices) {
    if (content.length) content.push({ text: '', pageBreak: 'after' })
    content.push(...(invoicePdf(data).content as Content[]))
  }
  return documentDef(content, footer, false)
}

/** A small Buffer may sit in Node's shared pool, or bytes in a larger block, which cannot be moved: such ones are copied. */
function ownBuffer(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? new Uint8Array(b.buffer) : new Uint8Array(b)
}
