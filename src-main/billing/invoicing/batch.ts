/**
 * Batch PDFs of a run, as a background job with progress: families who
 * accept e-mails get their invoice through the outbox (PDF attached, queued
 * in small transactions); the others' invoices are gathered into one PDF to
 * print. The PDFs are rendered in worker threads
 * (pdf/pool.ts, #19), so the main thread only reads the invoices and queues
 * the e-mails: the desk and the portal stay responsive meanwhile.
 */
import { randomBytes } from 'node:crypto'
import type { JobDto } from '@shared/contract/billing-shapes'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { DomainError } from '../../core/errors'
import { frenchDate, parisDay } from '../../core/clock'
import { audit } from '../../audit/audit'
import { consentingRecipients } from '../../families/contact'
import { enqueueMail, mailContext } from '../../mail/outbox'
import { renderInWorker, pdfThreads, warmPdfPool } from '../pdf/pool'
import { renderPrintFile } from '../pdf/print-file'
import { invoiceDocContext, invoicesPdfData } from '../documents/render'
import type { InvoicePdfData } from '../documents/pdfs'
import { billingTemplates } from '../mail'
import { Invoice } from '../entities'
import { markInvoicesNotified } from '../invoices'

interface Job extends JobDto {
  startedAt: number
  file: { filename: string; mime: string; data: Buffer } | null
}

const jobs = new Map<string, Job>()

/** Invoices per worker task: enough to make a message's cost small beside 8 renders, few enough for a smooth progress bar. */
const PER_TASK = 8

export function jobDto(j: Job): JobDto {
  return { id: j.id, kind: j.kind, status: j.status, done: j.done, total: j.total, message: j.message, ratePerSecond: j.ratePerSecond, hasFile: j.file !== null }
}

export function getJob(id: string): Job {
  const j = jobs.get(id)
  if (!j) throw new DomainError('not_found', 'Traitement introuvable (l’application a peut-être redémarré).', 404)
  return j
}

export interface BatchOptions {
  runId: number
  email: boolean
  /** Put every invoice in the print file, not only those of families without e-mail. */
  printAll: boolean
}

export interface BatchReport {
  rendered: number
  emailed: number
  printed: number
  ms: number
}

