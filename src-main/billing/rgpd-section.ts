import type { EntityManager } from 'typeorm'
import { INVOICE_STATE_LABELS, PAYMENT_MODE_LABELS } from '@shared/contract/billing-shapes'
import { formatEuro } from '@shared/billing/money'
import { maskIban } from '@shared/validators'
import { frenchDate } from '../core/clock'
import { listInvoices } from './invoices'
import { listPayments } from './payments/payments'

/**
 * "Facturation" of a family's RGPD export (art. 15/20): invoices with what is
 * paid and left, credit notes, payments, SEPA mandates, reminders and online
 * payment attempts. The IBAN of a mandate is masked but for its last 4
 * characters, as everywhere outside the bank-details form; the full IBAN is
 * already in the family file part of the export.
 */

export const BILLING_RGPD_TITLE = 'Facturation'

export const BILLING_RGPD_LABELS: Record<string, string> = {
  invoices: 'Factures',
  creditNotes: 'Avoirs',
  payments: 'Règlements',
  mandates: 'Mandats de prélèvement SEPA',
  reminders: 'Relances',
  onlinePayments: 'Paiements en ligne',
  number: 'N°',
  regie: 'Régie',
  issueDate: 'Émise le',
  period: 'Période',
  dueDate: 'Échéance',
  total: 'Montant',
  paid: 'Payé',
  remaining: 'Reste dû',
  state: 'État',
  collection: 'Règlement prévu',
  creditNote: 'Avoir',
  invoice: 'Facture',
  amount: 'Montant',
  reason: 'Motif',
  date: 'Date',
  mode: 'Mode',
  details: 'Détail',
  payer: 'Payeur',
  bank: 'Banque',
  invoicesPaid: 'Factures réglées',
  status: 'Statut',
  rum: 'RUM',
  holder: 'Titulaire',
  iban: 'IBAN',
  bic: 'BIC',
  signedOn: 'Signé le',
  lastCollectionOn: 'Dernier prélèvement',
  revokedOn: 'Révoqué le',
  level: 'Niveau',
  channel: 'Envoi',
  sentOn: 'Envoyée le',
  startedAt: 'Commencé le',
  settledAt: 'Confirmé le'
}

const MANDATE_STATUS: Record<string, string> = { active: 'Actif', revoked: 'Révoqué', used: 'Terminé (dernier prélèvement fait)' }
const ONLINE_STATUS: Record<string, string> = { pending: 'Non abouti', paid: 'Payé', failed: 'Échoué' }
/** Enough for any family's history in one read: exports are not paged. */
const ALL = 1_000_000

export async function billingRgpdSection(m: EntityManager, familyId: number, today: string) {
  const invoices = (await listInvoices(m, { today, familyId, limit: ALL, offset: 0 })).items.reverse()
  const creditNotes = (await m.query(
    `SELECT c.number, i.number AS invoice, c.issue_date, c.amount_cents, c.reason FROM credit_note c JOIN invoice i ON i.id = c.invoice_id
      WHERE c.family_id = ? ORDER BY c.issue_date, c.id`,
    [familyId]
  )) as { number: string; invoice: string; issue_date: string; amount_cents: number; reason: string }[]
  const payments = listPayments(m, { today, familyId, limit: ALL, offset: 0 }).items.reverse()
  const mandates = (await m.query(
    `SELECT rum, holder, iban, bic, signed_on, status, last_collection_on, revoked_on FROM sepa_mandate WHERE family_id = ? ORDER BY signed_on, id`,
    [familyId]
  )) as { rum: string; holder: string; iban: string; bic: string; signed_on: string; status: string; last_collection_on: string | null; revoked_on: string | null }[]
  const reminders = (await m.query(
    `SELECT i.number AS invoice, r.level, r.channel, r.sent_on FROM reminder r JOIN invoice i ON i.id = r.invoice_id WHERE r.family_id = ? ORDER BY r.sent_on, r.id`,
    [familyId]
  )) as { invoice: string; level: number; channel: string; sent_on: string }[]
  const online = (await m.query(`SELECT amount_cents, status, created_at, settled_at FROM online_payment WHERE family_id = ? ORDER BY created_at, id`, [familyId])) as {
    amount_cents: number
    status: string
    created_at: string
    settled_at: string | null
  }[]
  return {
    invoices: invoices.map((i) => ({
      number: i.number,
      regie: i.regieName,
      issueDate: i.issueDate,
      period: `du ${frenchDate(i.periodStart)} au ${frenchDate(i.periodEnd)}`,
      dueDate: i.dueDate,
      total: formatEuro(i.totalCents),
      paid: formatEuro(i.paidCents),
      remaining: formatEuro(i.dueCents),
      state: INVOICE_STATE_LABELS[i.state],
      collection: i.collection === 'debit' ? 'Prélèvement' : 'Paiement direct',
      creditNote: i.creditNoteNumber
    })),
    creditNotes: creditNotes.map((c) => ({ number: c.number, invoice: c.invoice, issueDate: c.issue_date, amount: formatEuro(c.amount_cents), reason: c.reason })),
    payments: payments.map((p) => ({
      number: p.number,
      date: p.receivedOn,
      mode: PAYMENT_MODE_LABELS[p.mode] ?? p.mode,
      amount: formatEuro(p.amountCents),
      details: [p.chequeNumber && `Chèque n° ${p.chequeNumber}`, p.reference && `Référence ${p.reference}`].filter(Boolean).join(', '),
      payer: p.payer,
      bank: p.bank,
      invoicesPaid: p.invoices,
      status: p.status === 'rejected' ? `Rejeté${p.rejectedOn ? ` le ${frenchDate(p.rejectedOn)}` : ''}` : 'Encaissé'
    })),
    mandates: mandates.map((s) => ({
      rum: s.rum,
      holder: s.holder,
      iban: maskIban(s.iban),
      bic: s.bic,
      signedOn: s.signed_on,
      status: MANDATE_STATUS[s.status] ?? s.status,
      lastCollectionOn: s.last_collection_on,
      revokedOn: s.revoked_on
    })),
    reminders: reminders.map((r) => ({ invoice: r.invoice, level: r.level === 1 ? '1re relance' : `${r.level}e relance`, channel: r.channel === 'email' ? 'E-mail' : 'Courrier', sentOn: r.sent_on })),
    onlinePayments: online.map((o) => ({ startedAt: o.created_at, amount: formatEuro(o.amount_cents), status: ONLINE_STATUS[o.status] ?? o.status, settledAt: o.settled_at }))
  }
}
