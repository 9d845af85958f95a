import type Database from 'better-sqlite3'
import type { EntityManager } from 'typeorm'
import type { DepositDto, PaymentDto, PaymentInput } from '@shared/contract/billing-shapes'
import { PAYMENT_MODE_LABELS } from '@shared/contract/billing-shapes'
import { formatEuro } from '@shared/billing/money'
import { personName } from '@shared/names'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { parisDay } from '../../core/clock'
import { DomainError, notFound } from '../../core/errors'
import { audit } from '../../audit/audit'
import { nextNumber, reserveNumbers } from '../../db/counter'
import { auditRows, dbOf, stmt } from '../../bookings/sql'
import { insertMany } from '../../db/statements'
import { Family } from '../../families/entities'
import { Deposit, Invoice, Payment, type DepositMode, type PaymentMode, type Regie } from '../entities'
import { insertAllocation, insertAllocations } from './allocations'
import { counterName, formatNumber } from '../numbering'
import { getRegie } from '../regies'

export interface OpenInvoice {
  id: number
  number: string
  due: number
}

/** Open invoices of a family in a régie, oldest due date first (the default allocation order). */
export function openInvoices(db: Database.Database, familyId: number, regieId: number): OpenInvoice[] {
  return stmt(
    db,
    `SELECT id, number, due FROM (
       SELECT i.id, i.number, i.due_date, i.seq,
              i.total_cents - COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.invoice_id = i.id), 0) AS due
         FROM invoice i WHERE i.family_id = ? AND i.regie_id = ? AND i.status = 'issued')
      WHERE due > 0 ORDER BY due_date, seq`
  ).all(familyId, regieId) as OpenInvoice[]
}

export interface NewPayment extends Omit<PaymentInput, 'allocations' | 'mode'> {
  mode: PaymentMode
  allocations: { invoiceId: number; amountCents: number }[]
  /** With no explicit allocations: false keeps the whole amount as credit instead of paying the oldest invoices. */
  autoAllocate?: boolean
  /** 'to-check': the accountant must look at this payment (money for invoices already paid). */
  review?: '' | 'to-check'
  onlinePaymentId?: number | null
  sepaExportId?: number | null
  mandateId?: number | null
}

/**
 * Records a payment in the caller's transaction, numbers it in its régie's
 * sequence and allocates it: to the chosen invoices (each at most its
 * amount due), else oldest first. What is left stays as the family's credit,
 * applied to its next invoices.
 */
export async function insertPayment(m: EntityManager, core: Core, actor: Actor, input: NewPayment): Promise<Payment> {
  const db = dbOf(m)
  const regie = await getRegie(m, input.regieId)
  if (!(await m.findOneBy(Family, { id: input.familyId }))) throw notFound('Famille')
  if (input.mode === 'cheque' && !input.chequeNumber) {
    throw new DomainError('invalid_input', 'Chèque : indiquez le numéro du chèque.', 400, { chequeNumber: 'requis' })
  }
  if (input.mode === 'titre' && !input.reference) {
    throw new DomainError('invalid_input', 'Titre émis : indiquez le numéro du titre (ORMC).', 400, { reference: 'requis' })
  }
  const open = openInvoices(db, input.familyId, regie.id)
  let left = input.amountCents
  const applied: { invoiceId: number; amountCents: number }[] = []
  if (input.allocations.length) {
    for (const a of input.allocations) {
      const inv = open.find((o) => o.id === a.invoiceId)
      if (!inv) throw new DomainError('invalid_input', 'Une des factures choisies n’est pas à payer dans cette régie pour cette famille.', 400, { allocations: 'facture invalide' })
      if (a.amountCents > inv.due) throw new DomainError('invalid_input', `La facture ${inv.number} ne reste due que de ${formatEuro(inv.due)}.`, 400, { allocations: 'montant trop élevé' })
      if (a.amountCents > left) throw new DomainError('invalid_input', 'La répartition dépasse le montant du règlement.', 400, { allocations: 'dépasse le montant' })
      applied.push(a)
      left -= a.amountCents
    }
  } else if (input.autoAllocate !== false) {
    for (const inv of open) {
      if (left <= 0) break
      const amount = Math.min(left, inv.due)
      applied.push({ invoiceId: inv.id, amountCents: amount })
      left -= amount
    }
  }
  const [written] = writePayments(db, actor, core.clock.now(), regie, [{ ...input, allocations: applied }])
  return m.findOneByOrFail(Payment, { id: written.id })
}