/** The work itself (exported for the benchmark and tests); `job` receives progress; `limit` renders only the first invoices. */
export async function runInvoiceBatch(core: Core, actor: Actor, opts: BatchOptions, job?: Job, limit = Infinity): Promise<BatchReport & { printPdf: Buffer | null }> {
  const t0 = Date.now()
  warmPdfPool() // the threads start while the invoices are read
  const { invoices, ctx, mailCtx, recipients } = await core.tx.read(async (m) => {
    const invoices = (await m.find(Invoice, { where: { runId: opts.runId }, order: { seq: 'ASC' }, select: { id: true, seq: true, familyId: true } })).slice(0, limit)
    return {
      invoices,
      ctx: await invoiceDocContext(core, m),
      mailCtx: await mailContext(m, core.runtime.portalUrl),
      // Every family's address at once: one query for the run, not two per invoice.
      recipients: opts.email ? await consentingRecipients(m, invoices.map((i) => i.familyId)) : new Map<number, string>()
    }
  })
  if (invoices.length === 0) throw new DomainError('not_found', 'Ce lot ne contient aucune facture.', 404)
  if (job) job.total = invoices.length
  const recipient = (familyId: number) => recipients.get(familyId) ?? ''
  let pendingMails: { invoiceId: number; familyId: number; to: string; number: string; filename: string; pdf: Buffer; period: string; total: number; due: number; dueDate: string; debit: boolean }[] = []
  let emailed = 0
  const flush = async () => {
    if (!pendingMails.length) return
    const batch = pendingMails
    pendingMails = []
    await core.tx.run(async (m) => {
      for (const p of batch) {
        await enqueueMail(
          m,
          core,
          p.to,
          billingTemplates.invoiceIssued(mailCtx, { number: p.number, period: p.period, totalCents: p.total, dueCents: p.due, dueDate: p.dueDate, debit: p.debit }),
          [{ filename: p.filename, contentType: 'application/pdf', content: p.pdf.toString('base64') }]
        )
      }
      // Queued in this transaction: the pre-notification of a direct debit runs from today.
      await markInvoicesNotified(m, batch.map((p) => p.invoiceId), parisDay(core.clock.now()))
      await audit(m, actor, core.clock.now(), { action: 'invoice-email', entity: 'invoicing_run', entityId: opts.runId, after: { invoices: batch.map((p) => p.number) } })
    })
    emailed += batch.length
  }
  let done = 0
  const progress = (n: number) => {
    done += n
    if (job) {
      job.done = done
      job.ratePerSecond = Math.round((done / Math.max(1, Date.now() - t0)) * 1000 * 10) / 10
      job.message = `${done} / ${invoices.length} factures`
    }
  }
  // The print file is rendered in parts on every thread, beside the e-mailed invoices, then merged into one PDF
  // (pdf/print-file.ts, #19). An invoice only printed is rendered there only.
  const printedIds = invoices.filter((i) => opts.printAll || !recipient(i.familyId)).map((i) => i.id)
  const printFile = observed(renderPrintFile(printedIds, (ids) => core.tx.read((m) => invoicesPdfData(m, ids, ctx)), 'Factures à imprimer'))
  // The e-mailed invoices, a few per worker task (one message each way for the lot); this loop reads the next
  // ones meanwhile, keeping two tasks per thread in flight, and takes the PDFs back in the order of the numbers.
  // Progress follows that order; an invoice only printed counts when its turn comes.
  const inFlight: { invoices: (InvoicePdfData & { id: number; familyId: number })[]; skipped: number; pdfs: Promise<Buffer[]> }[] = []
  const window = pdfThreads() * 2
  const settle = async () => {
    const { invoices: sent, skipped, pdfs } = inFlight.shift()!
    const rendered = await pdfs
    progress(skipped)
    for (const [i, data] of sent.entries()) {
      pendingMails.push({
        invoiceId: data.id,
        familyId: data.familyId,
        to: recipient(data.familyId),
        number: data.number,
        filename: `facture-${data.number.replace(/[^A-Za-z0-9._-]+/g, '_')}.pdf`,
        pdf: rendered[i],
        period: `${frenchDate(data.periodStart)} - ${frenchDate(data.periodEnd)}`,
        total: data.totalCents,
        due: data.cancelled ? 0 : data.totalCents - data.paidCents,
        dueDate: data.dueDate,
        debit: data.collection === 'debit'
      })
      if (pendingMails.length >= 25) await flush()
      progress(1)
    }
  }
  try {
    let group: number[] = []
    let skipped = 0
    const send = async () => {
      const ids = group
      group = []
      const sent = ids.length ? await core.tx.read((m) => invoicesPdfData(m, ids, ctx)) : []
      inFlight.push({ invoices: sent, skipped, pdfs: sent.length ? observed(renderInWorker({ kind: 'invoices', invoices: sent })) : Promise.resolve([]) })
      skipped = 0
      if (inFlight.length >= window) await settle()
    }
    for (const inv of invoices) {
      if (!recipient(inv.familyId)) skipped++
      else if (group.push(inv.id) === PER_TASK) await send()
    }
    if (group.length || skipped) await send()
    while (inFlight.length) await settle()
  } finally {
    // A failure leaves no render running unobserved.
    await Promise.allSettled([...inFlight.map((x) => x.pdfs), printFile])
  }
  await flush()
  const printPdf = await printFile
  // The print file goes to the post today: those invoices are sent too.
  if (printedIds.length) {
    await core.tx.run(async (m) => {
      await markInvoicesNotified(m, printedIds, parisDay(core.clock.now()))
      await audit(m, actor, core.clock.now(), { action: 'invoice-print', entity: 'invoicing_run', entityId: opts.runId, after: { invoices: printedIds.length } })
    })
  }
  return { rendered: invoices.length, emailed, printed: printedIds.length, ms: Date.now() - t0, printPdf }
}

/** A render awaited later: its failure is reported there, not as an unhandled rejection that ends the process meanwhile. */
function observed<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {})
  return p
}

/** Starts the batch in the background; poll with getJob. */
export function startInvoiceBatch(core: Core, actor: Actor, opts: BatchOptions): JobDto {
  const job: Job = {
    id: randomBytes(8).toString('hex'),
    kind: 'invoice-batch',
    status: 'running',
    done: 0,
    total: 0,
    message: 'Préparation…',
    ratePerSecond: 0,
    hasFile: false,
    startedAt: Date.now(),
    file: null
  }
  jobs.set(job.id, job)
  runInvoiceBatch(core, actor, opts, job)
    .then((r) => {
      job.status = 'done'
      job.message = `${r.rendered} factures générées, ${r.emailed} envoyées par e-mail, ${r.printed} à imprimer (${(r.ms / 1000).toFixed(1)} s).`
      if (r.printPdf) job.file = { filename: `factures-lot-${opts.runId}-a-imprimer.pdf`, mime: 'application/pdf', data: r.printPdf }
      job.hasFile = job.file !== null
    })
    .catch((e) => {
      job.status = 'failed'
      job.message = e instanceof DomainError ? e.message : 'La génération des factures a échoué. Réessayez ; si le problème persiste, contactez le support.'
      core.options.log(`Lot de factures ${opts.runId} : ${(e as Error).stack ?? e}`)
    })
  // Keep a few finished jobs only.
  for (const [id, j] of jobs) if (j.status !== 'running' && Date.now() - j.startedAt > 6 * 3600_000) jobs.delete(id)
  return jobDto(job)
}
