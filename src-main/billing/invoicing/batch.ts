/**
 * Batch PDFs of a run, as a background job with progress: families who
 * accept e-mails get their invoice through the outbox (queued in short
 * transactions, the PDF rendered by the sender: ../invoice-mail.ts); the
 * others' invoices are gathered into one PDF to print. The PDFs are rendered
 * in worker threads (pdf/pool.ts, #19), so the main thread only reads the
 * invoices and queues the e-mails: the desk and the portal stay responsive
 * meanwhile. Started again after a stop, it e-mails only the invoices not
 * queued yet.
 */
import { randomBytes } from 'node:crypto'
import type { JobDto } from '@shared/contract/billing-shapes'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { DomainError } from '../../core/errors'
import { parisDay } from '../../core/clock'
import { audit } from '../../audit/audit'
import { consentingRecipients } from '../../families/contact'
import { mailContext } from '../../mail/outbox'
import { warmPdfPool } from '../pdf/pool'
import { renderPrintFile } from '../pdf/print-file'
import { invoiceDocContext, invoicesPdfData } from '../documents/render'
import { queueInvoiceMails } from '../invoice-mail'
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
  /** E-mails queued per transaction (tests). */
  mailsPerTx?: number
}

export interface BatchReport {
  rendered: number
  emailed: number
  /** Already in the outbox (an earlier batch, or this one before a stop): not e-mailed again. */
  alreadyEmailed: number
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
  let done = 0
  const progress = (n: number) => {
    done += n
    if (job) {
      job.done = done
      job.ratePerSecond = Math.round((done / Math.max(1, Date.now() - t0)) * 1000 * 10) / 10
      job.message = `${done} / ${invoices.length} factures`
    }
  }
  // The e-mails name their invoice; the sender renders it when it sends (invoice-mail.ts, #19).
  const mailed = invoices.filter((i) => recipient(i.familyId))
  const mailedIds = new Set(mailed.map((i) => i.id))
  // The print file is rendered in parts on every thread while the e-mails are queued, then merged into one PDF
  // (pdf/print-file.ts, #19). An invoice only printed counts in the progress when its part is done.
  const printedIds = invoices.filter((i) => opts.printAll || !recipient(i.familyId)).map((i) => i.id)
  const printFile = observed(
    renderPrintFile(printedIds, (ids) => core.tx.read((m) => invoicesPdfData(m, ids, ctx)), 'Factures à imprimer', (ids) =>
      progress(ids.filter((id) => !mailedIds.has(id)).length)
    )
  )
  let queued = { queued: 0, already: 0 }
  try {
    queued = await queueInvoiceMails(core, actor, opts.runId, mailed.map((i) => i.id), recipient, mailCtx, progress, opts.mailsPerTx)
  } finally {
    // A failure leaves no render running unobserved.
    await Promise.allSettled([printFile])
  }
  const printPdf = await printFile
  // The print file goes to the post today: those invoices are sent too.
  if (printedIds.length) {
    await core.tx.run(async (m) => {
      await markInvoicesNotified(m, printedIds, parisDay(core.clock.now()))
      await audit(m, actor, core.clock.now(), { action: 'invoice-print', entity: 'invoicing_run', entityId: opts.runId, after: { invoices: printedIds.length } })
    })
  }
  return { rendered: invoices.length, emailed: queued.queued, alreadyEmailed: queued.already, printed: printedIds.length, ms: Date.now() - t0, printPdf }
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
      const before = r.alreadyEmailed ? ` (${r.alreadyEmailed} déjà envoyées auparavant, pas renvoyées)` : ''
      job.message = `${r.rendered} factures : ${r.emailed} envoyées par e-mail${before}, ${r.printed} à imprimer (${(r.ms / 1000).toFixed(1)} s).`
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
