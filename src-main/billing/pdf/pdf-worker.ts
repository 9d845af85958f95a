/**
 * The PDF worker (#19): renders invoice PDFs off the main thread, in a
 * piscina pool (pool.ts), so a city's batch uses every core while the event
 * loop keeps serving the portal. It takes plain data (pdfmake definitions
 * hold functions, which cannot cross threads) and builds the definition here.
 */
import type { Content } from 'pdfmake/interfaces'
import { invoicePdf, type InvoicePdfData } from '../documents/pdfs'
import { documentDef } from '../documents/layout'
import { renderPdf } from './printer'

export type PdfTask = { kind: 'invoice'; data: InvoicePdfData } | { kind: 'print'; invoices: InvoicePdfData[]; footer: string }

/** One invoice, or the print file: the invoices one after the other, a page break between two. */
export async function render(task: PdfTask): Promise<Uint8Array> {
  if (task.kind === 'invoice') return renderPdf(invoicePdf(task.data))
  const content: Content[] = []
  for (const data of task.invoices) {
    if (content.length) content.push({ text: '', pageBreak: 'after' })
    content.push(...(invoicePdf(data).content as Content[]))
  }
  return renderPdf(documentDef(content, task.footer))
}
