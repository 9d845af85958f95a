import { z } from '../zod-fr'
import { id, isoDate, nonEmpty, ok, page, recordVersion } from './common'
import { proc, type ProcedureMap, type StaffRole } from './procedure'
import {
  depositDto,
  exportKind,
  fileOut,
  invoiceDetail,
  invoiceSummary,
  jobDto,
  month,
  paymentDto,
  paymentInput,
  paymentMode,
  pesBordereauDto,
  pesSettingsDto,
  pesSettingsInput,
  pesTitreDto,
  previewLine,
  pricePreview,
  regieDto,
  regieInput,
  runDto,
  runPreview,
  schoolYear,
  statement,
  tariffDto,
  tariffInput,
  unpaidRow
} from './billing-shapes'
import { mandateDto } from './sepa'

const pesExportResult = z.object({
  bordereauId: id,
  exer: z.number().int(),
  idBord: z.number().int(),
  pieceCount: z.number().int(),
  totalCents: z.number().int(),
  fileName: z.string(),
  skipped: z.array(z.string())
})

/** Billing and exports: comptable and direction. */
export const BILLING: readonly StaffRole[] = ['direction', 'comptable']
/** The desk may also take payments and read a family's account. */
export const CASHIER: readonly StaffRole[] = ['direction', 'comptable', 'accueil']

export const billingSettingsDto = z.object({
  version: recordVersion,
  onlineEnabled: z.boolean(),
  provider: z.enum(['systempay', 'payfip']),
  /** The built-in simulator of the provider: refused unless the app runs as a demo or in the test mode. */
  simulated: z.boolean().default(false),
  siteId: z.string().regex(/^\d{8}$/, { error: 'Identifiant de la boutique : 8 chiffres.' }),
  ctxMode: z.enum(['TEST', 'PRODUCTION']),
  /** Empty = keep the stored key (keys are never sent back to screens). */
  testKey: z.string().max(100).default(''),
  productionKey: z.string().max(100).default(''),
  gatewayUrl: z.string().trim().max(200).default(''),
  payfipNumcli: z.string().trim().max(6).default(''),
  payfipSaisie: z.enum(['T', 'X', 'W']).default('T'),
  payfipServiceUrl: z.string().trim().max(200).default(''),
  payfipPaymentUrl: z.string().trim().max(200).default(''),
  payAt: z.string().trim().max(500).default(''),
  residentPostalCodes: z.array(z.string().trim().max(5)).max(50).default([])
})

const familyAccount = z.object({
  statement,
  balanceCents: z.number().int(),
  unpaidCents: z.number().int(),
  creditCents: z.number().int(),
  /** Direct debits sent to the bank whose collection date is still ahead. */
  debitInFlightCents: z.number().int(),
  openInvoices: z.array(invoiceSummary),
  payments: z.array(paymentDto),
  mandate: mandateDto.nullable()
})

const catalogUnit = z.object({ id, name: z.string(), activityId: id, startTime: z.string(), endTime: z.string() })
const catalog = z.object({
  activities: z.array(z.object({ id, name: z.string(), kind: z.string(), regieId: id.nullable() })),
  units: z.array(catalogUnit)
})