const PAYMENT_COLUMNS = [
  'regie_id', 'family_id', 'number', 'seq', 'received_on', 'mode', 'amount_cents', 'cheque_number', 'bank', 'payer', 'reference',
  'online_payment_id', 'sepa_export_id', 'mandate_id', 'status', 'review', 'created_by', 'created_at'
] as const

/**
 * Writes payments of one régie whose allocations the caller has checked, in
 * its transaction: numbered in one block of the régie's sequence, with their
 * allocations and a 'payment-record' audit row each, in multi-row INSERTs
 * (a direct-debit file writes thousands at once).
 */
export function writePayments(db: Database.Database, actor: Actor, at: Date, regie: Regie, items: NewPayment[]): { id: number; number: string }[] {
  if (!items.length) return []
  const now = at.toISOString()
  const first = reserveNumbers(db, counterName(regie.id, 'payment'), items.length)
  const rows = items.map((p, i) => {
    const seq = first + i
    return {
      regieId: regie.id,
      familyId: p.familyId,
      number: formatNumber(regie.paymentFormat, { code: regie.code, n: seq, date: p.receivedOn }),
      seq,
      receivedOn: p.receivedOn,
      mode: p.mode,
      amountCents: p.amountCents,
      chequeNumber: p.chequeNumber,
      bank: p.bank,
      payer: p.payer,
      reference: p.reference,
      onlinePaymentId: p.onlinePaymentId ?? null,
      sepaExportId: p.sepaExportId ?? null,
      mandateId: p.mandateId ?? null,
      status: 'ok' as const,
      review: p.review ?? '',
      createdBy: actor.kind === 'staff' ? actor.id : null,
      createdAt: now
    }
  })
  const ids = new Map(
    insertMany<{ id: number; seq: number }>(db, 'payment', PAYMENT_COLUMNS, rows.map((r) => [r.regieId, r.familyId, r.number, r.seq, r.receivedOn, r.mode, r.amountCents, r.chequeNumber, r.bank, r.payer, r.reference, r.onlinePaymentId, r.sepaExportId, r.mandateId, r.status, r.review, r.createdBy, r.createdAt]), 'id, seq').map((x) => [x.seq, x.id])
  )
  const idOf = (i: number) => ids.get(rows[i].seq)!
  // Allocated on the payment's day (never before the invoice): the accounts as of a date count them from then.
  insertAllocations(db, items.flatMap((p, i) => p.allocations.map((a) => ({ paymentId: idOf(i), invoiceId: a.invoiceId, amountCents: a.amountCents, on: p.receivedOn, at: now }))))
  auditRows(
    db,
    actor,
    now,
    items.map((p, i) => ({
      action: 'payment-record',
      entity: 'payment',
      entityId: idOf(i),
      before: null,
      after: { id: idOf(i), ...rows[i], allocations: p.allocations, creditLeftCents: p.amountCents - p.allocations.reduce((t, a) => t + a.amountCents, 0) }
    }))
  )
  return rows.map((r, i) => ({ id: idOf(i), number: r.number }))
}

export async function recordPayment(core: Core, actor: Actor, input: PaymentInput): Promise<{ paymentId: number; number: string; creditLeftCents: number }> {
  return core.tx.run(async (m) => {
    const p = await insertPayment(m, core, actor, input)
    const allocated = (stmt(dbOf(m), 'SELECT COALESCE(SUM(amount_cents), 0) AS s FROM payment_allocation WHERE payment_id = ?').get(p.id) as { s: number }).s
    return { paymentId: p.id, number: p.number, creditLeftCents: p.amountCents - allocated }
  })
}

