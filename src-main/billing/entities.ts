import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm'
import { RecordVersion } from '../db/version-column'
import type { AdjustKind, FlatPeriod, TariffMode } from './tariffs/resolve'

/** A régie: who collects, with its own gapless numbering of invoices, credit notes and payments. */
@Entity('regie')
export class Regie {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text' }) name: string
  /** Short code used in counters, SEPA identifiers and the {CODE} token. */
  @Column({ type: 'text' }) code: string
  /** e.g. "{CODE}-{N}" → "AL-36", "{AA}{MM}PS{N:5}PNB" → "2001PS00003PNB". */
  @Column({ name: 'invoice_format', type: 'text' }) invoiceFormat: string
  @Column({ name: 'credit_format', type: 'text' }) creditFormat: string
  @Column({ name: 'payment_format', type: 'text' }) paymentFormat: string
  @Column({ name: 'is_default', type: 'boolean', default: false }) isDefault: boolean
  @Column({ name: 'due_days', type: 'integer', default: 20 }) dueDays: number
  /** Printed on invoices under "Moyens de paiement". */
  @Column({ name: 'payment_methods', type: 'text', default: '' }) paymentMethods: string
  @Column({ name: 'creditor_name', type: 'text', default: '' }) creditorName: string
  @Column({ type: 'text', default: '' }) ics: string
  @Column({ name: 'creditor_iban', type: 'text', default: '' }) creditorIban: string
  @Column({ name: 'creditor_bic', type: 'text', default: '' }) creditorBic: string
  @Column({ type: 'boolean', default: true }) active: boolean
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
  @RecordVersion() version: number
}

@Entity('regie_activity')
export class RegieActivity {
  @PrimaryColumn({ name: 'activity_id', type: 'integer' }) activityId: number
  @Column({ name: 'regie_id', type: 'integer' }) regieId: number
}

@Entity('tariff')
export class Tariff {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text' }) name: string
  /** Activity-wide tariff (every unit of the activity without its own tariff). */
  @Column({ name: 'activity_id', type: 'integer', nullable: true }) activityId: number | null
  /** Unit tariff; wins over an activity-wide one. */
  @Column({ name: 'unit_id', type: 'integer', nullable: true }) unitId: number | null
  @Column({ type: 'text' }) mode: TariffMode
  @Column({ name: 'step_minutes', type: 'integer', default: 15 }) stepMinutes: number
  @Column({ name: 'flat_period', type: 'text', default: 'month' }) flatPeriod: FlatPeriod
  @Column({ name: 'day_threshold_minutes', type: 'integer', default: 300 }) dayThresholdMinutes: number
  @Column({ name: 'valid_from', type: 'text' }) validFrom: string
  @Column({ name: 'valid_to', type: 'text', nullable: true }) validTo: string | null
  @Column({ name: 'absence_rate_pct', type: 'real', default: 100 }) absenceRatePct: number
  @Column({ name: 'walkin_surcharge_cents', type: 'integer', default: 0 }) walkinSurchargeCents: number
  @Column({ name: 'sibling2_kind', type: 'text', default: 'none' }) sibling2Kind: AdjustKind
  @Column({ name: 'sibling2_value', type: 'real', default: 0 }) sibling2Value: number
  @Column({ name: 'sibling3_kind', type: 'text', default: 'none' }) sibling3Kind: AdjustKind
  @Column({ name: 'sibling3_value', type: 'real', default: 0 }) sibling3Value: number
  @Column({ name: 'outside_kind', type: 'text', default: 'none' }) outsideKind: AdjustKind
  @Column({ name: 'outside_value', type: 'real', default: 0 }) outsideValue: number
  @Column({ type: 'boolean', default: true }) active: boolean
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
  @RecordVersion() version: number
}

@Entity('tariff_bracket')
export class TariffBracket {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'tariff_id', type: 'integer' }) tariffId: number
  @Column({ name: 'qf_min', type: 'integer', default: 0 }) qfMin: number
  @Column({ name: 'qf_max', type: 'integer', nullable: true }) qfMax: number | null
  @Column({ name: 'price_cents', type: 'integer' }) priceCents: number
  @Column({ name: 'half_day_price_cents', type: 'integer', nullable: true }) halfDayPriceCents: number | null
  @Column({ type: 'integer', default: 0 }) sort: number
}

