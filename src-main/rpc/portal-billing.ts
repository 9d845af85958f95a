import type { billingPortalProcedures } from '@shared/contract/portal-billing'
import { INVOICE_STATE_LABELS, PAYMENT_MODE_LABELS, type InvoiceSummaryDto, type PortalInvoiceDto } from '@shared/contract/billing-shapes'
import type { EntityManager } from 'typeorm'
import type { Core } from '../core/app-core'
import { frenchDate, parisDay } from '../core/clock'
import { dbOf } from '../bookings/sql'
import { createAttestation } from '../billing/attestation'
import { SepaMandate } from '../billing/entities'
import { familyBalance, invoiceDetail, listInvoices } from '../billing/invoices'
import { currentOffer, onlinePaymentStatus, startOnlinePayment } from '../billing/payments/online'
import { factsOfSummary, onlineRefusal, payNote } from '../billing/payments/payability'
import { listPayments } from '../billing/payments/payments'
import type { OnlineOffer } from '../billing/settings'
import { familyStatement, schoolYearBounds, schoolYearOf } from '../billing/statement'
import { requireActor, type FamilyActor, type HandlersFor } from './types'

/** What a family reads about an invoice's state: a direct debit says when it is (or will be) collected; a titre where it is paid. */
function stateLabel(s: InvoiceSummaryDto): string {
  if (s.titre?.sent && (s.state === 'open' || s.state === 'partial')) return 'Titre émis'
  if (s.state === 'debit-pending' && s.debitOn) return `Prélèvement en cours (le ${frenchDate(s.debitOn)})`
  if (s.state === 'prelevee' && s.debitOn) return `Prélevée le ${frenchDate(s.debitOn)}`
  if (s.collection === 'debit' && (s.state === 'open' || s.state === 'partial')) return `Sera prélevée (échéance du ${frenchDate(s.dueDate)})`
  return INVOICE_STATE_LABELS[s.state]
}

function portalInvoice(s: InvoiceSummaryDto, offer?: OnlineOffer): PortalInvoiceDto {
  const f = factsOfSummary(s)
  return {
    id: s.id,
    number: s.number,
    regieName: s.regieName,
    issueDate: s.issueDate,
    dueDate: s.dueDate,
    periodStart: s.periodStart,
    periodEnd: s.periodEnd,
    totalCents: s.totalCents,
    dueCents: s.dueCents,
    state: s.state,
    stateLabel: stateLabel(s),
    payableOnline: Boolean(offer?.available) && onlineRefusal(f, offer!.provider) === null,
    payNote: payNote(f, offer?.provider ?? 'systempay', Boolean(offer?.available))
  }
}

async function summary(core: Core, m: EntityManager, familyId: number, today: string) {
  const b = familyBalance(m, familyId, today)
  const { s, offer } = await currentOffer(core, m)
  const directDebit = (await m.countBy(SepaMandate, { familyId, status: 'active' })) > 0
  return {
    balanceCents: b.balanceCents,
    unpaidCents: b.unpaidCents,
    unpaidCount: b.unpaidCount,
    creditCents: b.creditCents,
    debitInFlightCents: b.debitInFlightCents,
    nextDebitOn: b.nextDebitOn,
    directDebit,
    onlinePayment: offer.available,
    onlineProvider: offer.provider,
    simulatorNotice: offer.available ? offer.simulatorNotice : null,
    payAt: s.payAt
  }
}

function schoolYears(core: Core, m: EntityManager, familyId: number): string[] {
  const first = (dbOf(m).prepare('SELECT MIN(issue_date) AS d FROM invoice WHERE family_id = ?').get(familyId) as { d: string | null }).d
  const current = schoolYearOf(parisDay(core.clock.now()))
  const out = [current]
  if (first) {
    let y = Number(current.slice(0, 4)) - 1
    while (`${y}-${y + 1}` >= schoolYearOf(first) && out.length < 10) out.push(`${y}-${y + 1}`), y--
  }
  return out
}