/** Applies a family's unallocated payments to its open invoices, oldest first (after a credit note, for example). */
export async function allocateCredit(core: Core, actor: Actor, familyId: number, regieId: number): Promise<number> {
  return core.tx.run(async (m) => {
    const db = dbOf(m)
    const now = core.clock.now().toISOString()
    const today = parisDay(core.clock.now())
    const free = stmt(
      db,
      `SELECT p.id, p.amount_cents - COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.payment_id = p.id), 0) AS free
         FROM payment p WHERE p.family_id = ? AND p.regie_id = ? AND p.status = 'ok' AND p.review <> 'to-check' ORDER BY p.received_on, p.id`
    ).all(familyId, regieId) as { id: number; free: number }[]
    const open = openInvoices(db, familyId, regieId)
    let total = 0
    for (const p of free) {
      let left = p.free
      for (const inv of open) {
        if (left <= 0) break
        if (inv.due <= 0) continue
        const amount = Math.min(left, inv.due)
        insertAllocation(db, { paymentId: p.id, invoiceId: inv.id, amountCents: amount, on: today, at: now })
        inv.due -= amount
        left -= amount
        total += amount
      }
    }
    if (total > 0) await audit(m, actor, core.clock.now(), { action: 'credit-allocate', entity: 'family', entityId: familyId, after: { regieId, allocatedCents: total } })
    return total
  })
}

/**
 * A rejected direct debit (or bounced cheque): the payment is marked
 * rejected, its allocations are reversed (negative rows), so the invoices
 * are due again; the statement shows the rejection as a debit. A debit of a
 * SEPA file goes through sepa/rejects.ts, which also moves its mandate back
 * and charges the bank fee.
 */
export async function rejectPayment(core: Core, actor: Actor, paymentId: number, reason: string, rejectedOn?: string): Promise<void> {
  await core.tx.run(async (m) => {
    const p = await m.findOneBy(Payment, { id: paymentId })
    if (!p) throw notFound('Règlement')
    await rejectPaymentIn(m, core, actor, p, reason, rejectedOn ?? parisDay(core.clock.now()))
  })
}

/** The rejection itself, in the caller's transaction; returns the invoices it re-opens. */
export async function rejectPaymentIn(m: EntityManager, core: Core, actor: Actor, p: Payment, reason: string, on: string): Promise<number[]> {
  if (!reason.trim()) throw new DomainError('invalid_input', 'Motif du rejet : champ obligatoire.', 400, { reason: 'requis' })
  if (p.status === 'rejected') throw new DomainError('conflict', `Le règlement ${p.number} est déjà rejeté.`, 409)
  if (p.mode !== 'prelevement' && p.mode !== 'cheque') throw new DomainError('invalid_input', 'Seuls un prélèvement ou un chèque peuvent être rejetés.', 400)
  const now = core.clock.now().toISOString()
  await m.update(Payment, { id: p.id }, { status: 'rejected', rejectedOn: on, rejectReason: reason.trim() })
  const allocations = stmt(
    dbOf(m),
    'SELECT invoice_id, SUM(amount_cents) AS net FROM payment_allocation WHERE payment_id = ? GROUP BY invoice_id HAVING SUM(amount_cents) <> 0'
  ).all(p.id) as { invoice_id: number; net: number }[]
  for (const a of allocations) {
    insertAllocation(dbOf(m), { paymentId: p.id, invoiceId: a.invoice_id, amountCents: -a.net, on, at: now })
    if (p.mode === 'prelevement') await m.update(Invoice, { id: a.invoice_id }, { debitStatus: 'rejected' })
  }
  await audit(m, actor, core.clock.now(), {
    action: 'payment-reject',
    entity: 'payment',
    entityId: p.id,
    before: { status: p.status },
    after: { status: 'rejected', rejectedOn: on, reason, reopened: allocations.map((a) => a.invoice_id) }
  })
  return allocations.map((a) => a.invoice_id)
}

interface PaymentRow {
  id: number
  number: string
  regie_id: number
  regie_name: string
  family_id: number
  family_number: number
  last_name: string | null
  first_name: string | null
  received_on: string
  mode: PaymentMode
  amount_cents: number
  allocated: number
  cheque_number: string
  bank: string
  payer: string
  reference: string
  deposit_number: string | null
  status: 'ok' | 'rejected'
  rejected_on: string | null
  invoices: string | null
  review: '' | 'to-check' | 'checked'
  review_note: string
}