/** « Dont repas »: the part of a tariff's price, for one of its units, that pays a meal (left out of the attestation fiscale). */
@Entity('tariff_meal')
export class TariffMeal {
  @PrimaryColumn({ name: 'tariff_id', type: 'integer' }) tariffId: number
  @PrimaryColumn({ name: 'unit_id', type: 'integer' }) unitId: number
  @Column({ name: 'meal_cents', type: 'integer' }) mealCents: number
}

@Entity('invoicing_run')
export class InvoicingRun {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'regie_id', type: 'integer' }) regieId: number
  /** 'YYYY-MM'. */
  @Column({ type: 'text' }) month: string
  @Column({ name: 'period_start', type: 'text' }) periodStart: string
  @Column({ name: 'period_end', type: 'text' }) periodEnd: string
  @Column({ name: 'issue_date', type: 'text' }) issueDate: string
  @Column({ name: 'due_date', type: 'text' }) dueDate: string
  @Column({ name: 'invoice_count', type: 'integer' }) invoiceCount: number
  @Column({ name: 'line_count', type: 'integer' }) lineCount: number
  @Column({ name: 'total_cents', type: 'integer' }) totalCents: number
  @Column({ name: 'first_number', type: 'text', nullable: true }) firstNumber: string | null
  @Column({ name: 'last_number', type: 'text', nullable: true }) lastNumber: string | null
  @Column({ name: 'backup_name', type: 'text', default: '' }) backupName: string
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

/** What an invoice shows about its issuer and recipient, frozen at issue so the PDF never changes. */
export interface InvoiceSnapshot {
  familyNumber: number
  familyName: string
  address: string
  postalCode: string
  city: string
  email: string
  regieName: string
  paymentMethods: string
  structure: { name: string; address: string; postalCode: string; city: string; phone: string; email: string; siret: string; logo: string | null }
}

@Entity('invoice')
export class Invoice {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'regie_id', type: 'integer' }) regieId: number
  @Column({ name: 'run_id', type: 'integer', nullable: true }) runId: number | null
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ type: 'text' }) number: string
  @Column({ type: 'integer' }) seq: number
  @Column({ name: 'issue_date', type: 'text' }) issueDate: string
  @Column({ name: 'due_date', type: 'text' }) dueDate: string
  @Column({ name: 'period_start', type: 'text' }) periodStart: string
  @Column({ name: 'period_end', type: 'text' }) periodEnd: string
  @Column({ name: 'total_cents', type: 'integer' }) totalCents: number
  /** 'debit': the family had an active SEPA mandate at issue. */
  @Column({ type: 'text' }) collection: 'direct' | 'debit'
  @Column({ type: 'simple-json' }) snapshot: InvoiceSnapshot
  @Column({ type: 'text', default: 'issued' }) status: 'issued' | 'cancelled'
  @Column({ name: 'debit_status', type: 'text', nullable: true }) debitStatus: 'prelevee' | 'rejected' | null
  /** First day the invoice was sent (e-mailed or printed): the direct-debit pre-notification runs from it. */
  @Column({ name: 'notified_on', type: 'text', nullable: true }) notifiedOn: string | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

export type InvoiceLineKind = 'unit' | 'hourly' | 'flat' | 'day' | 'half-day' | 'walkin' | 'adjustment'

