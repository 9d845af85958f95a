/**
 * DTOs of SEPA direct debit (#13): settings, mandates, the export plan (what
 * goes into a pain.008 file and why an invoice stays out), collections in
 * flight, rejects and the bank's pain.002 status report.
 */
import { z } from '../zod-fr'
import { id, isoDate, nonEmpty, recordVersion } from './common'

export const sepaFormat = z.enum(['pain.008.001.02', 'pain.008.001.08'])
export type SepaFormat = z.infer<typeof sepaFormat>
export const SEPA_FORMAT_LABELS: Record<SepaFormat, string> = {
  'pain.008.001.02': 'pain.008.001.02 (ISO 2009, guide CFONB)',
  'pain.008.001.08': 'pain.008.001.08 (ISO 2019, règlement EPC en vigueur)'
}

export const sepaSettingsDto = z.object({
  format: sepaFormat,
  /** Calendar days between sending the invoice (the pre-notification) and the collection. */
  preNotificationDays: z.number().int().min(1, { error: 'Délai de pré-notification : 1 jour au moins.' }).max(30, { error: 'Délai de pré-notification : 30 jours au plus.' }),
  /** Charged to the family (an adjustment on its next invoice) when a debit is rejected; 0 = none. */
  rejectFeeCents: z.number().int().min(0).max(10_000, { error: 'Frais de rejet : 100 € au plus.' }),
  rejectFeeLabel: z.string().trim().max(120).default('')
})
export type SepaSettingsDto = z.infer<typeof sepaSettingsDto>

export const sequenceType = z.enum(['FRST', 'RCUR', 'OOFF', 'FNAL'])
export type SequenceTypeCode = z.infer<typeof sequenceType>
export const SEQUENCE_TYPE_LABELS: Record<SequenceTypeCode, string> = {
  FRST: 'Premier prélèvement (FRST)',
  RCUR: 'Récurrent (RCUR)',
  OOFF: 'Ponctuel (OOFF)',
  FNAL: 'Dernier prélèvement (FNAL)'
}

export const mandateInput = z.object({
  id: id.nullable().default(null),
  /** As loaded; required with an id (a stale save is refused, 409). */
  version: recordVersion.optional(),
  familyId: id,
  rum: z.string().trim().max(35).default(''),
  holder: nonEmpty('Titulaire du compte', 70),
  iban: z.string().trim().min(1, { error: 'IBAN : champ obligatoire.' }).max(42),
  bic: z.string().trim().toUpperCase().max(11).default(''),
  signedOn: isoDate,
  /** FRST: recurrent mandate never collected; RCUR: recurrent mandate already collected before (another software); OOFF: one-off. */
  sequenceType: z.enum(['FRST', 'RCUR', 'OOFF']).default('FRST')
})
export type MandateInput = z.output<typeof mandateInput>

/** Original values a mandate's next collection must carry because the RUM, the account, the bank or the creditor changed. */
export const mandateAmendment = z.object({
  originalRum: z.string().optional(),
  originalIban: z.string().optional(),
  otherBank: z.boolean().optional(),
  originalCreditor: z.object({ name: z.string(), ics: z.string() }).optional()
})
export type MandateAmendmentDto = z.infer<typeof mandateAmendment>

export const mandateDto = z.object({
  id,
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  rum: z.string(),
  holder: z.string(),
  iban: z.string(),
  bic: z.string(),
  signedOn: isoDate,
  /** Sequence type of the next collection. */
  sequenceType: sequenceType,
  status: z.enum(['active', 'revoked', 'used']),
  lastCollectionOn: z.string().nullable(),
  amendment: mandateAmendment.nullable(),
  version: z.number().int()
})
export type MandateDto = z.infer<typeof mandateDto>

export const debitPlanInput = z.object({
  regieId: id,
  runId: id.nullable().default(null),
  /** Null: the suggested date (the first TARGET2 day on which every invoice may be collected). */
  collectionDate: isoDate.nullable().default(null),
  /** Present again the invoices whose debit was rejected. */
  represent: z.boolean().default(false)
})

const planInvoice = z.object({ invoiceId: id, number: z.string(), dueCents: z.number().int(), dueDate: isoDate })
export const plannedDebit = z.object({
  mandateId: id,
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  rum: z.string(),
  sequenceType: sequenceType,
  /** French lines saying what the amendment carries (empty: none). */
  amendment: z.array(z.string()),
  amountCents: z.number().int(),
  invoices: z.array(planInvoice)
})
export type PlannedDebitDto = z.infer<typeof plannedDebit>

export const leftOutInvoice = z.object({
  invoiceId: id,
  number: z.string(),
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  dueCents: z.number().int(),
  dueDate: isoDate,
  /** From which day it could be collected (null: not until something is done). */
  possibleFrom: isoDate.nullable(),
  reason: z.string()
})
export type LeftOutInvoiceDto = z.infer<typeof leftOutInvoice>

