/**
 * Reads what a billing PDF needs and renders it. Invoices are rebuilt on
 * demand from their frozen snapshot and lines, so a PDF printed today is the
 * one printed at issue (plus what has been paid since).
 */
import { In, type EntityManager } from 'typeorm'
import type { Core } from '../../core/app-core'
import { frenchDate, parisDay } from '../../core/clock'
import { DomainError, notFound } from '../../core/errors'
import { Family } from '../../families/entities'
import { getStructure } from '../../settings/settings'
import { CreditNote, Deposit, Invoice, Regie } from '../entities'
import { invoiceLinesOf, invoiceRows } from '../invoices'
import { listPayments, paymentById } from '../payments/payments'
import { getBillingSettings, onlineOffer } from '../settings'
import { familyStatement } from '../statement'
import { renderPdf } from '../pdf/printer'
import { creditNotePdf, depositPdf, invoicePdf, receiptPdf, statementPdf, type InvoicePdfData } from './pdfs'
import type { Identity } from './layout'

export async function identity(m: EntityManager): Promise<Identity> {
  const s = await getStructure(m)
  return { name: s.name, address: s.address, postalCode: s.postalCode, city: s.city, phone: s.phone, email: s.email, siret: s.siret, logo: s.logo }
}

export interface PdfFile {
  filename: string
  data: Buffer
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_')

/** An invoice's file name, downloaded or attached to its e-mail (invoice-mail.ts). */
export const invoiceFileName = (number: string) => `facture-${safeName(number)}.pdf`

export interface InvoiceDocContext {
  logo: string | null
  onlinePayment: boolean
  payAt: string
}

/** What every invoice of a batch shares: the logo, and whether the portal really offers online payment. */
export async function invoiceDocContext(core: Core, m: EntityManager): Promise<InvoiceDocContext> {
  const settings = await getBillingSettings(m)
  return { logo: (await getStructure(m)).logo, onlinePayment: onlineOffer(settings, core.options.runMode).available, payAt: settings.payAt }
}

/** Everything an invoice PDF shows; `ctx` lets a batch read the structure and settings once. */
export async function invoicePdfData(m: EntityManager, invoiceId: number, c: InvoiceDocContext): Promise<InvoicePdfData> {
  const [data] = await invoicesPdfData(m, [invoiceId], c)
  if (!data) throw notFound('Facture')
  return data
}

/** invoicePdfData for several invoices in three queries (a batch reads a few at a time), in the order of `ids`. */
export async function invoicesPdfData(m: EntityManager, ids: number[], c: InvoiceDocContext): Promise<(InvoicePdfData & { id: number; familyId: number })[]> {
  const invoices = new Map((await m.findBy(Invoice, { id: In(ids) })).map((i) => [i.id, i]))
  const rows = new Map(invoiceRows(m, ids).map((r) => [r.id, r]))
  const lines = invoiceLinesOf(m, ids)
  return ids.flatMap((id) => {
    const inv = invoices.get(id)
    const row = rows.get(id)
    if (!inv || !row) return []
    return {
      id,
      familyId: inv.familyId,
      number: inv.number,
      issueDate: inv.issueDate,
      dueDate: inv.dueDate,
      periodStart: inv.periodStart,
      periodEnd: inv.periodEnd,
      totalCents: inv.totalCents,
      paidCents: row.paid,
      collection: inv.collection,
      cancelled: inv.status === 'cancelled',
      creditNoteNumber: row.credit_number,
      snapshot: inv.snapshot,
      logo: c.logo,
      lines: lines.get(id) ?? [],
      onlinePayment: c.onlinePayment,
      payAt: c.payAt
    }
  })
}

export async function renderInvoice(core: Core, invoiceId: number): Promise<PdfFile> {
  const data = await core.tx.read(async (m) => invoicePdfData(m, invoiceId, await invoiceDocContext(core, m)))
  return { filename: invoiceFileName(data.number), data: await renderPdf(invoicePdf(data)) }
}

export async function renderCreditNote(core: Core, creditNoteId: number): Promise<PdfFile> {
  const { def, number } = await core.tx.read(async (m) => {
    const cn = await m.findOneBy(CreditNote, { id: creditNoteId })
    if (!cn) throw notFound('Avoir')
    const inv = await m.findOneByOrFail(Invoice, { id: cn.invoiceId })
    const logo = (await getStructure(m)).logo
    return {
      number: cn.number,
      def: creditNotePdf({ number: cn.number, issueDate: cn.issueDate, amountCents: cn.amountCents, reason: cn.reason, invoiceNumber: inv.number, invoiceDate: inv.issueDate, snapshot: inv.snapshot, logo })
    }
  })
  return { filename: `avoir-${safeName(number)}.pdf`, data: await renderPdf(def) }
}

export async function renderReceipt(core: Core, paymentId: number): Promise<PdfFile> {
  const { def, number } = await core.tx.read(async (m) => {
    const p = paymentById(m, paymentId, parisDay(core.clock.now()))
    if (p.inFlight) throw new DomainError('conflict', `Le prélèvement ${p.number} aura lieu le ${frenchDate(p.receivedOn)} : son reçu sera disponible à partir de cette date.`, 409)
    const fam = await m.findOneByOrFail(Family, { id: p.familyId })
    return {
      number: p.number,
      def: receiptPdf({ structure: await identity(m), regieName: p.regieName, payment: p, address: { address: fam.address, postalCode: fam.postalCode, city: fam.city } })
    }
  })
  return { filename: `recu-${safeName(number)}.pdf`, data: await renderPdf(def) }
}

export async function renderDeposit(core: Core, depositId: number): Promise<PdfFile> {
  const { def, number } = await core.tx.read(async (m) => {
    const d = await m.findOneBy(Deposit, { id: depositId })
    if (!d) throw notFound('Remise')
    const regie = await m.findOneByOrFail(Regie, { id: d.regieId })
    const payments = listPayments(m, { today: parisDay(core.clock.now()), depositId: d.id, limit: 100_000, offset: 0 }).items.reverse()
    return {
      number: d.number,
      def: depositPdf({ structure: await identity(m), regieName: regie.name, number: d.number, mode: d.mode, depositedOn: d.depositedOn, bankAccount: d.bankAccount, payments })
    }
  })
  return { filename: `remise-${safeName(number)}.pdf`, data: await renderPdf(def) }
}

export async function renderStatement(core: Core, familyId: number, schoolYear: string): Promise<PdfFile> {
  const def = await core.tx.read(async (m) =>
    statementPdf({ structure: await identity(m), statement: familyStatement(m, familyId, schoolYear, parisDay(core.clock.now())), today: parisDay(core.clock.now()) })
  )
  return { filename: `releve-${schoolYear}.pdf`, data: await renderPdf(def) }
}