export const PAYMENT_SELECT = `
  SELECT p.id, p.number, p.regie_id, r.name AS regie_name, p.family_id, f.number AS family_number,
         pe.last_name, pe.first_name,
         p.received_on, p.mode, p.amount_cents,
         COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.payment_id = p.id), 0) AS allocated,
         p.cheque_number, p.bank, p.payer, p.reference, d.number AS deposit_number, p.status, p.rejected_on, p.review, p.review_note,
         (SELECT GROUP_CONCAT(number, ', ') FROM (SELECT DISTINCT i.number FROM payment_allocation a JOIN invoice i ON i.id = a.invoice_id
            WHERE a.payment_id = p.id AND a.amount_cents > 0)) AS invoices
    FROM payment p JOIN regie r ON r.id = p.regie_id JOIN family f ON f.id = p.family_id
    LEFT JOIN person pe ON pe.family_id = f.id AND pe.role = 'responsable'
    LEFT JOIN deposit d ON d.id = p.deposit_id`

/** A payment on `today`: a direct debit is « en cours » until its collection date (its receivedOn). */
export function toPaymentDto(r: PaymentRow, today: string): PaymentDto {
  return {
    id: r.id,
    number: r.number,
    regieId: r.regie_id,
    regieName: r.regie_name,
    familyId: r.family_id,
    familyNumber: r.family_number,
    familyName: personName(r.last_name, r.first_name),
    receivedOn: r.received_on,
    mode: r.mode,
    amountCents: r.amount_cents,
    allocatedCents: r.allocated,
    chequeNumber: r.cheque_number,
    bank: r.bank,
    payer: r.payer,
    reference: r.reference,
    depositNumber: r.deposit_number,
    status: r.status,
    inFlight: r.mode === 'prelevement' && r.status === 'ok' && r.received_on > today,
    rejectedOn: r.rejected_on,
    invoices: r.invoices ? r.invoices.split(', ') : [],
    review: r.review,
    reviewNote: r.review_note
  }
}

export interface PaymentFilter {
  /** The day « en cours » is judged on. */
  today: string
  regieId?: number
  familyId?: number
  mode?: PaymentMode
  from?: string
  to?: string
  undeposited?: boolean
  depositId?: number
  toCheck?: boolean
  limit: number
  offset: number
}