@Entity('invoice_line')
export class InvoiceLine {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'invoice_id', type: 'integer' }) invoiceId: number
  @Column({ type: 'integer' }) sort: number
  @Column({ type: 'text' }) kind: InvoiceLineKind
  @Column({ name: 'child_id', type: 'integer', nullable: true }) childId: number | null
  @Column({ name: 'child_name', type: 'text', default: '' }) childName: string
  @Column({ name: 'activity_id', type: 'integer', nullable: true }) activityId: number | null
  @Column({ name: 'activity_name', type: 'text', default: '' }) activityName: string
  @Column({ name: 'unit_id', type: 'integer', nullable: true }) unitId: number | null
  @Column({ type: 'text' }) label: string
  @Column({ type: 'text', nullable: true }) day: string | null
  @Column({ type: 'integer' }) quantity: number
  @Column({ name: 'quantity_label', type: 'text', default: '' }) quantityLabel: string
  @Column({ name: 'unit_price_cents', type: 'integer' }) unitPriceCents: number
  @Column({ name: 'amount_cents', type: 'integer' }) amountCents: number
  @Column({ name: 'booking_id', type: 'integer', nullable: true }) bookingId: number | null
  @Column({ name: 'booking_state', type: 'text', nullable: true }) bookingState: string | null
  @Column({ name: 'tariff_id', type: 'integer', nullable: true }) tariffId: number | null
  @Column({ type: 'text', default: '' }) bracket: string
  @Column({ name: 'explanation_id', type: 'integer', nullable: true }) explanationId: number | null
  /** Part of amountCents that pays meals (tariff « dont repas »), at most amountCents. */
  @Column({ name: 'meal_cents', type: 'integer', default: 0 }) mealCents: number
}

@Entity('price_explanation')
export class PriceExplanation {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text' }) text: string
}

@Entity('billed_booking')
export class BilledBooking {
  @PrimaryColumn({ name: 'booking_id', type: 'integer' }) bookingId: number
  @Column({ name: 'invoice_id', type: 'integer' }) invoiceId: number
}

@Entity('billed_flat')
export class BilledFlat {
  @PrimaryColumn({ type: 'text' }) key: string
  @Column({ name: 'invoice_id', type: 'integer' }) invoiceId: number
}

/** A manual line (régularisation, remise…) waiting for the next run of its month. */
@Entity('billing_adjustment')
export class BillingAdjustment {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'regie_id', type: 'integer' }) regieId: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ name: 'child_id', type: 'integer', nullable: true }) childId: number | null
  @Column({ type: 'text' }) month: string
  @Column({ type: 'text' }) label: string
  @Column({ name: 'amount_cents', type: 'integer' }) amountCents: number
  @Column({ name: 'invoice_id', type: 'integer', nullable: true }) invoiceId: number | null
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

@Entity('credit_note')
export class CreditNote {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'regie_id', type: 'integer' }) regieId: number
  @Column({ name: 'invoice_id', type: 'integer' }) invoiceId: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ type: 'text' }) number: string
  @Column({ type: 'integer' }) seq: number
  @Column({ name: 'issue_date', type: 'text' }) issueDate: string
  @Column({ name: 'amount_cents', type: 'integer' }) amountCents: number
  @Column({ type: 'text' }) reason: string
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

export type DepositMode = 'cheque' | 'especes' | 'cesu' | 'ancv'

@Entity('deposit')
export class Deposit {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'regie_id', type: 'integer' }) regieId: number
  @Column({ type: 'text' }) number: string
  @Column({ type: 'text' }) mode: DepositMode
  @Column({ name: 'deposited_on', type: 'text' }) depositedOn: string
  @Column({ name: 'bank_account', type: 'text', default: '' }) bankAccount: string
  @Column({ type: 'integer' }) count: number
  @Column({ name: 'total_cents', type: 'integer' }) totalCents: number
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

export type SequenceTypeCode = 'FRST' | 'RCUR' | 'OOFF' | 'FNAL'

/** Original values a used mandate's next collection declares (see sepa/README.md). */
export interface MandateAmendmentData {
  originalRum?: string
  originalIban?: string
  otherBank?: boolean
  originalCreditor?: { name: string; ics: string }
}