/** Portal handlers of issue #6. The family is always the caller's; `owns` already checked the invoice ids. */
export const billingPortalHandlers: HandlersFor<typeof billingPortalProcedures, FamilyActor | null> = {
  'billing-summary': async (_i, ctx) => {
    const a = requireActor(ctx)
    return ctx.core.tx.read((m) => summary(ctx.core, m, a.familyId, parisDay(ctx.core.clock.now())))
  },
  'billing-invoices': async (_i, ctx) => {
    const a = requireActor(ctx)
    const today = parisDay(ctx.core.clock.now())
    return ctx.core.tx.read(async (m) => {
      const s = await summary(ctx.core, m, a.familyId, today)
      const all = (await listInvoices(m, { today, familyId: a.familyId, limit: 500, offset: 0 })).items
      const { offer } = await currentOffer(ctx.core, m)
      // Families on direct debit have nothing to pay online: their invoices are only in the history (002),
      // unless a debit was rejected.
      const payable = (i: InvoiceSummaryDto) => i.dueCents > 0 && i.state !== 'cancelled' && (i.collection === 'direct' || i.state === 'rejected')
      const credit = dbOf(m)
        .prepare(`SELECT c.id, c.number, c.issue_date, c.amount_cents, i.number AS invoice FROM credit_note c JOIN invoice i ON i.id = c.invoice_id WHERE c.family_id = ? ORDER BY c.issue_date DESC`)
        .all(a.familyId) as { id: number; number: string; issue_date: string; amount_cents: number; invoice: string }[]
      return {
        ...s,
        unpaid: all
          .filter(payable)
          .sort((x, y) => x.dueDate.localeCompare(y.dueDate))
          .map((i) => portalInvoice(i, offer)),
        history: all.filter((i) => !payable(i)).map((i) => portalInvoice(i, offer)),
        payments: listPayments(m, { today, familyId: a.familyId, limit: 200, offset: 0 }).items.map((p) => ({
          id: p.id,
          number: p.number,
          date: p.receivedOn,
          mode: p.mode,
          modeLabel: p.mode === 'titre' ? `Titre émis (ORMC n°${p.reference})` : p.inFlight ? `Prélèvement en cours (le ${frenchDate(p.receivedOn)})` : PAYMENT_MODE_LABELS[p.mode],
          amountCents: p.amountCents,
          invoices: p.invoices,
          rejected: p.status === 'rejected',
          inFlight: p.inFlight
        })),
        creditNotes: credit.map((c) => ({ id: c.id, number: c.number, date: c.issue_date, invoiceNumber: c.invoice, amountCents: c.amount_cents })),
        schoolYears: schoolYears(ctx.core, m, a.familyId)
      }
    })
  },
  'billing-invoice-detail': async (input, ctx) => {
    requireActor(ctx)
    return ctx.core.tx.read(async (m) => {
      const d = await invoiceDetail(m, input.invoiceId, parisDay(ctx.core.clock.now()))
      return {
        ...portalInvoice(d),
        lines: d.lines.map((l) => ({ ...l, explanation: [] })),
        payments: d.payments.map((p) => ({ number: p.number, date: p.date, mode: PAYMENT_MODE_LABELS[p.mode as keyof typeof PAYMENT_MODE_LABELS] ?? p.mode, amountCents: p.amountCents }))
      }
    })
  },
  'billing-statement': async (input, ctx) => {
    const a = requireActor(ctx)
    return ctx.core.tx.read(async (m) => familyStatement(m, a.familyId, input.schoolYear, parisDay(ctx.core.clock.now())))
  },
  'billing-enrolment-finance': async (input, ctx) => {
    const a = requireActor(ctx)
    const { from, to } = schoolYearBounds(input.schoolYear)
    return ctx.core.tx.read(async (m) => {
      const rows = dbOf(m)
        .prepare(
          `SELECT l.child_name, COALESCE(NULLIF(l.activity_name, ''), 'Ajustements') AS activity, COUNT(*) AS units, SUM(l.amount_cents) AS billed,
                  GROUP_CONCAT(DISTINCT i.number) AS invoices
             FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
            WHERE i.family_id = ? AND i.status = 'issued' AND i.period_start BETWEEN ? AND ?
            GROUP BY l.child_name, activity ORDER BY l.child_name, activity`
        )
        .all(a.familyId, from, to) as { child_name: string; activity: string; units: number; billed: number; invoices: string }[]
      return rows.map((r) => ({ childName: r.child_name || 'Famille', activityName: r.activity, units: r.units, billedCents: r.billed, invoices: r.invoices.split(',') }))
    })
  },
  'billing-pay-online': async (input, ctx) => startOnlinePayment(ctx.core, requireActor(ctx), input.invoiceIds),
  'billing-online-status': async (input, ctx) => {
    const r = await onlinePaymentStatus(ctx.core, requireActor(ctx).familyId, input.reference)
    const { offer } = await ctx.core.tx.read((m) => currentOffer(ctx.core, m))
    return { ...r, simulatorNotice: offer.simulatorNotice }
  },
  'billing-request-attestation': async (input, ctx) => {
    const a = requireActor(ctx)
    return createAttestation(ctx.core, a, a.familyId, input.year)
  }
}
