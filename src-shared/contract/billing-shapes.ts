/**
 * DTOs of billing (#6): régies, tariffs, runs, invoices, payments, mandates,
 * statements. Money is integer cents, days 'YYYY-MM-DD'.
 */
import { z } from '../zod-fr'
import { id, isoDate, nonEmpty, optionalText, recordVersion } from './common'

export const cents = z.number().int()
export const positiveCents = z.number().int().min(1, { error: 'Le montant doit être supérieur à 0.' }).max(99_999_999, { error: 'Montant trop élevé.' })
export const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'Mois invalide (AAAA-MM).' })
/** "2025-2026". */
export const schoolYear = z.string().regex(/^\d{4}-\d{4}$/, { error: 'Année scolaire invalide (AAAA-AAAA).' })

// ---------------------------------------------------------------- régies

export const regieInput = z.object({
  id: id.nullable().default(null),
  /** As loaded; required with an id (a stale save is refused, 409). */
  version: recordVersion.optional(),
  name: nonEmpty('Nom de la régie', 100),
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{1,10}$/, { error: 'Code : 1 à 10 lettres ou chiffres, sans espace.' }),
  invoiceFormat: z.string().trim().min(1).max(40).default('{CODE}-{N}'),
  creditFormat: z.string().trim().min(1).max(40).default('{CODE}-AV{N}'),
  paymentFormat: z.string().trim().min(1).max(40).default('{CODE}-R{N}'),
  isDefault: z.boolean().default(false),
  dueDays: z.number().int().min(0).max(120).default(20),
  paymentMethods: z.string().trim().max(500).default(''),
  creditorName: optionalText(70),
  ics: z.string().trim().toUpperCase().max(35).default(''),
  creditorIban: z.string().trim().max(40).default(''),
  creditorBic: z.string().trim().toUpperCase().max(11).default(''),
  active: z.boolean().default(true),
  activityIds: z.array(id).max(500).default([])
})
export type RegieInput = z.output<typeof regieInput>
export const regieDto = regieInput.extend({ id, version: z.number().int() })
export type RegieDto = z.infer<typeof regieDto>

// ---------------------------------------------------------------- tariffs

export const tariffMode = z.enum(['unit', 'hourly', 'flat', 'day'])
export const TARIFF_MODE_LABELS: Record<z.infer<typeof tariffMode>, string> = {
  unit: "À l'unité",
  hourly: 'Horaire',
  flat: 'Forfait',
  day: 'Journée / demi-journée'
}
export const adjust = z.object({ kind: z.enum(['none', 'pct', 'amount']).default('none'), value: z.number().min(0).max(100_000).default(0) })
export const bracketInput = z.object({
  qfMin: z.number().int().min(0).default(0),
  qfMax: z.number().int().min(0).nullable().default(null),
  priceCents: z.number().int().min(0).max(10_000_000),
  halfDayPriceCents: z.number().int().min(0).max(10_000_000).nullable().default(null)
})
export const tariffInput = z.object({
  id: id.nullable().default(null),
  /** As loaded; required with an id (a stale save is refused, 409). */
  version: recordVersion.optional(),
  name: nonEmpty('Nom du tarif', 120),
  activityId: id.nullable().default(null),
  unitId: id.nullable().default(null),
  mode: tariffMode,
  stepMinutes: z.union([z.literal(5), z.literal(10), z.literal(15), z.literal(30), z.literal(60)]).default(15),
  flatPeriod: z.enum(['month', 'period']).default('month'),
  dayThresholdMinutes: z.number().int().min(0).max(1440).default(300),
  validFrom: isoDate,
  validTo: isoDate.nullable().default(null),
  absenceRatePct: z.number().min(0).max(1000).default(100),
  walkinSurchargeCents: z.number().int().min(0).max(1_000_000).default(0),
  sibling2: adjust.default({ kind: 'none', value: 0 }),
  sibling3: adjust.default({ kind: 'none', value: 0 }),
  outsideCommune: adjust.default({ kind: 'none', value: 0 }),
  brackets: z.array(bracketInput).min(1, { error: 'Indiquez au moins un prix.' }).max(20),
  /** « Dont repas »: per unit the tariff prices, the part of the price that pays a meal (left out of the attestation fiscale). */
  meals: z.array(z.object({ unitId: id, mealCents: z.number().int().min(1, { error: 'Part repas : un montant positif.' }).max(10_000_000) })).max(100).default([]),
  active: z.boolean().default(true)
})
export type TariffInput = z.output<typeof tariffInput>
export const tariffDto = tariffInput.extend({ id, version: z.number().int(), activityName: z.string(), unitName: z.string().nullable() })
export type TariffDto = z.infer<typeof tariffDto>

