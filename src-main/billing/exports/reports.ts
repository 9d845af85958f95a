/**
 * The accountants' spreadsheets: invoice journal, payment journal (by mode
 * and by deposit), aged balance, revenue by activity and month, and the CAF
 * attendance statistics (hours booked / attended per age bracket).
 */
import type Database from 'better-sqlite3'
import { personName } from '@shared/names'
import { EXPORT_LABELS, INVOICE_STATE_LABELS, PAYMENT_MODE_LABELS, type PaymentModeCode } from '@shared/contract/billing-shapes'
import type { Core } from '../../core/app-core'
import { frenchDate, parisDay } from '../../core/clock'
import { DomainError } from '../../core/errors'
import { ageOn } from '../../calendar/days'
import { dbOf } from '../../bookings/sql'
import { consumedMinutes } from '../tariffs/resolve'
import { monthBounds, wallClock } from '../invoicing/compute'
import { getStructure } from '../../settings/settings'
import { INVOICE_SELECT, toSummary, type InvoiceRow } from '../invoices'
import { buildWorkbook, type SheetSpec } from './xlsx'
import { agedBalanceAsOf } from './aged-balance'

export type ExportKind = keyof typeof EXPORT_LABELS

export interface ExportParams {
  kind: ExportKind
  from: string
  to: string
  regieId?: number | null
}

function regieClause(alias: string, regieId?: number | null): { sql: string; params: unknown[] } {
  return regieId ? { sql: ` AND ${alias}.regie_id = ?`, params: [regieId] } : { sql: '', params: [] }
}

export function invoiceJournal(db: Database.Database, p: ExportParams, today: string): SheetSpec[] {
  const r = regieClause('i', p.regieId)
  const rows = db.prepare(`${INVOICE_SELECT} WHERE i.issue_date BETWEEN ? AND ? ${r.sql} ORDER BY i.regie_id, i.seq`).all(p.from, p.to, ...r.params) as InvoiceRow[]
  const notes = db
    .prepare(
      `SELECT c.number, c.issue_date, c.amount_cents, c.reason, i.number AS invoice, json_extract(i.snapshot, '$.familyNumber') AS family_number,
              json_extract(i.snapshot, '$.familyName') AS family_name, g.name AS regie
         FROM credit_note c JOIN invoice i ON i.id = c.invoice_id JOIN regie g ON g.id = c.regie_id
        WHERE c.issue_date BETWEEN ? AND ? ${regieClause('c', p.regieId).sql} ORDER BY c.regie_id, c.seq`
    )
    .all(p.from, p.to, ...r.params) as { number: string; issue_date: string; amount_cents: number; reason: string; invoice: string; family_number: number; family_name: string; regie: string }[]
  return [
    {
      name: 'Factures',
      title: `${EXPORT_LABELS['invoice-journal']} du ${frenchDate(p.from)} au ${frenchDate(p.to)}`,
      columns: [
        { header: 'Numéro', key: 'number', type: 'text', width: 16 },
        { header: 'Date', key: 'date', type: 'date' },
        { header: 'Échéance', key: 'due', type: 'date' },
        { header: 'N° famille', key: 'familyNumber', type: 'int' },
        { header: 'Famille', key: 'family', type: 'text', width: 28 },
        { header: 'Régie', key: 'regie', type: 'text' },
        { header: 'Début de période', key: 'start', type: 'date' },
        { header: 'Fin de période', key: 'end', type: 'date' },
        { header: 'Montant', key: 'total', type: 'money', total: true },
        { header: 'Réglé', key: 'paid', type: 'money', total: true },
        { header: 'Reste dû', key: 'due_cents', type: 'money', total: true },
        { header: 'État', key: 'state', type: 'text', width: 20 },
        { header: 'Avoir', key: 'credit', type: 'text', width: 14 }
      ],
      rows: rows.map((x) => {
        const s = toSummary(x, today)
        return {
          number: s.number,
          date: s.issueDate,
          due: s.dueDate,
          familyNumber: s.familyNumber,
          family: s.familyName,
          regie: s.regieName,
          start: s.periodStart,
          end: s.periodEnd,
          total: s.totalCents,
          paid: s.paidCents,
          due_cents: s.dueCents,
          state: INVOICE_STATE_LABELS[s.state],
          credit: s.creditNoteNumber ?? ''
        }
      }),
      totalsLabel: 'Total'
    },
    {
      name: 'Avoirs',
      columns: [
        { header: 'Numéro', key: 'number', type: 'text', width: 16 },
        { header: 'Date', key: 'date', type: 'date' },
        { header: 'Facture annulée', key: 'invoice', type: 'text', width: 16 },
        { header: 'N° famille', key: 'familyNumber', type: 'int' },
        { header: 'Famille', key: 'family', type: 'text', width: 28 },
        { header: 'Régie', key: 'regie', type: 'text' },
        { header: 'Montant', key: 'amount', type: 'money', total: true },
        { header: 'Motif', key: 'reason', type: 'text', width: 40 }
      ],
      rows: notes.map((n) => ({ number: n.number, date: n.issue_date, invoice: n.invoice, familyNumber: n.family_number, family: n.family_name, regie: n.regie, amount: n.amount_cents, reason: n.reason })),
      totalsLabel: 'Total'
    }
  ]
}

