/**
 * What a pain.008 file of a régie would hold on a collection date, and why
 * each invoice it leaves out stays out (the « Aperçu » and the export share
 * it). The rules:
 * - one transaction per mandate: the mandate's collectable invoices summed;
 * - its sequence type is the mandate's next one (FRST, RCUR, OOFF, FNAL);
 * - the collection date is a TARGET2 business day, tomorrow at the earliest,
 *   never before an included invoice's due date, and never less than the
 *   pre-notification period (Paramètres, 14 days by default) after the
 *   invoice was sent to the family;
 * - the amendment details (RUM, account, bank, creditor) ride along.
 */
import type { DebitPlanDto, LeftOutInvoiceDto, PlannedDebitDto, SepaSettingsDto } from '@shared/contract/sepa'
import { addDays } from '@shared/bookings/days'
import { formatEuro } from '@shared/billing/money'
import { frenchDate } from '../../core/clock'
import { DomainError } from '../../core/errors'
import { marks, stmt } from '../../bookings/sql'
import { groupsOf, READ_CHUNK, readInIdOrder, type SnapshotRead } from '../../db/snapshot-read'
import type { MandateAmendmentData, Regie, SequenceTypeCode } from '../entities'
import type { MandateAmendment } from './pain008'
import { epcText } from './epc-text'
import { isTarget2Day, target2DayOnOrAfter } from './target2'

interface CandidateRow {
  id: number
  seq: number
  number: string
  family_id: number
  due_date: string
  notified_on: string | null
  debit_status: 'prelevee' | 'rejected' | null
  family_number: number
  family_name: string
  due: number
  mandate_id: number | null
  rum: string | null
  sequence_type: SequenceTypeCode | null
  amendment: string | null
  /** A titre of a PES V2 bordereau: the Trésor debits it, never the régie too. */
  titre: number
}

export interface PlannedMandate {
  id: number
  familyId: number
  rum: string
  holder: string
  iban: string
  bic: string
  signedOn: string
  sequenceType: SequenceTypeCode
  amendment: MandateAmendment | null
  address: { street: string; postalCode: string; town: string }
}

export interface DebitPlan extends DebitPlanDto {
  /** Mandate details the file needs, by id (only those of `debits`). */
  mandates: Map<number, PlannedMandate>
}

/** The creditor as it goes into the file: name (EPC text) and ICS. */
export function creditorOf(regie: Regie, structureName: string): { name: string; ics: string } {
  return { name: epcText(regie.creditorName || structureName, 70), ics: regie.ics.replace(/\s/g, '').toUpperCase() }
}

/** French lines for the amendment a debit carries. */
export function amendmentLines(a: MandateAmendment | null): string[] {
  if (!a) return []
  const out: string[] = []
  if (a.originalRum) out.push(`RUM modifiée (ancienne : ${a.originalRum})`)
  if (a.originalIban) out.push(`nouveau compte dans la même banque (ancien IBAN se terminant par ${a.originalIban.slice(-4)})`)
  if (a.otherBank) out.push('changement de banque du débiteur (SMNDA)')
  if (a.originalCreditor) out.push(`créancier modifié (ancien ICS ${a.originalCreditor.ics})`)
  return out
}

/** The last row per `id` of a query over `ids` ordered oldest first (later rows win), a chunk of ids per read. */
async function lastPerId<R>(r: SnapshotRead, sql: (marks: string) => string, ids: number[]): Promise<Map<number, R>> {
  const out = new Map<number, R>()
  for (const group of groupsOf(ids)) {
    for (const row of r.db.prepare(sql(marks(group.length))).all(...group) as (R & { id: number })[]) out.set(row.id, row)
    await r.pause()
  }
  return out
}

/** Why each rejected invoice was rejected (its last rejected debit). */
const rejectInfo = (db: SnapshotRead, invoiceIds: number[]) =>
  lastPerId<{ rejected_on: string; reject_reason: string }>(
    db,
    (m) => `SELECT a.invoice_id AS id, p.rejected_on, p.reject_reason FROM payment_allocation a JOIN payment p ON p.id = a.payment_id
             WHERE a.invoice_id IN (${m}) AND p.mode = 'prelevement' AND p.status = 'rejected' AND a.amount_cents > 0 ORDER BY p.rejected_on`,
    invoiceIds
  )

/** The creditor of each mandate's last collection that was not rejected, to notice a creditor change. */
const lastCreditors = (db: SnapshotRead, mandateIds: number[]) =>
  lastPerId<{ name: string; ics: string }>(
    db,
    (m) => `SELECT c.mandate_id AS id, c.creditor_name AS name, c.ics FROM sepa_collection c JOIN payment p ON p.id = c.payment_id
             WHERE c.mandate_id IN (${m}) AND p.status = 'ok' ORDER BY c.collection_date, c.id`,
    mandateIds
  )

