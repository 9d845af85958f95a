/**
 * The print file of a batch (#19): every invoice to post, in one PDF the desk
 * prints. One pdfmake document would be rendered by one thread (at 20,000
 * families, ~6,000 invoices: ~40 s of one core, while the other idles), so it
 * is rendered in parts of a few dozen invoices on every worker thread, then
 * merged and numbered across its pages in a worker (merge.ts).
 */
import type { InvoicePdfData } from '../documents/pdfs'
import { pdfThreads, renderInWorker } from './pool'
import { nextTurn } from '../../core/next-turn'

/**
 * Invoices per part, at most: parts spread the file over the threads and keep a progress bar moving; each part
 * carries its own copy of the logo and fonts, and the merge costs a little per part. A short file is cut in two
 * parts per thread.
 */
const PER_PART = 40

/**
 * The invoices `ids`, in this order, as one PDF. `read` fetches a part's data (a short read transaction): parts
 * are read one after the other, two per thread in flight, the portal's requests served between two reads.
 * `onPart` is told the invoices of each part rendered, in order (progress).
 */
export async function renderPrintFile(
  ids: number[],
  read: (ids: number[]) => Promise<InvoicePdfData[]>,
  footer: string,
  onPart?: (ids: number[]) => void
): Promise<Buffer | null> {
  if (!ids.length) return null
  const perPart = Math.min(PER_PART, Math.ceil(ids.length / (pdfThreads() * 2)))
  const inFlight: { ids: number[]; pdf: Promise<Buffer[]> }[] = []
  const parts: Buffer[] = []
  const settle = async () => {
    const part = inFlight.shift()!
    parts.push((await part.pdf)[0])
    onPart?.(part.ids)
  }
  try {
    for (let at = 0; at < ids.length; at += perPart) {
      const partIds = ids.slice(at, at + perPart)
      const invoices = await read(partIds)
      const pdf = renderInWorker({ kind: 'print', invoices, footer })
      pdf.catch(() => {}) // awaited in order below; a failure is reported there
      inFlight.push({ ids: partIds, pdf })
      if (inFlight.length >= pdfThreads() * 2) await settle()
      await nextTurn()
    }
    while (inFlight.length) await settle()
  } finally {
    // A failure leaves no render running unobserved.
    await Promise.allSettled(inFlight.map((x) => x.pdf))
  }
  return (await renderInWorker({ kind: 'merge', parts: parts.splice(0) }))[0]
}
