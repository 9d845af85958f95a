/**
 * The files an outbox row attaches, as the sender hands them over: carried
 * in the row (base64), or a document named by the row and rendered now
 * (#19: a city's invoices are not stored twice, as PDFs in the outbox and in
 * every backup). A document that cannot be rendered fails its e-mail with a
 * French message on the outbox line: an invoice e-mail never leaves without
 * its invoice.
 */
import type { Core } from '../core/app-core'
import { renderInvoicePdfs } from '../billing/invoice-pdfs'
import type { OutboxAttachment, OutboxDocument } from './entities'

export interface MailFile {
  filename: string
  contentType: string
  content: Buffer
}

/** A document of the e-mail could not be rendered: `reason` says which and why; the message adds what to do. */
export class DocumentUnavailable extends Error {
  constructor(readonly reason: string) {
    super(`${reason} L’e-mail ne part pas sans elle ; relancez-le depuis « E-mails envoyés » une fois le problème réglé.`)
  }
}

/** Documents per worker task (one message each way for the lot, as in the batch). */
const PER_TASK = 8

export const isDocument = (a: OutboxAttachment): a is OutboxDocument => 'document' in a

/**
 * Starts rendering, at once, the documents of the e-mails a round is about to send (a few per worker task), and
 * returns how to get each e-mail's files: the PDFs are ready by the time each e-mail's turn comes.
 */
export function attachmentsOf(core: Core, mails: { attachments: OutboxAttachment[] }[]): (mail: { attachments: OutboxAttachment[] }) => Promise<MailFile[]> {
  const ids = [...new Set(mails.flatMap((x) => x.attachments.filter(isDocument).map((a) => a.invoiceId)))]
  const pdfs = new Map<number, Promise<Buffer | Error | undefined>>()
  for (let at = 0; at < ids.length; at += PER_TASK) {
    const group = ids.slice(at, at + PER_TASK)
    const task = renderInvoicePdfs(core, group).catch((e: Error) => new Map(group.map((id) => [id, e])))
    for (const id of group) pdfs.set(id, task.then((byId) => byId.get(id)))
  }
  return (mail) =>
    Promise.all(
      mail.attachments.map(async (a): Promise<MailFile> => {
        if (!isDocument(a)) return { filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content, 'base64') }
        const pdf = await (pdfs.get(a.invoiceId) ?? renderInvoicePdfs(core, [a.invoiceId]).then((m) => m.get(a.invoiceId), (e: Error) => e))
        if (pdf && !(pdf instanceof Error)) return { filename: a.filename, contentType: a.contentType, content: pdf }
        const why = pdf ? `elle n’a pas pu être générée (${pdf.message.slice(0, 200)})` : 'elle est introuvable'
        throw new DocumentUnavailable(`Non envoyé : la facture jointe (${a.filename}) manque, ${why}.`)
      })
    )
}