/** Staff procedures of issue #6 (pricing, invoicing, payments, exports). */
export const billingStaffProcedures = {
  'billing-settings-get': proc({
    input: z.object({}),
    output: billingSettingsDto.extend({ hasTestKey: z.boolean(), hasProductionKey: z.boolean(), ipnUrl: z.string(), payfipNotifyUrl: z.string(), simulatorAllowed: z.boolean() }),
    roles: BILLING,
    query: true
  }),
  'billing-settings-save': proc({ input: billingSettingsDto, output: ok, roles: BILLING }),
  'billing-catalog': proc({ input: z.object({}), output: catalog, roles: CASHIER, query: true }),

  'billing-regies-list': proc({ input: z.object({}), output: z.array(regieDto), roles: CASHIER, query: true }),
  'billing-regie-save': proc({ input: regieInput, output: z.object({ regieId: id }), roles: BILLING }),

  'billing-tariffs-list': proc({ input: z.object({}), output: z.array(tariffDto), roles: BILLING, query: true }),
  'billing-tariff-save': proc({ input: tariffInput, output: z.object({ tariffId: id }), roles: BILLING }),
  'billing-price-preview': proc({
    input: z.object({ childId: id, unitId: id, day: isoDate, state: z.enum(['R', 'PRESENT', 'A_FACT', 'ABSENT', 'A_EXC']).optional(), walkIn: z.boolean().default(false) }),
    output: pricePreview,
    roles: CASHIER,
    query: true
  }),

  'billing-run-preview': proc({ input: z.object({ regieId: id, month }), output: runPreview, roles: BILLING, query: true }),
  'billing-run-preview-family': proc({ input: z.object({ regieId: id, month, familyId: id }), output: z.array(previewLine), roles: BILLING, query: true }),
  'billing-run-issue': proc({
    input: z.object({ regieId: id, month, issueDate: isoDate.nullable().default(null), dueDate: isoDate.nullable().default(null), confirmUnfinishedMonth: z.boolean().default(false) }),
    output: z.object({ runId: id, invoiceCount: z.number().int(), lineCount: z.number().int(), totalCents: z.number().int(), firstNumber: z.string().nullable(), lastNumber: z.string().nullable(), backupName: z.string() }),
    roles: BILLING
  }),
  'billing-run-staged': proc({
    input: z.object({ regieId: id }),
    // families: staged so far; invoices: numbers reserved (null while preparing); numbered: numbers given; running: being issued now.
    output: z
      .object({ month: z.string(), families: z.number().int(), createdAt: z.string(), invoices: z.number().int().nullable(), numbered: z.number().int(), running: z.boolean() })
      .nullable(),
    roles: BILLING,
    query: true
  }),
  'billing-run-discard': proc({ input: z.object({ regieId: id }), output: z.object({ discarded: z.boolean(), month: z.string().nullable() }), roles: BILLING }),
  'billing-runs-list': proc({ input: z.object({ regieId: id.optional() }), output: z.array(runDto), roles: BILLING, query: true }),
  'billing-run-batch': proc({ input: z.object({ runId: id, email: z.boolean().default(true), printAll: z.boolean().default(false) }), output: jobDto, roles: BILLING }),
  'billing-job-get': proc({ input: z.object({ jobId: z.string().regex(/^[0-9a-f]{16}$/) }), output: jobDto, roles: BILLING, query: true }),

  'billing-invoices-list': proc({
    input: page.extend({
      regieId: id.optional(),
      runId: id.optional(),
      familyId: id.optional(),
      unpaidOnly: z.boolean().default(false),
      query: z.string().trim().max(60).default(''),
      from: isoDate.optional(),
      to: isoDate.optional()
    }),
    output: z.object({ total: z.number().int(), items: z.array(invoiceSummary) }),
    roles: CASHIER,
    query: true
  }),
  'billing-invoice-get': proc({ input: z.object({ invoiceId: id }), output: invoiceDetail, roles: CASHIER, query: true }),
  'billing-invoice-cancel': proc({
    input: z.object({ invoiceId: id, reason: z.string().trim().min(1, { error: 'Motif de l’avoir : champ obligatoire.' }).max(300) }),
    output: z.object({ creditNoteId: id, number: z.string() }),
    roles: BILLING
  }),
  'billing-adjustment-create': proc({
    input: z.object({
      regieId: id,
      familyId: id,
      childId: id.nullable().default(null),
      month,
      label: nonEmpty('Libellé', 120),
      amountCents: z.number().int().refine((v) => v !== 0, { error: 'Le montant ne peut pas être nul.' })
    }),
    output: z.object({ adjustmentId: id }),
    roles: BILLING
  }),

  'billing-payment-record': proc({ input: paymentInput, output: z.object({ paymentId: id, number: z.string(), creditLeftCents: z.number().int() }), roles: CASHIER }),
  'billing-payments-list': proc({
    input: page.extend({
      regieId: id.optional(),
      familyId: id.optional(),
      mode: paymentMode.optional(),
      from: isoDate.optional(),
      to: isoDate.optional(),
      undeposited: z.boolean().default(false),
      toCheck: z.boolean().default(false)
    }),
    output: z.object({ total: z.number().int(), items: z.array(paymentDto), toCheck: z.number().int() }),
    roles: CASHIER,
    query: true
  }),
  /** The accountant has looked at a payment received for invoices already paid (refunded, or kept as credit). */
  'billing-payment-review': proc({
    input: z.object({ paymentId: id, note: z.string().trim().min(1, { error: 'Indiquez ce qui a été fait (remboursement, avoir conservé…).' }).max(300) }),
    output: ok,
    roles: BILLING
  }),
  'billing-payment-reject': proc({
    input: z.object({ paymentId: id, reason: z.string().trim().min(1, { error: 'Motif du rejet : champ obligatoire.' }).max(200), rejectedOn: isoDate.nullable().default(null) }),
    output: ok,
    roles: BILLING
  }),
  'billing-credit-allocate': proc({ input: z.object({ familyId: id, regieId: id }), output: z.object({ allocatedCents: z.number().int() }), roles: CASHIER }),
  'billing-family-account': proc({ input: z.object({ familyId: id, schoolYear: schoolYear.optional() }), output: familyAccount, roles: CASHIER, query: true }),

  'billing-deposit-create': proc({
    input: z.object({ regieId: id, mode: z.enum(['cheque', 'especes', 'cesu', 'ancv']), paymentIds: z.array(id).min(1).max(1000), depositedOn: isoDate, bankAccount: z.string().trim().max(60).default('') }),
    output: z.object({ depositId: id, number: z.string() }),
    roles: CASHIER
  }),
  'billing-deposits-list': proc({ input: z.object({ regieId: id.optional() }), output: z.array(depositDto), roles: CASHIER, query: true }),

  /** PES V2 (Trésor public): the régie's settings, its bordereaux, the export of a run and of credit notes. */
  'billing-pes-settings-get': proc({ input: z.object({ regieId: id }), output: pesSettingsDto, roles: BILLING, query: true }),
  'billing-pes-settings-save': proc({ input: pesSettingsInput, output: ok, roles: BILLING }),
  'billing-pes-list': proc({
    input: z.object({ regieId: id.optional() }),
    output: z.object({
      bordereaux: z.array(pesBordereauDto),
      pendingCredits: z.array(z.object({ creditNoteId: id, creditNumber: z.string(), invoiceNumber: z.string() }))
    }),
    roles: BILLING,
    query: true
  }),
  'billing-pes-titres': proc({ input: z.object({ bordereauId: id }), output: z.array(pesTitreDto), roles: BILLING, query: true }),
  'billing-pes-export-run': proc({ input: z.object({ runId: id }), output: pesExportResult, roles: BILLING }),
  'billing-pes-export-credits': proc({ input: z.object({ regieId: id }), output: pesExportResult, roles: BILLING }),
  'billing-pes-mark-sent': proc({ input: z.object({ bordereauId: id }), output: ok, roles: BILLING }),

  'billing-unpaid-list': proc({ input: z.object({ regieId: id.optional(), minDaysLate: z.number().int().min(0).max(3650).default(0) }), output: z.array(unpaidRow), roles: BILLING, query: true }),
  'billing-reminders-send': proc({
    input: z.object({ invoiceIds: z.array(id).min(1).max(5000), level: z.union([z.literal(1), z.literal(2)]), channel: z.enum(['auto', 'letter']).default('auto') }),
    output: z.object({ emailed: z.number().int(), letters: z.number().int(), file: fileOut.nullable() }),
    roles: BILLING
  }),

  'billing-export': proc({
    input: z.object({ kind: exportKind, from: isoDate, to: isoDate, regieId: id.nullable().default(null) }),
    output: fileOut,
    roles: BILLING,
    query: true
  }),
  /** Any billing document as bytes (base64): the Electron window saves it with the native dialog, the browser downloads it. */
  'billing-file': proc({
    input: z.object({
      kind: z.enum(['invoice', 'credit-note', 'receipt', 'deposit', 'statement', 'sepa', 'pes', 'job']),
      id: id.optional(),
      familyId: id.optional(),
      schoolYear: schoolYear.optional(),
      jobId: z.string().regex(/^[0-9a-f]{16}$/).optional()
    }),
    output: fileOut,
    roles: CASHIER,
    query: true
  }),
  'billing-attestation-create': proc({
    input: z.object({ familyId: id, year: z.number().int().min(2000).max(2100) }),
    output: z.object({ documentId: id, totalCents: z.number().int() }),
    roles: CASHIER
  })
} satisfies ProcedureMap