export const pricePreview = z.object({
  billable: z.boolean(),
  tariffId: id.nullable(),
  tariffName: z.string(),
  mode: z.string(),
  bracket: z.string(),
  cents: cents,
  walkinCents: cents,
  qf: z.number().int().nullable(),
  siblingRank: z.number().int(),
  outsideCommune: z.boolean(),
  explanation: z.array(z.string())
})
export type PricePreviewDto = z.infer<typeof pricePreview>

// ---------------------------------------------------------------- runs

export const anomalyKind = z.enum(['no-qf', 'negative-total', 'no-tariff', 'no-regie-for-activity'])
export const ANOMALY_LABELS: Record<z.infer<typeof anomalyKind>, string> = {
  'no-qf': 'Sans QF valide (tranche la plus haute)',
  'negative-total': 'Total négatif (non facturé)',
  'no-tariff': 'Enfant sans tarif (non facturé)',
  'no-regie-for-activity': 'Activité sans régie'
}
export const anomaly = z.object({
  kind: anomalyKind,
  familyId: id.nullable(),
  familyNumber: z.number().int().nullable(),
  familyName: z.string(),
  childName: z.string(),
  message: z.string()
})
export type AnomalyDto = z.infer<typeof anomaly>

export const previewLine = z.object({
  kind: z.string(),
  childId: id.nullable(),
  childName: z.string(),
  activityName: z.string(),
  label: z.string(),
  day: z.string().nullable(),
  quantity: z.number().int(),
  quantityLabel: z.string(),
  unitPriceCents: cents,
  amountCents: cents,
  bookingState: z.string().nullable(),
  bracket: z.string(),
  explanation: z.array(z.string())
})
export type PreviewLineDto = z.infer<typeof previewLine>

export const previewFamily = z.object({
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  lineCount: z.number().int(),
  totalCents: cents,
  creditCents: cents,
  collection: z.enum(['direct', 'debit']),
  anomalies: z.array(anomalyKind),
  willIssue: z.boolean()
})
export type PreviewFamilyDto = z.infer<typeof previewFamily>

export const runPreview = z.object({
  regieId: id,
  month,
  periodStart: isoDate,
  periodEnd: isoDate,
  /** The month has not ended yet (today is its last day or before): issuing needs an explicit confirmation. */
  monthNotOver: z.boolean(),
  families: z.array(previewFamily),
  anomalies: z.array(anomaly),
  totals: z.object({ invoices: z.number().int(), lines: z.number().int(), totalCents: cents, skipped: z.number().int() }),
  computeMs: z.number()
})
export type RunPreviewDto = z.infer<typeof runPreview>

export const runDto = z.object({
  id,
  regieId: id,
  regieName: z.string(),
  month,
  issueDate: isoDate,
  dueDate: isoDate,
  invoiceCount: z.number().int(),
  lineCount: z.number().int(),
  totalCents: cents,
  firstNumber: z.string().nullable(),
  lastNumber: z.string().nullable(),
  backupName: z.string(),
  createdAt: z.string()
})
export type RunDto = z.infer<typeof runDto>

// ---------------------------------------------------------------- invoices

