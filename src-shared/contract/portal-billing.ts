import { z } from '../zod-fr'
import { id } from './common'
import { proc, type ProcedureMap } from './procedure'
import { invoiceState, paymentMode, portalInvoice, previewLine, schoolYear, statement } from './billing-shapes'

export const billingSummary = z.object({
  balanceCents: z.number().int(),
  unpaidCents: z.number().int(),
  unpaidCount: z.number().int(),
  creditCents: z.number().int(),
  /** Direct debits sent to the bank, not yet collected (still part of the balance). */
  debitInFlightCents: z.number().int(),
  nextDebitOn: z.string().nullable(),
  directDebit: z.boolean(),
  onlinePayment: z.boolean(),
  /** Which provider « Payer » goes to (PayFiP pays one titre at a time). */
  onlineProvider: z.enum(['systempay', 'payfip']),
  /** Set when the payment pages are a simulator (demo or test mode): shown on every payment page. */
  simulatorNotice: z.string().nullable(),
  payAt: z.string()
})
export type BillingSummaryDto = z.infer<typeof billingSummary>

const portalPayment = z.object({
  id,
  number: z.string(),
  date: z.string(),
  mode: paymentMode,
  modeLabel: z.string(),
  amountCents: z.number().int(),
  invoices: z.array(z.string()),
  rejected: z.boolean(),
  /** A direct debit not collected yet: no receipt until its date. */
  inFlight: z.boolean()
})

/** Portal procedures of issue #6: the family's invoices, payments, statement, online payment, attestation fiscale. */
export const billingPortalProcedures = {
  'billing-summary': proc({ input: z.object({}), output: billingSummary, query: true }),
  'billing-invoices': proc({
    input: z.object({}),
    output: billingSummary.extend({
      unpaid: z.array(portalInvoice),
      history: z.array(portalInvoice),
      payments: z.array(portalPayment),
      creditNotes: z.array(z.object({ id, number: z.string(), date: z.string(), invoiceNumber: z.string(), amountCents: z.number().int() })),
      schoolYears: z.array(schoolYear)
    }),
    query: true
  }),
  'billing-invoice-detail': proc({
    input: z.object({ invoiceId: id }),
    output: portalInvoice.extend({
      lines: z.array(previewLine),
      payments: z.array(z.object({ number: z.string(), date: z.string(), mode: z.string(), amountCents: z.number().int() })),
      state: invoiceState
    }),
    owns: { invoiceId: 'invoice' },
    query: true
  }),
  'billing-statement': proc({ input: z.object({ schoolYear }), output: statement, query: true }),
  /** Financial detail per enrolment (004): what was billed per child and activity in a school year. */
  'billing-enrolment-finance': proc({
    input: z.object({ schoolYear }),
    output: z.array(z.object({ childName: z.string(), activityName: z.string(), units: z.number().int(), billedCents: z.number().int(), invoices: z.array(z.string()) })),
    query: true
  }),
  'billing-pay-online': proc({ right: 'pay',
    input: z.object({ invoiceIds: z.array(id).min(1, { error: 'Cochez au moins une facture à payer.' }).max(50) }),
    output: z.object({ orderId: z.string(), amountCents: z.number().int(), method: z.enum(['post', 'get']), action: z.string(), fields: z.record(z.string(), z.string()), reused: z.boolean() }),
    owns: { invoiceIds: 'invoice' }
  }),
  'billing-online-status': proc({
    input: z.object({ reference: z.string().regex(/^RB\d{8}[0-9A-F]{10}$/, { error: 'Référence de paiement invalide.' }) }),
    output: z.object({ orderId: z.string(), status: z.enum(['pending', 'paid', 'failed', 'cancelled']), amountCents: z.number().int(), invoiceCount: z.number().int(), simulatorNotice: z.string().nullable() }),
    query: true
  }),
  'billing-request-attestation': proc({ right: 'any',
    input: z.object({ year: z.number().int().min(2000).max(2100) }),
    output: z.object({ documentId: id, totalCents: z.number().int() })
  })
} satisfies ProcedureMap