@Entity('sepa_mandate')
export class SepaMandate {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  /** Référence unique du mandat. */
  @Column({ type: 'text' }) rum: string
  @Column({ type: 'text' }) holder: string
  @Column({ type: 'text' }) iban: string
  @Column({ type: 'text', default: '' }) bic: string
  @Column({ name: 'signed_on', type: 'text' }) signedOn: string
  /**
   * Sequence type of the NEXT collection: FRST until a file carries the first
   * one, then RCUR; OOFF one-off; FNAL once staff end the mandate. Changed
   * only by committed exports, rejects, amendments and « Dernier prélèvement ».
   */
  @Column({ name: 'sequence_type', type: 'text' }) sequenceType: SequenceTypeCode
  /** 'used': an OOFF or FNAL collection was made; the mandate cannot serve again. */
  @Column({ type: 'text' }) status: 'active' | 'revoked' | 'used'
  @Column({ name: 'last_collection_on', type: 'text', nullable: true }) lastCollectionOn: string | null
  @Column({ name: 'revoked_on', type: 'text', nullable: true }) revokedOn: string | null
  /** What the next collection must declare as amended (null: nothing changed since the last one). */
  @Column({ type: 'simple-json', nullable: true }) amendment: MandateAmendmentData | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'updated_at', type: 'text' }) updatedAt: string
  @RecordVersion() version: number
}

@Entity('sepa_export')
export class SepaExport {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'regie_id', type: 'integer' }) regieId: number
  @Column({ name: 'msg_id', type: 'text' }) msgId: string
  @Column({ name: 'run_id', type: 'integer', nullable: true }) runId: number | null
  @Column({ name: 'collection_date', type: 'text' }) collectionDate: string
  @Column({ type: 'text', default: 'pain.008.001.02' }) format: 'pain.008.001.02' | 'pain.008.001.08'
  @Column({ name: 'nb_txs', type: 'integer' }) nbTxs: number
  @Column({ name: 'ctrl_sum_cents', type: 'integer' }) ctrlSumCents: number
  /** Files written before issue 19 only; since, the file is on disk (`fileName`). */
  @Column({ type: 'text' }) xml: string
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  /** 'preparing' → 'marking' → 'done' (see sepa/export.ts). */
  @Column({ type: 'text', default: 'done' }) state: 'preparing' | 'marking' | 'done'
  @Column({ name: 'file_name', type: 'text', nullable: true }) fileName: string | null
}

/**
 * One transaction of a pain.008 file, as sent (immutable): the mandate's
 * collection history. Its payment carries the money side (received_on = the
 * collection date; status 'rejected' after a reject).
 */
@Entity('sepa_collection')
export class SepaCollection {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'export_id', type: 'integer' }) exportId: number
  @Column({ name: 'mandate_id', type: 'integer' }) mandateId: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ name: 'payment_id', type: 'integer' }) paymentId: number
  @Column({ name: 'end_to_end_id', type: 'text' }) endToEndId: string
  @Column({ name: 'sequence_type', type: 'text' }) sequenceType: SequenceTypeCode
  @Column({ name: 'collection_date', type: 'text' }) collectionDate: string
  @Column({ name: 'amount_cents', type: 'integer' }) amountCents: number
  @Column({ type: 'text' }) rum: string
  @Column({ type: 'text' }) iban: string
  @Column({ type: 'text', default: '' }) bic: string
  @Column({ type: 'text' }) ics: string
  @Column({ name: 'creditor_name', type: 'text' }) creditorName: string
  @Column({ type: 'simple-json', nullable: true }) amendment: MandateAmendmentData | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

@Entity('online_payment')
export class OnlinePayment {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ name: 'order_id', type: 'text' }) orderId: string
  @Column({ name: 'trans_id', type: 'text' }) transId: string
  @Column({ name: 'trans_date', type: 'text' }) transDate: string
  @Column({ name: 'amount_cents', type: 'integer' }) amountCents: number
  @Column({ name: 'invoice_ids', type: 'simple-json' }) invoiceIds: number[]
  /** What the provider said; a withdrawn order stays 'pending' here with `cancelledAt` set. */
  @Column({ type: 'text' }) status: 'pending' | 'paid' | 'failed'
  @Column({ name: 'provider_status', type: 'text', default: '' }) providerStatus: string
  @Column({ type: 'integer', default: 0 }) notifications: number
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'settled_at', type: 'text', nullable: true }) settledAt: string | null
  @Column({ type: 'text', default: 'systempay' }) provider: 'systempay' | 'payfip'
  @Column({ type: 'boolean', default: false }) simulated: boolean
  /** The provider's own reference (PayFiP idOp). */
  @Column({ name: 'provider_ref', type: 'text', default: '' }) providerRef: string
  /** Withdrawn by a newer « Payer » on an overlapping selection (its notification is still honoured). */
  @Column({ name: 'cancelled_at', type: 'text', nullable: true }) cancelledAt: string | null
  @Column({ name: 'replaced_by', type: 'integer', nullable: true }) replacedBy: number | null
}