export const invoiceState = z.enum(['open', 'paid', 'partial', 'cancelled', 'debit-pending', 'prelevee', 'rejected', 'credit'])
export const INVOICE_STATE_LABELS: Record<z.infer<typeof invoiceState>, string> = {
  open: 'À payer',
  partial: 'Partiellement payée',
  paid: 'Payée',
  cancelled: 'Annulée (avoir)',
  'debit-pending': 'Prélèvement en cours',
  prelevee: 'Prélevée',
  rejected: 'Prélèvement rejeté',
  credit: 'Trop-perçu'
}
export const invoiceSummary = z.object({
  id,
  number: z.string(),
  regieId: id,
  regieName: z.string(),
  runId: id.nullable(),
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  issueDate: isoDate,
  dueDate: isoDate,
  periodStart: isoDate,
  periodEnd: isoDate,
  totalCents: cents,
  paidCents: cents,
  dueCents: cents,
  collection: z.enum(['direct', 'debit']),
  state: invoiceState,
  /** Collection date of the direct debit that pays it (in flight until then), if any. */
  debitOn: isoDate.nullable(),
  creditNoteNumber: z.string().nullable(),
  /** The titre it became in a PES V2 bordereau (public régie), and whether the file went to the Trésor. */
  titre: z.object({ exer: z.number().int(), idBord: z.number().int(), idPce: z.number().int(), sent: z.boolean() }).nullable()
})
export type InvoiceSummaryDto = z.infer<typeof invoiceSummary>

export const invoiceDetail = invoiceSummary.extend({
  lines: z.array(previewLine),
  payments: z.array(z.object({ paymentId: id, number: z.string(), date: isoDate, mode: z.string(), amountCents: cents }))
})
export type InvoiceDetailDto = z.infer<typeof invoiceDetail>

// ---------------------------------------------------------------- payments

export const paymentMode = z.enum(['especes', 'cheque', 'cb', 'virement', 'cesu', 'ancv', 'prelevement', 'titre'])
export type PaymentModeCode = z.infer<typeof paymentMode>
export const PAYMENT_MODE_LABELS: Record<PaymentModeCode, string> = {
  especes: 'Espèces',
  cheque: 'Chèque',
  cb: 'Carte bancaire',
  virement: 'Virement',
  cesu: 'CESU',
  ancv: 'Chèques vacances ANCV',
  prelevement: 'Prélèvement',
  titre: 'Titre émis (ORMC)'
}
export const paymentInput = z.object({
  familyId: id,
  regieId: id,
  mode: paymentMode,
  amountCents: positiveCents,
  receivedOn: isoDate,
  chequeNumber: z.string().trim().max(30).default(''),
  bank: z.string().trim().max(60).default(''),
  payer: optionalText(100),
  reference: z.string().trim().max(60).default(''),
  /** Empty = oldest invoices first. */
  allocations: z.array(z.object({ invoiceId: id, amountCents: positiveCents })).max(200).default([])
})
export type PaymentInput = z.output<typeof paymentInput>

export const paymentDto = z.object({
  id,
  number: z.string(),
  regieId: id,
  regieName: z.string(),
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  receivedOn: isoDate,
  mode: paymentMode,
  amountCents: cents,
  allocatedCents: cents,
  chequeNumber: z.string(),
  bank: z.string(),
  payer: z.string(),
  reference: z.string(),
  depositNumber: z.string().nullable(),
  status: z.enum(['ok', 'rejected']),
  /** A direct debit whose collection date (receivedOn) is still ahead: not yet money received. */
  inFlight: z.boolean(),
  rejectedOn: z.string().nullable(),
  invoices: z.array(z.string()),
  /** 'to-check': money for invoices already paid, kept as credit until the accountant has looked at it. */
  review: z.enum(['', 'to-check', 'checked']),
  reviewNote: z.string()
})
export type PaymentDto = z.infer<typeof paymentDto>

export const depositDto = z.object({
  id,
  number: z.string(),
  regieId: id,
  mode: z.string(),
  depositedOn: isoDate,
  bankAccount: z.string(),
  count: z.number().int(),
  totalCents: cents
})
export type DepositDto = z.infer<typeof depositDto>

// ---------------------------------------------------------------- statement, unpaid

export const statementRow = z.object({
  operation: z.string(),
  date: isoDate,
  description: z.string(),
  regie: z.string(),
  debitCents: cents,
  creditCents: cents,
  kind: z.enum(['invoice', 'credit-note', 'payment', 'rejection']),
  refId: id
})
export const statement = z.object({
  schoolYear,
  /** The day the statement is made: direct debits collected after it are « en cours », outside the balance. */
  asOf: isoDate,
  pendingDebits: z.array(z.object({ operation: z.string(), date: isoDate, description: z.string(), regie: z.string(), amountCents: cents })),
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  openingCents: cents,
  rows: z.array(statementRow),
  totalDebitCents: cents,
  totalCreditCents: cents,
  closingCents: cents
})
export type StatementDto = z.infer<typeof statement>

