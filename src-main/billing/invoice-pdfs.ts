/**
 * Invoice PDFs for the outbox's sender (#19): the e-mails of a run's invoices
 * name their invoice, and the sender renders it when it sends (mail/
 * attachments.ts). Separate from invoice-mail.ts, which queues those e-mails,
 * so that mail/ does not import the outbox back through it.
 */
import type { Core } from '../core/app-core'
import { invoiceDocContext, invoicesPdfData } from './documents/render'
import { renderInWorker } from './pdf/pool'

/**
 * The PDFs of a few invoices, rendered in a worker thread exactly as the batch renders them (same data, same
 * worker): by invoice id; an invoice that cannot be found is missing from the map. If the task fails, each
 * invoice is rendered alone, so that one faulty invoice fails only its own e-mail.
 */
export async function renderInvoicePdfs(core: Core, ids: number[]): Promise<Map<number, Buffer | Error>> {
  const data = await core.tx.read(async (m) => invoicesPdfData(m, ids, await invoiceDocContext(core, m)))
  const out = new Map<number, Buffer | Error>()
  try {
    const pdfs = data.length ? await renderInWorker({ kind: 'invoices', invoices: data }) : []
    data.forEach((d, i) => out.set(d.id, pdfs[i]))
  } catch (e) {
    if (data.length === 1) out.set(data[0].id, e as Error)
    else for (const d of data) out.set(d.id, await renderInWorker({ kind: 'invoices', invoices: [d] }).then((p) => p[0], (x: Error) => x))
  }
  return out
}
