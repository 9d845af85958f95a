/**
 * The mass e-mail of a run's invoices (#19), at a city's scale. The outbox
 * row names the invoice (`{ document: 'invoice', invoiceId }`) instead of
 * carrying its PDF; the sender renders it when it sends (mail/attachments.ts,
 * invoice-pdfs.ts: the PDF worker pool), so neither memory nor the database grows with
 * the number of families. The e-mails are queued in short transactions, each
 * with the invoices it marks as sent; an invoice already in the outbox is not
 * queued again, so a batch killed midway and started again mails every
 * family once and forgets none; and `invoice_mail_batch` remembers a run's
 * e-mailing while it is queued, so the next start finishes one a stopped
 * process left midway (resumeInvoiceMails), without anyone starting it again.
 */
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { frenchDate, parisDay } from '../core/clock'
import { audit } from '../audit/audit'
import { dbOf, marks, stmt } from '../bookings/sql'
import { consentingRecipients } from '../families/contact'
import { Invoice } from './entities'
import { enqueueMails, mailContext } from '../mail/outbox'
import type { OutboxDocument } from '../mail/entities'
import type { MailContext } from '../mail/templates'
import { billingTemplates } from './mail'
import { invoiceRows, markInvoicesNotified } from './invoices'
import { invoiceFileName } from './documents/render'
import { nextTurn } from '../core/next-turn'

/** E-mails per transaction: about 20 ms of write lock each on this machine (#19 asks for < 200 ms). */
export const MAILS_PER_TX = 200

export interface QueueReport {
  queued: number
  /** Already in the outbox (an earlier batch, or this one before a stop): not queued again. */
  already: number
}

/**
 * Queues one e-mail per invoice, to the family's address in `recipients`, in the order given; `onProgress` after
 * each transaction. Recorded in `invoice_mail_batch` from its start to its end: if the process stops in between,
 * the next start finishes it (resumeInvoiceMails).
 */
export async function queueInvoiceMails(
  core: Core,
  actor: Actor,
  runId: number,
  invoiceIds: number[],
  recipients: (invoiceFamilyId: number) => string,
  mailCtx: MailContext,
  onProgress: (n: number) => void,
  perTx = MAILS_PER_TX
): Promise<QueueReport> {
  // The actor as the audit needs it, without the session's flags.
  const who = actor.kind === 'staff' ? { kind: actor.kind, id: actor.id, label: actor.label, role: actor.role } : actor
  await core.tx.run(async (m) => {
    stmt(dbOf(m), `INSERT OR REPLACE INTO invoice_mail_batch (run_id, actor, status, started_at) VALUES (?, ?, 'running', ?)`).run(runId, JSON.stringify(who), core.clock.now().toISOString())
  })
  const report: QueueReport = { queued: 0, already: 0 }
  for (let at = 0; at < invoiceIds.length; at += perTx) {
    const ids = invoiceIds.slice(at, at + perTx)
    // Read and composed before the write transaction, which holds the lock for the inserts only.
    const composed = await core.tx.read(async (m) =>
      invoiceRows(m, ids).flatMap((r) => {
        const to = recipients(r.family_id)
        if (!to) return []
        const mail = billingTemplates.invoiceIssued(mailCtx, {
          number: r.number,
          period: `${frenchDate(r.period_start)} - ${frenchDate(r.period_end)}`,
          totalCents: r.total_cents,
          dueCents: r.status === 'cancelled' ? 0 : r.total_cents - r.paid,
          dueDate: r.due_date,
          debit: r.collection === 'debit'
        })
        const attachments: OutboxDocument[] = [{ filename: invoiceFileName(r.number), contentType: 'application/pdf', document: 'invoice', invoiceId: r.id }]
        return [{ id: r.id, number: r.number, to, mail, attachments }]
      })
    )
    const { queued, already } = await core.tx.run(async (m) => {
      // Checked in the write transaction: what a previous batch queued cannot change under it.
      const known = new Set((stmt(dbOf(m), `SELECT invoice_id AS id FROM outbox_mail WHERE invoice_id IN (${marks(ids.length)})`).all(...ids) as { id: number }[]).map((r) => r.id))
      const sent = composed.filter((c) => !known.has(c.id))
      await enqueueMails(m, core, sent)
      if (sent.length) {
        // Queued in this transaction: the pre-notification of a direct debit runs from today.
        await markInvoicesNotified(m, sent.map((s) => s.id), parisDay(core.clock.now()))
        await audit(m, actor, core.clock.now(), { action: 'invoice-email', entity: 'invoicing_run', entityId: runId, after: { invoices: sent.map((s) => s.number) } })
      }
      return { queued: sent.length, already: known.size }
    })
    report.queued += queued
    report.already += already
    onProgress(ids.length)
    await nextTurn() // the portal's requests are served between two transactions
  }
  await core.tx.run(async (m) => {
    stmt(dbOf(m), `UPDATE invoice_mail_batch SET status = 'done', finished_at = ? WHERE run_id = ?`).run(core.clock.now().toISOString(), runId)
  })
  return report
}

/** At start: the runs' e-mailings a stopped process left midway are finished (the invoices not queued yet), under who started them. */
export async function resumeInvoiceMails(core: Core, log: (msg: string) => void = () => {}): Promise<QueueReport[]> {
  const left = await core.tx.read(async (m) => stmt(dbOf(m), `SELECT run_id AS runId, actor FROM invoice_mail_batch WHERE status = 'running' ORDER BY run_id`).all() as { runId: number; actor: string }[])
  const reports: QueueReport[] = []
  for (const b of left) {
    const { invoices, recipients, mailCtx } = await core.tx.read(async (m) => {
      const invoices = await m.find(Invoice, { where: { runId: b.runId }, order: { seq: 'ASC' }, select: { id: true, familyId: true } })
      return { invoices, recipients: await consentingRecipients(m, invoices.map((i) => i.familyId)), mailCtx: await mailContext(m, core.runtime.portalUrl) }
    })
    const mailed = invoices.filter((i) => recipients.has(i.familyId)).map((i) => i.id)
    const r = await queueInvoiceMails(core, JSON.parse(b.actor) as Actor, b.runId, mailed, (f) => recipients.get(f) ?? '', mailCtx, () => {})
    log(`Envoi des factures du lot ${b.runId} repris : ${r.queued} e-mails mis en file, ${r.already} l’étaient déjà.`)
    reports.push(r)
  }
  return reports
}