export interface PlanOptions {
  regie: Regie
  structureName: string
  settings: SepaSettingsDto
  today: string
  runId: number | null
  collectionDate: string | null
  represent: boolean
  /** Invoices per read (tests use a small one). */
  chunk?: number
}

/**
 * The plan of a file. A city's régie has 20,000 invoices to look at: they are read by id, READ_CHUNK at a time,
 * from one snapshot (db/snapshot-read.ts), so every chunk sees the same invoices, payments, mandates and titres
 * while the portal keeps answering between chunks. What changes after that instant (a payment at the desk, a
 * mandate revoked) is what changes between the plan and the recording anyway: the recording caps each allocation
 * at what the invoice still owes (export.ts), as it did when the plan was read in one go.
 */
export async function planDirectDebits(r: SnapshotRead, o: PlanOptions): Promise<DebitPlan> {
  const earliestDate = target2DayOnOrAfter(addDays(o.today, 1))
  const n = o.settings.preNotificationDays
  const candidates = stmt(
    r.db,
    `SELECT i.id, i.seq, i.number, i.family_id, i.due_date, i.notified_on, i.debit_status,
            json_extract(i.snapshot, '$.familyNumber') AS family_number, json_extract(i.snapshot, '$.familyName') AS family_name,
            i.total_cents - COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.invoice_id = i.id), 0) AS due,
            s.id AS mandate_id, s.rum, s.sequence_type, s.amendment,
            EXISTS (SELECT 1 FROM pes_titre t WHERE t.invoice_id = i.id AND t.credit_note_id IS NULL) AS titre
       FROM invoice i LEFT JOIN sepa_mandate s ON s.family_id = i.family_id AND s.status = 'active'
      WHERE i.regie_id = ? AND i.collection = 'debit' AND i.status = 'issued' AND (i.debit_status IS NULL OR i.debit_status = 'rejected')
        AND (? IS NULL OR i.run_id = ?) AND i.id > ?
        -- In a file whose recording was cut short (sepa/export.ts): the next export finishes it.
        AND NOT EXISTS (SELECT 1 FROM sepa_export e JOIN sepa_export_item x ON x.export_id = e.id, json_each(x.data, '$.invoices') j
                         WHERE e.state = 'marking' AND x.done = 0 AND json_extract(j.value, '$.invoiceId') = i.id)
      ORDER BY i.id LIMIT ?`
  )
  const rows = await readInIdOrder<CandidateRow>(r, candidates, [o.regie.id, o.runId, o.runId], o.chunk ?? READ_CHUNK, (c) => c.due > 0)
  // Numbering order, as the file lists a family's invoices.
  rows.sort((a, b) => a.seq - b.seq)

  const rejected = await rejectInfo(r, rows.filter((r) => r.debit_status === 'rejected').map((r) => r.id))
  const leftOut: LeftOutInvoiceDto[] = []
  const collectable: (CandidateRow & { from: string })[] = []
  const out = (r: CandidateRow, possibleFrom: string | null, reason: string) =>
    leftOut.push({ invoiceId: r.id, number: r.number, familyId: r.family_id, familyNumber: r.family_number, familyName: r.family_name, dueCents: r.due, dueDate: r.due_date, possibleFrom, reason })
  for (const r of rows) {
    if (r.titre) {
      out(r, null, 'Titre transmis au Trésor public (PES V2) : c’est le Trésor qui le prélève, avec le mandat de la famille.')
    } else if (r.debit_status === 'rejected' && !o.represent) {
      const rej = rejected.get(r.id)
      out(r, null, `Prélèvement rejeté${rej ? ` le ${frenchDate(rej.rejected_on)} (${rej.reject_reason})` : ''} : à régler par un autre moyen, ou à représenter (case « Représenter les prélèvements rejetés »).`)
    } else if (!r.mandate_id) {
      out(r, null, `Aucun mandat SEPA actif pour la famille N° ${r.family_number} : enregistrez un mandat signé, ou encaissez la facture autrement.`)
    } else if (!r.notified_on) {
      out(r, null, 'Facture pas encore envoyée à la famille : la pré-notification du prélèvement n’est pas partie. Envoyez-la d’abord (Facturation → Lots → Générer et envoyer).')
    } else {
      const notice = addDays(r.notified_on, n)
      const from = target2DayOnOrAfter([r.due_date, notice, earliestDate].sort().at(-1)!)
      collectable.push({ ...r, from })
    }
  }
  const suggestedDate = collectable.length ? collectable.map((c) => c.from).sort().at(-1)! : null
  const collectionDate = o.collectionDate ?? suggestedDate ?? earliestDate
  if (collectionDate < earliestDate) {
    throw new DomainError('invalid_input', `La date de prélèvement doit être le ${frenchDate(earliestDate)} au plus tôt (fichier remis à la banque la veille, jour ouvré TARGET2).`, 400, { collectionDate: 'trop tôt' })
  }
  if (!isTarget2Day(collectionDate)) {
    throw new DomainError('invalid_input', `Le ${frenchDate(collectionDate)} n’est pas un jour ouvré TARGET2 (week-end, 1er janvier, Vendredi saint, lundi de Pâques, 1er mai, 25 ou 26 décembre) : choisissez un autre jour.`, 400, { collectionDate: 'jour non ouvré' })
  }

  const byMandate = new Map<number, (CandidateRow & { from: string })[]>()
  for (const c of collectable) {
    if (collectionDate < c.due_date) {
      out(c, c.from, `Échéance le ${frenchDate(c.due_date)} : la facture ne peut pas être prélevée avant (le ${frenchDate(c.from)} au plus tôt).`)
    } else if (collectionDate < addDays(c.notified_on!, n)) {
      out(c, c.from, `Envoyée le ${frenchDate(c.notified_on!)} : le délai de pré-notification de ${n} jours court jusqu’au ${frenchDate(addDays(c.notified_on!, n))} (prélèvement le ${frenchDate(c.from)} au plus tôt).`)
    } else {
      byMandate.set(c.mandate_id!, [...(byMandate.get(c.mandate_id!) ?? []), c])
    }
  }

  const ids = [...byMandate.keys()]
  type DetailRow = { id: number; family_id: number; rum: string; holder: string; iban: string; bic: string; signed_on: string; sequence_type: SequenceTypeCode; amendment: string | null; address: string; postal_code: string; city: string }
  const details: DetailRow[] = []
  for (const group of groupsOf(ids)) {
    details.push(
      ...(r.db
        .prepare(
          `SELECT s.id, s.family_id, s.rum, s.holder, s.iban, s.bic, s.signed_on, s.sequence_type, s.amendment, f.address, f.postal_code, f.city
             FROM sepa_mandate s JOIN family f ON f.id = s.family_id WHERE s.id IN (${marks(group.length)})`
        )
        .all(...group) as DetailRow[])
    )
    await r.pause()
  }
  const creditor = creditorOf(o.regie, o.structureName)
  const before = await lastCreditors(r, ids)
  const mandates = new Map<number, PlannedMandate>()
  for (const d of details) {
    const own = d.amendment ? (JSON.parse(d.amendment) as MandateAmendmentData) : null
    const last = before.get(d.id)
    const creditorChanged = last && (last.ics !== creditor.ics || last.name !== creditor.name)
    const amendment: MandateAmendment | null = own || creditorChanged ? { ...(own ?? {}), ...(creditorChanged ? { originalCreditor: { name: last.name, ics: last.ics } } : {}) } : null
    mandates.set(d.id, {
      id: d.id,
      familyId: d.family_id,
      rum: d.rum,
      holder: d.holder,
      iban: d.iban,
      bic: d.bic,
      signedOn: d.signed_on,
      sequenceType: d.sequence_type,
      amendment,
      address: { street: d.address, postalCode: d.postal_code, town: d.city }
    })
  }
  const debits: PlannedDebitDto[] = [...byMandate.entries()]
    .map(([mandateId, invoices]) => {
      const s = mandates.get(mandateId)!
      return {
        mandateId,
        familyId: s.familyId,
        familyNumber: invoices[0].family_number,
        familyName: invoices[0].family_name,
        rum: s.rum,
        sequenceType: s.sequenceType,
        amendment: amendmentLines(s.amendment),
        amountCents: invoices.reduce((t, i) => t + i.due, 0),
        invoices: invoices.map((i) => ({ invoiceId: i.id, number: i.number, dueCents: i.due, dueDate: i.due_date }))
      }
    })
    .sort((a, b) => a.familyNumber - b.familyNumber)
  // Stable: within a family, invoices stay in their numbering order.
  leftOut.sort((a, b) => a.familyNumber - b.familyNumber)
  return {
    regieId: o.regie.id,
    format: o.settings.format,
    preNotificationDays: n,
    collectionDate,
    suggestedDate,
    earliestDate,
    debits,
    leftOut,
    nbTxs: debits.length,
    ctrlSumCents: debits.reduce((t, d) => t + d.amountCents, 0),
    mandates
  }
}

/** "3 prélèvements pour 1 234,50 €" for messages. */
export function planSummary(p: Pick<DebitPlanDto, 'nbTxs' | 'ctrlSumCents'>): string {
  return `${p.nbTxs} prélèvement${p.nbTxs > 1 ? 's' : ''} pour ${formatEuro(p.ctrlSumCents)}`
}