export const unpaidRow = invoiceSummary.extend({
  daysLate: z.number().int(),
  lastReminderLevel: z.number().int().nullable(),
  lastReminderOn: z.string().nullable(),
  email: z.string()
})
export type UnpaidRowDto = z.infer<typeof unpaidRow>

export const exportKind = z.enum(['invoice-journal', 'payment-journal', 'aged-balance', 'revenue', 'caf-stats'])
export const EXPORT_LABELS: Record<z.infer<typeof exportKind>, string> = {
  'invoice-journal': 'Journal des factures',
  'payment-journal': 'Journal des règlements (par mode et dépôt)',
  'aged-balance': 'Balance âgée',
  revenue: 'Recettes par activité et par mois',
  'caf-stats': 'Statistiques CAF (heures réservées / réalisées)'
}

export const fileOut = z.object({ filename: z.string(), mime: z.string(), base64: z.string() })
export type FileOutDto = z.infer<typeof fileOut>

export const jobDto = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  done: z.number().int(),
  total: z.number().int(),
  message: z.string(),
  ratePerSecond: z.number(),
  hasFile: z.boolean()
})
export type JobDto = z.infer<typeof jobDto>

// ---------------------------------------------------------------- portal

export const portalInvoice = z.object({
  id,
  number: z.string(),
  regieName: z.string(),
  issueDate: isoDate,
  dueDate: isoDate,
  periodStart: isoDate,
  periodEnd: isoDate,
  totalCents: cents,
  dueCents: cents,
  state: invoiceState,
  stateLabel: z.string(),
  /** « Payer » may include it (with the structure's provider). */
  payableOnline: z.boolean(),
  /** Where the family pays when it is not here (« titre émis : payable auprès du Trésor public »…). */
  payNote: z.string().nullable()
})
export type PortalInvoiceDto = z.infer<typeof portalInvoice>

// ---------------------------------------------------------------- PES V2 (Trésor public)

export const pesProduct = z.object({
  kind: z.enum(['activity', 'tariff']),
  refId: id,
  code: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{1,4}$/, { error: 'Code produit local : 1 à 4 lettres ou chiffres (ex. CANT).' }),
  nature: z.string().trim().regex(/^[1-9]\d{0,11}$/, { error: 'Nature : le compte budgétaire, en chiffres (ex. 7066).' })
})
export const pesSettingsInput = z.object({
  regieId: id,
  /** The régie is a public one: its runs become ORMC bordereaux for the Trésor. */
  enabled: z.boolean(),
  collectivite: z.string().trim().max(38, { error: 'Libellé de la collectivité : 38 caractères au plus.' }).default(''),
  siret: z.string().trim().transform((s) => s.replace(/\s/g, '')).default(''),
  poste: z.string().trim().default(''),
  codCol: z.string().trim().toUpperCase().default(''),
  codBud: z.string().trim().toUpperCase().default(''),
  defaultProduct: z.string().trim().toUpperCase().default(''),
  defaultNature: z.string().trim().default(''),
  products: z.array(pesProduct).max(500).default([])
})
export type PesSettingsInput = z.output<typeof pesSettingsInput>
export const pesSettingsDto = pesSettingsInput

export const pesBordereauDto = z.object({
  id,
  regieId: id,
  regieName: z.string(),
  runId: id.nullable(),
  runMonth: z.string().nullable(),
  kind: z.enum(['ormc', 'reduction']),
  exer: z.number().int(),
  idBord: z.number().int(),
  date: isoDate,
  pieceCount: z.number().int(),
  totalCents: cents,
  fileName: z.string(),
  status: z.enum(['generated', 'sent']),
  sentAt: z.string().nullable(),
  createdAt: z.string()
})
export type PesBordereauDto = z.infer<typeof pesBordereauDto>
export const pesTitreDto = z.object({
  idPce: z.number().int(),
  invoiceId: id,
  invoiceNumber: z.string(),
  creditNoteNumber: z.string().nullable(),
  familyNumber: z.number().int(),
  familyName: z.string(),
  amountCents: cents,
  debit: z.boolean()
})
export type PesTitreDto = z.infer<typeof pesTitreDto>
