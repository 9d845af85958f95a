/**
 * The files written and their transactions, as the accountant follows them:
 * « Prélèvement en cours » until the collection date, then « Prélevé », or
 * « Rejeté » once a reject is recorded.
 */
import type { EntityManager } from 'typeorm'
import type { CollectionDto, SepaExportDto } from '@shared/contract/sepa'
import { dbOf } from '../../bookings/sql'
import type { SequenceTypeCode } from '../entities'
import { personName } from '@shared/names'

export function sepaExportDtos(m: EntityManager, today: string, regieId?: number): SepaExportDto[] {
  const rows = dbOf(m)
    .prepare(
      `SELECT e.id, e.regie_id, e.msg_id, e.run_id, e.format, e.collection_date, e.nb_txs, e.ctrl_sum_cents, e.created_at,
              (SELECT COUNT(*) FROM payment p WHERE p.sepa_export_id = e.id AND p.status = 'rejected') AS rejected
         FROM sepa_export e ${regieId ? 'WHERE e.regie_id = ?' : ''} ORDER BY e.id DESC`
    )
    .all(...(regieId ? [regieId] : [])) as {
    id: number
    regie_id: number
    msg_id: string
    run_id: number | null
    format: SepaExportDto['format']
    collection_date: string
    nb_txs: number
    ctrl_sum_cents: number
    created_at: string
    rejected: number
  }[]
  return rows.map((e) => ({
    id: e.id,
    regieId: e.regie_id,
    msgId: e.msg_id,
    runId: e.run_id,
    format: e.format,
    collectionDate: e.collection_date,
    nbTxs: e.nb_txs,
    ctrlSumCents: e.ctrl_sum_cents,
    createdAt: e.created_at,
    inFlight: e.collection_date > today,
    rejectedCount: e.rejected
  }))
}

export interface CollectionFilter {
  exportId?: number
  familyId?: number
  /** Only those still « en cours » on `today`. */
  inFlight?: boolean
  limit: number
}

export function collectionDtos(m: EntityManager, today: string, f: CollectionFilter): CollectionDto[] {
  const where: string[] = []
  const params: unknown[] = []
  if (f.exportId) (where.push('c.export_id = ?'), params.push(f.exportId))
  if (f.familyId) (where.push('c.family_id = ?'), params.push(f.familyId))
  if (f.inFlight) (where.push("c.collection_date > ? AND p.status = 'ok'"), params.push(today))
  const rows = dbOf(m)
    .prepare(
      `SELECT c.id, c.export_id, e.msg_id, c.payment_id, p.number AS payment_number, c.end_to_end_id, c.family_id, f.number AS family_number,
              pe.last_name, pe.first_name, c.rum, c.sequence_type,
              c.collection_date, c.amount_cents, p.status, p.rejected_on, p.reject_reason,
              (SELECT GROUP_CONCAT(number, ' ') FROM (SELECT i.number FROM payment_allocation a JOIN invoice i ON i.id = a.invoice_id
                 WHERE a.payment_id = c.payment_id AND a.amount_cents > 0 ORDER BY i.seq)) AS invoices
         FROM sepa_collection c JOIN sepa_export e ON e.id = c.export_id JOIN payment p ON p.id = c.payment_id
         JOIN family f ON f.id = c.family_id LEFT JOIN person pe ON pe.family_id = f.id AND pe.role = 'responsable'
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c.collection_date DESC, c.export_id DESC, f.number LIMIT ?`
    )
    .all(...params, f.limit) as {
    id: number
    export_id: number
    msg_id: string
    payment_id: number
    payment_number: string
    end_to_end_id: string
    family_id: number
    family_number: number
    last_name: string | null
    first_name: string | null
    rum: string
    sequence_type: SequenceTypeCode
    collection_date: string
    amount_cents: number
    status: 'ok' | 'rejected'
    rejected_on: string | null
    reject_reason: string
    invoices: string | null
  }[]
  return rows.map((r) => ({
    id: r.id,
    exportId: r.export_id,
    msgId: r.msg_id,
    paymentId: r.payment_id,
    paymentNumber: r.payment_number,
    endToEndId: r.end_to_end_id,
    familyId: r.family_id,
    familyNumber: r.family_number,
    familyName: personName(r.last_name, r.first_name),
    rum: r.rum,
    sequenceType: r.sequence_type,
    collectionDate: r.collection_date,
    amountCents: r.amount_cents,
    invoices: r.invoices ? r.invoices.split(' ') : [],
    state: r.status === 'rejected' ? 'rejected' : r.collection_date > today ? 'in-flight' : 'collected',
    rejectedOn: r.rejected_on,
    rejectReason: r.reject_reason
  }))
}