export function listPayments(m: EntityManager, f: PaymentFilter): { total: number; items: PaymentDto[]; toCheck: number } {
  const where: string[] = []
  const params: unknown[] = []
  if (f.regieId) (where.push('p.regie_id = ?'), params.push(f.regieId))
  if (f.familyId) (where.push('p.family_id = ?'), params.push(f.familyId))
  if (f.mode) (where.push('p.mode = ?'), params.push(f.mode))
  if (f.from) (where.push('p.received_on >= ?'), params.push(f.from))
  if (f.to) (where.push('p.received_on <= ?'), params.push(f.to))
  if (f.undeposited) where.push("p.deposit_id IS NULL AND p.status = 'ok'")
  if (f.depositId) (where.push('p.deposit_id = ?'), params.push(f.depositId))
  if (f.toCheck) where.push("p.review = 'to-check'")
  const w = where.length ? `WHERE ${where.join(' AND ')}` : ''
  const db = dbOf(m)
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM payment p ${w}`).get(...params) as { n: number }).n
  const rows = db.prepare(`${PAYMENT_SELECT} ${w} ORDER BY p.received_on DESC, p.id DESC LIMIT ? OFFSET ?`).all(...params, f.limit, f.offset) as PaymentRow[]
  const toCheck = (stmt(db, "SELECT COUNT(*) AS n FROM payment WHERE review = 'to-check'").get() as { n: number }).n
  return { total, items: rows.map((r) => toPaymentDto(r, f.today)), toCheck }
}

/**
 * The accountant has dealt with a payment received for invoices already
 * paid: refunded, or kept as credit. From then on its credit is applied to
 * the family's next invoices like any other.
 */
export async function reviewPayment(core: Core, actor: Actor, paymentId: number, note: string): Promise<void> {
  await core.tx.run(async (m) => {
    const p = await m.findOneBy(Payment, { id: paymentId })
    if (!p) throw notFound('Règlement')
    if (p.review !== 'to-check') throw new DomainError('conflict', `Le règlement ${p.number} n’est pas à vérifier.`, 409)
    await m.update(Payment, { id: p.id }, { review: 'checked', reviewNote: note.trim() })
    await audit(m, actor, core.clock.now(), { action: 'payment-review', entity: 'payment', entityId: p.id, before: { review: p.review }, after: { review: 'checked', note: note.trim() } })
  })
}

export function paymentById(m: EntityManager, id: number, today: string): PaymentDto {
  const r = dbOf(m).prepare(`${PAYMENT_SELECT} WHERE p.id = ?`).get(id) as PaymentRow | undefined
  if (!r) throw notFound('Règlement')
  return toPaymentDto(r, today)
}

// ---------------------------------------------------------------- deposits

export const DEPOSIT_MODES: DepositMode[] = ['cheque', 'especes', 'cesu', 'ancv']

/**
 * A bank deposit slip (bordereau de remise) grouping cheques, cash, CESU or
 * ANCV of one régie not yet deposited. Numbered in the régie's "deposit"
 * sequence; each payment can be in one deposit only.
 */
export async function createDeposit(
  core: Core,
  actor: Actor,
  input: { regieId: number; mode: DepositMode; paymentIds: number[]; depositedOn: string; bankAccount: string }
): Promise<{ depositId: number; number: string }> {
  if (input.paymentIds.length === 0) throw new DomainError('invalid_input', 'Cochez au moins un règlement à remettre en banque.', 400, { paymentIds: 'vide' })
  return core.tx.run(async (m) => {
    const regie = await getRegie(m, input.regieId)
    const payments = await m.findByIds(Payment, input.paymentIds)
    if (payments.length !== new Set(input.paymentIds).size) throw notFound('Règlement')
    for (const p of payments) {
      if (p.regieId !== regie.id || p.mode !== input.mode) {
        throw new DomainError('invalid_input', `Le règlement ${p.number} n’est pas un règlement « ${PAYMENT_MODE_LABELS[input.mode]} » de la régie ${regie.name}.`, 400)
      }
      if (p.depositId) throw new DomainError('conflict', `Le règlement ${p.number} est déjà dans une remise.`, 409)
      if (p.status !== 'ok') throw new DomainError('conflict', `Le règlement ${p.number} est rejeté.`, 409)
    }
    const seq = await nextNumber(m, counterName(regie.id, 'deposit'))
    const number = `${regie.code}-REM${String(seq).padStart(4, '0')}`
    const total = payments.reduce((s, p) => s + p.amountCents, 0)
    const d = await m.save(
      Deposit,
      Object.assign(new Deposit(), {
        regieId: regie.id,
        number,
        mode: input.mode,
        depositedOn: input.depositedOn,
        bankAccount: input.bankAccount,
        count: payments.length,
        totalCents: total,
        createdBy: actor.kind === 'staff' ? actor.id : null,
        createdAt: core.clock.now().toISOString()
      })
    )
    for (const p of payments) await m.update(Payment, { id: p.id }, { depositId: d.id })
    await audit(m, actor, core.clock.now(), { action: 'deposit-create', entity: 'deposit', entityId: d.id, after: { ...d, payments: payments.map((p) => p.number) } })
    return { depositId: d.id, number }
  })
}

export async function depositDtos(m: EntityManager, regieId?: number): Promise<DepositDto[]> {
  const rows = await m.find(Deposit, { where: regieId ? { regieId } : {}, order: { depositedOn: 'DESC', id: 'DESC' } })
  return rows.map((d) => ({ id: d.id, number: d.number, regieId: d.regieId, mode: d.mode, depositedOn: d.depositedOn, bankAccount: d.bankAccount, count: d.count, totalCents: d.totalCents }))
}

/** "Règlement : Chèque n° 1234 (Banque)" as the statement and receipts word it. */
export function paymentDescription(p: { mode: PaymentMode; cheque_number?: string; chequeNumber?: string; reference?: string }): string {
  const cheque = p.chequeNumber ?? p.cheque_number ?? ''
  if (p.mode === 'titre') return `Titre émis (ORMC n°${p.reference ?? ''})`
  if (p.mode === 'cheque' && cheque) return `Règlement : Chèque n° ${cheque}`
  return `Règlement : ${PAYMENT_MODE_LABELS[p.mode]}`
}