/** Payments by date; a direct debit is dated on its collection day and marked « en cours » until then (not in the totals by mode). */
export function paymentJournal(db: Database.Database, p: ExportParams, today: string): SheetSpec[] {
  const r = regieClause('p', p.regieId)
  const rows = db
    .prepare(
      `SELECT p.number, p.received_on, p.mode, p.amount_cents, p.cheque_number, p.bank, p.payer, p.reference, p.status, p.rejected_on,
              f.number AS family_number, pe.last_name, pe.first_name,
              g.name AS regie, d.number AS deposit, d.deposited_on
         FROM payment p JOIN family f ON f.id = p.family_id LEFT JOIN person pe ON pe.family_id = f.id AND pe.role = 'responsable'
         JOIN regie g ON g.id = p.regie_id LEFT JOIN deposit d ON d.id = p.deposit_id
        WHERE p.received_on BETWEEN ? AND ? ${r.sql} ORDER BY p.mode, p.received_on, p.id`
    )
    .all(p.from, p.to, ...r.params) as {
    number: string
    received_on: string
    mode: PaymentModeCode
    amount_cents: number
    cheque_number: string
    bank: string
    payer: string
    reference: string
    status: string
    rejected_on: string | null
    family_number: number
    last_name: string | null
    first_name: string | null
    regie: string
    deposit: string | null
    deposited_on: string | null
  }[]
  const byMode = new Map<string, { count: number; total: number }>()
  const byDeposit = new Map<string, { date: string; mode: string; count: number; total: number }>()
  const inFlight = (x: { mode: PaymentModeCode; status: string; received_on: string }) => x.mode === 'prelevement' && x.status === 'ok' && x.received_on > today
  for (const x of rows) {
    if (inFlight(x)) continue
    const m = byMode.get(x.mode) ?? { count: 0, total: 0 }
    m.count++
    m.total += x.amount_cents
    byMode.set(x.mode, m)
    if (x.deposit) {
      const d = byDeposit.get(x.deposit) ?? { date: x.deposited_on ?? '', mode: PAYMENT_MODE_LABELS[x.mode], count: 0, total: 0 }
      d.count++
      d.total += x.amount_cents
      byDeposit.set(x.deposit, d)
    }
  }
  return [
    {
      name: 'Règlements',
      title: `${EXPORT_LABELS['payment-journal']} du ${frenchDate(p.from)} au ${frenchDate(p.to)}`,
      columns: [
        { header: 'Date', key: 'date', type: 'date' },
        { header: 'Numéro', key: 'number', type: 'text', width: 14 },
        { header: 'N° famille', key: 'familyNumber', type: 'int' },
        { header: 'Famille', key: 'family', type: 'text', width: 28 },
        { header: 'Régie', key: 'regie', type: 'text' },
        { header: 'Mode', key: 'mode', type: 'text', width: 18 },
        { header: 'Chèque n°', key: 'cheque', type: 'text' },
        { header: 'Banque', key: 'bank', type: 'text' },
        { header: 'Payeur', key: 'payer', type: 'text' },
        { header: 'Référence', key: 'reference', type: 'text', width: 30 },
        { header: 'Remise', key: 'deposit', type: 'text', width: 14 },
        { header: 'Montant', key: 'amount', type: 'money', total: true },
        { header: 'État', key: 'state', type: 'text', width: 22 },
        { header: 'Rejeté le', key: 'rejected', type: 'date' }
      ],
      rows: rows.map((x) => ({
        date: x.received_on,
        number: x.number,
        familyNumber: x.family_number,
        family: personName(x.last_name, x.first_name),
        regie: x.regie,
        mode: PAYMENT_MODE_LABELS[x.mode],
        cheque: x.cheque_number,
        bank: x.bank,
        payer: x.payer,
        reference: x.reference,
        deposit: x.deposit ?? '',
        amount: x.amount_cents,
        state: x.status === 'rejected' ? 'Rejeté' : inFlight(x) ? 'Prélèvement en cours' : 'Encaissé',
        rejected: x.rejected_on
      })),
      totalsLabel: 'Total'
    },
    {
      name: 'Par mode',
      columns: [
        { header: 'Mode', key: 'mode', type: 'text' },
        { header: 'Nombre', key: 'count', type: 'int', total: true },
        { header: 'Montant', key: 'total', type: 'money', total: true }
      ],
      rows: [...byMode.entries()].map(([mode, v]) => ({ mode: PAYMENT_MODE_LABELS[mode as PaymentModeCode], count: v.count, total: v.total })),
      totalsLabel: 'Total'
    },
    {
      name: 'Par remise',
      columns: [
        { header: 'Remise', key: 'deposit', type: 'text', width: 16 },
        { header: 'Date', key: 'date', type: 'date' },
        { header: 'Nature', key: 'mode', type: 'text' },
        { header: 'Nombre', key: 'count', type: 'int', total: true },
        { header: 'Montant', key: 'total', type: 'money', total: true }
      ],
      rows: [...byDeposit.entries()].map(([deposit, v]) => ({ deposit, ...v })),
      totalsLabel: 'Total'
    }
  ]
}

