/**
 * Batch PDFs of a run, as a background job with progress: each invoice is
 * rendered; families who accept e-mails get theirs through the outbox
 * (attachment, queued in small transactions); the others' invoices are
 * gathered into one PDF to print. The PDFs are rendered in worker threads
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
import { consentingRecipient } from '../../families/contact'
import { enqueueMail, mailContext } from '../../mail/outbox'
import { renderInWorker, pdfThreads } from '../pdf/pool'
import { invoiceDocContext, invoicePdfData } from '../documents/render'
import type { InvoicePdfData } from '../documents/pdfs'
import { billingTemplates } from '../mail'
import { Invoice } from '../entities'
import { markInvoicesNotified } from '../invoices'

interface Job extends JobDto {
  startedAt: number
  file: { filename: string; mime: string; data: Buffer } | null
}

const jobs = new Map<string, Job>()

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
  const { ids, ctx, mailCtx } = await core.tx.read(async (m) => {
    const invoices = await m.find(Invoice, { where: { runId: opts.runId }, order: { seq: 'ASC' }, select: { id: true, seq: true } })
    return {
      ids: invoices.map((i) => i.id).slice(0, limit),
      ctx: await invoiceDocContext(core, m),
      mailCtx: await mailContext(m, core.runtime.portalUrl)
    }
  })
  if (ids.length === 0) throw new DomainError('not_found', 'Ce lot ne contient aucune facture.', 404)
  if (job) job.total = ids.length
  const toPrint: InvoicePdfData[] = []
  let pendingMails: { invoiceId: number; familyId: number; to: string; number: string; filename: string; pdf: Buffer; period: string; total: number; due: number; dueDate: string; debit: boolean }[] = []
  let emailed = 0
  let printed = 0
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
  const printedIds: number[] = []
  // Rendering happens in the worker threads; this loop reads the next invoices meanwhile, keeping a few renders
  // per thread in flight, and takes the PDFs back in the order of the numbers.
  const inFlight: { id: number; data: InvoicePdfData; to: string; pdf: Promise<Buffer> }[] = []
  const window = pdfThreads() * 4
  let done = 0
  const settle = async () => {
    const { id, data, to, pdf } = inFlight.shift()!
    if (to) {
      pendingMails.push({
        invoiceId: id,
        familyId: 0,
        to,
        number: data.number,
        filename: `facture-${data.number.replace(/[^A-Za-z0-9._-]+/g, '_')}.pdf`,
        pdf: await pdf,
        period: `${frenchDate(data.periodStart)} - ${frenchDate(data.periodEnd)}`,
        total: data.totalCents,
        due: data.cancelled ? 0 : data.totalCents - data.paidCents,
        dueDate: data.dueDate,
        debit: data.collection === 'debit'
      })
      if (pendingMails.length >= 25) await flush()
    } else await pdf
    if (!to || opts.printAll) {
      toPrint.push(data)
      printedIds.push(id)
      printed++
    }
    done++
    if (job) {
      job.done = done
      job.ratePerSecond = Math.round((done / Math.max(1, Date.now() - t0)) * 1000 * 10) / 10
      job.message = `${done} / ${ids.length} factures`
    }
  }
  try {
    for (const id of ids) {
      const { data, to } = await core.tx.read(async (m) => {
        const data = await invoicePdfData(m, id, ctx)
        const inv = await m.findOneByOrFail(Invoice, { id })
        return { data, to: opts.email ? await consentingRecipient(m, inv.familyId) : '' }
      })
      inFlight.push({ id, data, to, pdf: renderInWorker({ kind: 'invoice', data }) })
      if (inFlight.length >= window) await settle()
    }
    while (inFlight.length) await settle()
  } finally {
    // A failure leaves no render running unobserved.
    await Promise.allSettled(inFlight.map((x) => x.pdf))
  }
  await flush()
  const printPdf = toPrint.length ? await renderInWorker({ kind: 'print', invoices: toPrint, footer: 'Factures à imprimer' }) : null
  // The print file goes to the post today: those invoices are sent too.
  if (printedIds.length) {
    await core.tx.run(async (m) => {
      await markInvoicesNotified(m, printedIds, parisDay(core.clock.now()))
      await audit(m, actor, core.clock.now(), { action: 'invoice-print', entity: 'invoicing_run', entityId: opts.runId, after: { invoices: printedIds.length } })
    })
  }
  return { rendered: ids.length, emailed, printed, ms: Date.now() - t0, printPdf }
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