/** The invoices of an online order; `open` while the order may still be paid for them (one open order per invoice). */
@Entity('online_payment_invoice')
export class OnlinePaymentInvoice {
  @PrimaryColumn({ name: 'online_payment_id', type: 'integer' }) onlinePaymentId: number
  @PrimaryColumn({ name: 'invoice_id', type: 'integer' }) invoiceId: number
  @Column({ type: 'boolean', default: true }) open: boolean
}

export type PaymentMode = 'especes' | 'cheque' | 'cb' | 'virement' | 'cesu' | 'ancv' | 'prelevement' | 'titre'

@Entity('payment')
export class Payment {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'regie_id', type: 'integer' }) regieId: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ type: 'text' }) number: string
  @Column({ type: 'integer' }) seq: number
  @Column({ name: 'received_on', type: 'text' }) receivedOn: string
  @Column({ type: 'text' }) mode: PaymentMode
  @Column({ name: 'amount_cents', type: 'integer' }) amountCents: number
  @Column({ name: 'cheque_number', type: 'text', default: '' }) chequeNumber: string
  @Column({ type: 'text', default: '' }) bank: string
  @Column({ type: 'text', default: '' }) payer: string
  /** Transfer reference, ORMC title number, card transaction… */
  @Column({ type: 'text', default: '' }) reference: string
  @Column({ name: 'deposit_id', type: 'integer', nullable: true }) depositId: number | null
  @Column({ name: 'online_payment_id', type: 'integer', nullable: true }) onlinePaymentId: number | null
  @Column({ name: 'sepa_export_id', type: 'integer', nullable: true }) sepaExportId: number | null
  @Column({ name: 'mandate_id', type: 'integer', nullable: true }) mandateId: number | null
  @Column({ type: 'text', default: 'ok' }) status: 'ok' | 'rejected'
  @Column({ name: 'rejected_on', type: 'text', nullable: true }) rejectedOn: string | null
  @Column({ name: 'reject_reason', type: 'text', default: '' }) rejectReason: string
  /** 'to-check': money for invoices already paid, kept as credit until the accountant has looked at it. */
  @Column({ type: 'text', default: '' }) review: '' | 'to-check' | 'checked'
  @Column({ name: 'review_note', type: 'text', default: '' }) reviewNote: string
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

@Entity('payment_allocation')
export class PaymentAllocation {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'payment_id', type: 'integer' }) paymentId: number
  @Column({ name: 'invoice_id', type: 'integer' }) invoiceId: number
  @Column({ name: 'amount_cents', type: 'integer' }) amountCents: number
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  /** The day the allocation takes effect (payments/allocations.ts); what the accounts as of a date count. */
  @Column({ name: 'effective_on', type: 'text', nullable: true }) effectiveOn: string | null
}

@Entity('reminder')
export class Reminder {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'invoice_id', type: 'integer' }) invoiceId: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ type: 'integer' }) level: 1 | 2
  @Column({ type: 'text' }) channel: 'email' | 'letter'
  @Column({ name: 'sent_on', type: 'text' }) sentOn: string
  @Column({ name: 'outbox_id', type: 'integer', nullable: true }) outboxId: number | null
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
}

export const BILLING_ENTITY_LIST = [
  Regie,
  RegieActivity,
  Tariff,
  TariffBracket,
  TariffMeal,
  InvoicingRun,
  Invoice,
  InvoiceLine,
  PriceExplanation,
  BilledBooking,
  BilledFlat,
  BillingAdjustment,
  CreditNote,
  Deposit,
  SepaMandate,
  SepaExport,
  SepaCollection,
  OnlinePayment,
  OnlinePaymentInvoice,
  Payment,
  PaymentAllocation,
  Reminder
]