export function agedBalance(db: Database.Database, p: ExportParams): SheetSpec[] {
  const asOf = p.to
  return [
    {
      name: 'Balance âgée',
      title: `${EXPORT_LABELS["aged-balance"]} au ${frenchDate(asOf)} – ancienneté comptée depuis la date d’échéance`,
      columns: [
        { header: 'N° famille', key: 'familyNumber', type: 'int' },
        { header: 'Famille', key: 'family', type: 'text', width: 28 },
        { header: 'Non échu', key: 'notDue', type: 'money', total: true },
        { header: '0 à 30 jours', key: 'd30', type: 'money', total: true },
        { header: '31 à 60 jours', key: 'd60', type: 'money', total: true },
        { header: '61 à 90 jours', key: 'd90', type: 'money', total: true },
        { header: 'Plus de 90 jours', key: 'older', type: 'money', total: true },
        { header: 'Total dû', key: 'due', type: 'money', total: true },
        { header: 'Avoir non imputé', key: 'credit', type: 'money', total: true },
        { header: 'Solde', key: 'balance', type: 'money', total: true },
        { header: 'dont prélèvement en cours', key: 'inFlight', type: 'money', total: true }
      ],
      rows: agedBalanceAsOf(db, asOf, p.regieId).map((f) => ({ ...f })),
      totalsLabel: 'Total'
    }
  ]
}

function monthsBetween(from: string, to: string): string[] {
  const out: string[] = []
  let [y, m] = from.slice(0, 7).split('-').map(Number)
  const end = to.slice(0, 7)
  for (;;) {
    const k = `${y}-${String(m).padStart(2, '0')}`
    if (k > end) break
    out.push(k)
    m++
    if (m > 12) (m = 1), y++
    if (out.length > 120) throw new DomainError('invalid_input', 'Période trop longue (10 ans au plus).', 400)
  }
  return out
}

export function revenueByActivity(db: Database.Database, p: ExportParams): SheetSpec[] {
  const r = regieClause('i', p.regieId)
  const rows = db
    .prepare(
      `SELECT COALESCE(NULLIF(l.activity_name, ''), 'Ajustements') AS activity, substr(i.period_start, 1, 7) AS month, SUM(l.amount_cents) AS amount
         FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
        WHERE i.status = 'issued' AND i.period_start BETWEEN ? AND ? ${r.sql}
        GROUP BY 1, 2 ORDER BY 1, 2`
    )
    .all(p.from, p.to, ...r.params) as { activity: string; month: string; amount: number }[]
  const months = monthsBetween(p.from, p.to)
  const acts = new Map<string, Record<string, number | string>>()
  for (const x of rows) {
    const a = acts.get(x.activity) ?? { activity: x.activity, total: 0 }
    a[x.month] = ((a[x.month] as number) ?? 0) + x.amount
    a.total = (a.total as number) + x.amount
    acts.set(x.activity, a)
  }
  return [
    {
      name: 'Recettes',
      title: `${EXPORT_LABELS.revenue} (factures émises, hors factures annulées) – ${frenchDate(p.from)} au ${frenchDate(p.to)}`,
      columns: [
        { header: 'Activité', key: 'activity', type: 'text', width: 32 },
        ...months.map((mo) => ({ header: `${mo.slice(5)}/${mo.slice(0, 4)}`, key: mo, type: 'money' as const, total: true })),
        { header: 'Total', key: 'total', type: 'money', total: true }
      ],
      rows: [...acts.values()],
      totalsLabel: 'Total'
    }
  ]
}