export const debitPlan = z.object({
  regieId: id,
  format: sepaFormat,
  preNotificationDays: z.number().int(),
  collectionDate: isoDate,
  /** First TARGET2 day on which every collectable invoice may be collected; null when none can. */
  suggestedDate: isoDate.nullable(),
  /** Nothing may be collected before this day (D-1 presentation: tomorrow at the earliest, a TARGET2 day). */
  earliestDate: isoDate,
  debits: z.array(plannedDebit),
  leftOut: z.array(leftOutInvoice),
  nbTxs: z.number().int(),
  ctrlSumCents: z.number().int()
})
export type DebitPlanDto = z.infer<typeof debitPlan>

export const debitExportResult = debitPlan.extend({ exportId: id, msgId: z.string() })

export const sepaExportDto = z.object({
  id,
  regieId: id,
  msgId: z.string(),
  runId: id.nullable(),
  format: sepaFormat,
  collectionDate: isoDate,
  nbTxs: z.number().int(),
  ctrlSumCents: z.number().int(),
  createdAt: z.string(),
  /** The collection date is still ahead: its debits are « en cours ». */
  inFlight: z.boolean(),
  rejectedCount: z.number().int()
})
export type SepaExportDto = z.infer<typeof sepaExportDto>

export const collectionState = z.enum(['in-flight', 'collected', 'rejected'])
export const COLLECTION_STATE_LABELS: Record<z.infer<typeof collectionState>, string> = {
  'in-flight': 'Prélèvement en cours',
  collected: 'Prélevé',
  rejected: 'Rejeté'
}
export const collectionDto = z.object({
  id,
  exportId: id,
  msgId: z.string(),
  paymentId: id,
  paymentNumber: z.string(),
  endToEndId: z.string(),
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  rum: z.string(),
  sequenceType: sequenceType,
  collectionDate: isoDate,
  amountCents: z.number().int(),
  invoices: z.array(z.string()),
  state: collectionState,
  rejectedOn: z.string().nullable(),
  rejectReason: z.string()
})
export type CollectionDto = z.infer<typeof collectionDto>

/** ISO 20022 reason codes banks return for SDD rejects (EPC guidance), in French. */
export const REJECT_REASONS: Record<string, string> = {
  AC01: 'Numéro de compte (IBAN) incorrect',
  AC04: 'Compte clôturé',
  AC06: 'Compte bloqué',
  AC13: 'Compte d’un consommateur non autorisé (B2B)',
  AG01: 'Opération interdite sur ce type de compte',
  AG02: 'Code opération incorrect',
  AM04: 'Provision insuffisante',
  AM05: 'Opération en double',
  BE05: 'Créancier non reconnu',
  CNOR: 'Banque du créancier non joignable',
  DNOR: 'Banque du débiteur non joignable',
  FF01: 'Format de fichier invalide',
  MD01: 'Pas de mandat',
  MD02: 'Données du mandat manquantes ou incorrectes',
  MD06: 'Remboursement demandé par le débiteur',
  MD07: 'Débiteur décédé',
  MS02: 'Refus du débiteur',
  MS03: 'Motif non communiqué par la banque',
  RC01: 'BIC incorrect',
  RR01: 'Identification du compte ou du débiteur manquante (réglementaire)',
  RR02: 'Nom ou adresse du débiteur manquant (réglementaire)',
  RR03: 'Nom ou adresse du créancier manquant (réglementaire)',
  RR04: 'Motif réglementaire',
  SL01: 'Service spécifique de la banque du débiteur (opposition)'
}

export const debitRejectInput = z.object({
  collectionId: id,
  reasonCode: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{4}$/, { error: 'Motif : code à 4 caractères (ex. AM04).' }),
  detail: z.string().trim().max(140).default(''),
  rejectedOn: isoDate
})

export const statusReportLine = z.object({
  endToEndId: z.string(),
  outcome: z.enum(['reject', 'already-rejected', 'unknown', 'accepted']),
  familyNumber: z.number().int().nullable(),
  familyName: z.string(),
  amountCents: z.number().int().nullable(),
  reasonCode: z.string(),
  reason: z.string(),
  message: z.string()
})
export const statusReportResult = z.object({
  reportMsgId: z.string(),
  originalMsgId: z.string(),
  groupStatus: z.string(),
  lines: z.array(statusReportLine),
  /** French problems about the file as a whole (unknown original message, group rejected…). */
  problems: z.array(z.string()),
  applied: z.boolean(),
  rejectedCount: z.number().int(),
  feeCents: z.number().int()
})
export type StatusReportResultDto = z.infer<typeof statusReportResult>