export function cafStats(db: Database.Database, p: ExportParams): SheetSpec[] {
  const rows = db
    .prepare(
      `SELECT b.state, b.day, b.arrived_at, b.left_at, b.child_id, u.start_time, u.end_time, a.name AS activity, c.birth_date
         FROM booking b JOIN unit u ON u.id = b.unit_id JOIN activity a ON a.id = u.activity_id JOIN child c ON c.id = b.child_id
        WHERE b.day BETWEEN ? AND ? AND b.state IN ('R','PRESENT','A_FACT','ABSENT')`
    )
    .all(p.from, p.to) as { state: string; day: string; arrived_at: string | null; left_at: string | null; child_id: number; start_time: string; end_time: string; activity: string; birth_date: string }[]
  const groups = new Map<string, { activity: string; month: string; bracket: string; children: Set<number>; booked: number; attended: number }>()
  for (const x of rows) {
    const bracket = ageOn(x.birth_date, x.day) < 6 ? 'Moins de 6 ans' : '6 ans et plus'
    const k = `${x.activity}|${x.day.slice(0, 7)}|${bracket}`
    const g = groups.get(k) ?? { activity: x.activity, month: x.day.slice(0, 7), bracket, children: new Set<number>(), booked: 0, attended: 0 }
    const schedule = consumedMinutes({ start: x.start_time, end: x.end_time }, { arrived: null, left: null }).minutes
    g.booked += schedule
    if (x.state === 'PRESENT') g.attended += consumedMinutes({ start: x.start_time, end: x.end_time }, { arrived: wallClock(x.arrived_at), left: wallClock(x.left_at) }).minutes
    g.children.add(x.child_id)
    groups.set(k, g)
  }
  const sorted = [...groups.values()].sort((a, b) => a.activity.localeCompare(b.activity) || a.month.localeCompare(b.month) || a.bracket.localeCompare(b.bracket))
  return [
    {
      name: 'Statistiques CAF',
      title: `${EXPORT_LABELS['caf-stats']} – ${frenchDate(p.from)} au ${frenchDate(p.to)}`,
      columns: [
        { header: 'Activité', key: 'activity', type: 'text', width: 32 },
        { header: 'Mois', key: 'month', type: 'text', width: 10 },
        { header: 'Tranche d’âge', key: 'bracket', type: 'text', width: 16 },
        { header: 'Enfants', key: 'children', type: 'int' },
        { header: 'Heures réservées', key: 'booked', type: 'number', total: true },
        { header: 'Heures réalisées', key: 'attended', type: 'number', total: true }
      ],
      rows: sorted.map((g) => ({
        activity: g.activity,
        month: `${g.month.slice(5)}/${g.month.slice(0, 4)}`,
        bracket: g.bracket,
        children: g.children.size,
        booked: Math.round((g.booked / 60) * 100) / 100,
        attended: Math.round((g.attended / 60) * 100) / 100
      })),
      totalsLabel: 'Total'
    }
  ]
}

/** What the files are called where the accountant saves them, in French. */
const FILE_STEMS: Record<ExportKind, string> = {
  'invoice-journal': 'journal-des-factures',
  'payment-journal': 'journal-des-reglements',
  'aged-balance': 'balance-agee',
  revenue: 'recettes-par-activite',
  'caf-stats': 'statistiques-caf'
}

/** « journal-des-factures-2026-11.xlsx » for a whole month, « …-2026.xlsx » for a year, « …-du-2026-11-01-au-2026-11-15.xlsx » otherwise; the aged balance is « balance-agee-au-2026-11-30.xlsx ». */
export function exportFileName(p: Pick<ExportParams, 'kind' | 'from' | 'to'>): string {
  const stem = FILE_STEMS[p.kind]
  if (p.kind === 'aged-balance') return `${stem}-au-${p.to}.xlsx`
  const month = p.from.slice(0, 7)
  if (p.from === `${month}-01` && p.to === monthBounds(month).end) return `${stem}-${month}.xlsx`
  const year = p.from.slice(0, 4)
  if (p.from === `${year}-01-01` && p.to === `${year}-12-31`) return `${stem}-${year}.xlsx`
  return `${stem}-du-${p.from}-au-${p.to}.xlsx`
}

export async function buildExport(core: Core, p: ExportParams): Promise<{ filename: string; data: Buffer }> {
  if (p.to < p.from) throw new DomainError('invalid_input', 'La fin de période précède son début.', 400, { to: 'avant le début' })
  const today = parisDay(core.clock.now())
  const { sheets, structureName } = await core.tx.read(async (m) => {
    const db = dbOf(m)
    const structureName = (await getStructure(m)).name
    switch (p.kind) {
      case 'invoice-journal':
        return { sheets: invoiceJournal(db, p, today), structureName }
      case 'payment-journal':
        return { sheets: paymentJournal(db, p, today), structureName }
      case 'aged-balance':
        return { sheets: agedBalance(db, p), structureName }
      case 'revenue':
        return { sheets: revenueByActivity(db, p), structureName }
      case 'caf-stats':
        return { sheets: cafStats(db, p), structureName }
    }
  })
  const data = await buildWorkbook(sheets, { now: core.clock.now(), structureName })
  return { filename: exportFileName(p), data }
}

