/**
 * The publication of a staged run (#19): ONE transaction that restages the
 * last families changed since staging, numbers the invoices (gapless, in the
 * order of N° famille), copies the staged invoices, lines and "already
 * billed" rows into the real tables with set-based INSERT … SELECT, applies
 * the families' free credit and writes the audit rows. Before it commits,
 * nothing of the run is visible; after, all of it is.
 */
import type Database from 'better-sqlite3'
import type { Actor } from '../../core/actor'
import { auditRow, stmt } from '../../bookings/sql'
import { reserveNumbers } from '../../db/counter'
import { DomainError } from '../../core/errors'
import type { Regie } from '../entities'
import { counterName, formatNumber } from '../numbering'
import { applyCredit, type IssueResult } from './issue'
import { freeCredits, loadRunContext, type ComputeOptions } from './compute'
import { computeChunk, configFingerprint, dirtyFamilies, maxDirty, writeStage, type StageFixed, type StageRun } from './staging'

export interface PublishInput {
  stage: StageRun
  regie: Regie
  opts: ComputeOptions
  fixed: StageFixed
  issueDate: string
  dueDate: string
  periodStart: string
  periodEnd: string
  actor: Actor
  now: string
}

export class ConfigChanged extends Error {}

/** Call inside core.tx.run, on the main connection. */
export function publishStage(db: Database.Database, p: PublishInput): IssueResult {
  const { stage, regie, actor, now } = p
  if (configFingerprint(db) !== stage.fingerprint) throw new ConfigChanged('billing configuration changed while the run was staged')
  // The last families changed since the staging rounds: few, restaged here where nothing can change them again.
  const upTo = maxDirty(db)
  const dirty = dirtyFamilies(db, stage.dirtySeen, upTo)
  if (dirty.length) {
    const ctx = loadRunContext(db, p.opts)
    for (let i = 0; i < dirty.length; i += 100) {
      const { draft, numbers } = computeChunk(db, p.opts, ctx, dirty.slice(i, i + 100))
      writeStage(db, stage.id, draft, numbers, p.fixed)
    }
  }
  const totals = stmt(
    db,
    'SELECT COALESCE(SUM(will_issue), 0) AS n, COUNT(*) - COALESCE(SUM(will_issue), 0) AS skipped, COALESCE(SUM(line_count), 0) AS lines, COALESCE(SUM(total_cents * will_issue), 0) AS total FROM invoice_stage WHERE stage_id = ?'
  ).get(stage.id) as {
    n: number
    skipped: number
    lines: number
    total: number
  }
  if (totals.n === 0) {
    const m = p.opts.month
    throw new DomainError('nothing_to_bill', `Rien à facturer pour ${m.slice(5)}/${m.slice(0, 4)} sur la régie ${regie.name} : tout est déjà facturé ou aucune consommation n’a de tarif.`, 409)
  }
  const first = reserveNumbers(db, counterName(regie.id, 'invoice'), totals.n)
  const number = (i: number) => formatNumber(regie.invoiceFormat, { code: regie.code, n: first + i, date: p.issueDate })
  const runId = Number(
    stmt(
      db,
      `INSERT INTO invoicing_run (regie_id, month, period_start, period_end, issue_date, due_date, invoice_count, line_count, total_cents,
                                  first_number, last_number, backup_name, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    ).run(regie.id, p.opts.month, p.periodStart, p.periodEnd, p.issueDate, p.dueDate, totals.n, totals.lines, totals.total, number(0), number(totals.n - 1), stage.backupName, actor.kind === 'staff' ? actor.id : null, now)
      .lastInsertRowid
  )

  // The collection mode and the free credit are read now, not when the family was staged.
  const debit = new Set((stmt(db, "SELECT family_id FROM sepa_mandate WHERE status = 'active'").all() as { family_id: number }[]).map((x) => x.family_id))
  const credits = freeCredits(db, regie.id)
  db.exec('CREATE TEMP TABLE IF NOT EXISTS stage_invoice (family_number INTEGER PRIMARY KEY, invoice_id INTEGER NOT NULL)')
  db.exec('DELETE FROM temp.stage_invoice')
  const insMap = stmt(db, 'INSERT INTO temp.stage_invoice (family_number, invoice_id) VALUES (?, ?)')
  const insInvoice = stmt(
    db,
    `INSERT INTO invoice (regie_id, run_id, family_id, number, seq, issue_date, due_date, period_start, period_end, total_cents, collection, snapshot, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?)`
  )
  const staged = stmt(db, 'SELECT family_id, family_number, total_cents, line_count, snapshot FROM invoice_stage WHERE stage_id = ? AND will_issue = 1 ORDER BY family_number').all(stage.id) as {
    family_id: number
    family_number: number
    total_cents: number
    line_count: number
    snapshot: string
  }[]
  const issued: { invoiceId: number; familyId: number; total: number; lines: number; i: number }[] = []
  let i = 0
  for (const f of staged) {
    const invoiceId = Number(
      insInvoice.run(regie.id, runId, f.family_id, number(i), first + i, p.issueDate, p.dueDate, p.periodStart, p.periodEnd, f.total_cents, debit.has(f.family_id) ? 'debit' : 'direct', f.snapshot, now).lastInsertRowid
    )
    insMap.run(f.family_number, invoiceId)
    issued.push({ invoiceId, familyId: f.family_id, total: f.total_cents, lines: f.line_count, i })
    i++
  }

  // "Why this price" texts, stored once, and their ids by staging number; then the lines in the order of their
  // invoices (the staging key's order).
  stmt(db, `INSERT INTO price_explanation (text) SELECT text FROM invoice_stage_explanation WHERE stage_id = ? ORDER BY no ON CONFLICT(text) DO NOTHING`).run(stage.id)
  db.exec('CREATE TEMP TABLE IF NOT EXISTS stage_explanation (no INTEGER PRIMARY KEY, id INTEGER NOT NULL)')
  db.exec('DELETE FROM temp.stage_explanation')
  stmt(db, 'INSERT INTO temp.stage_explanation (no, id) SELECT x.no, e.id FROM invoice_stage_explanation x JOIN price_explanation e ON e.text = x.text WHERE x.stage_id = ?').run(stage.id)
  stmt(
    db,
    `INSERT INTO invoice_line (invoice_id, sort, kind, child_id, child_name, activity_id, activity_name, unit_id, label, day, quantity, quantity_label,
                               unit_price_cents, amount_cents, booking_id, booking_state, tariff_id, bracket, explanation_id, meal_cents)
     SELECT m.invoice_id, l.sort, l.kind, l.child_id, l.child_name, l.activity_id, l.activity_name, l.unit_id, l.label, l.day, l.quantity, l.quantity_label,
            l.unit_price_cents, l.amount_cents, l.booking_id, l.booking_state, l.tariff_id, l.bracket, x.id, l.meal_cents
       FROM invoice_stage_line l JOIN temp.stage_invoice m ON m.family_number = l.family_number
       LEFT JOIN temp.stage_explanation x ON x.no = l.explanation_no
      WHERE l.stage_id = ?`
  ).run(stage.id)
  // Billed bookings; those an earlier flat covers are locked to that flat's invoice.
  stmt(
    db,
    `INSERT INTO billed_booking (booking_id, invoice_id)
     SELECT b.booking_id, COALESCE(b.covered_by, m.invoice_id) FROM invoice_stage_booking b LEFT JOIN temp.stage_invoice m ON m.family_number = b.family_number
      WHERE b.stage_id = ? AND (b.covered_by IS NOT NULL OR m.invoice_id IS NOT NULL)`
  ).run(stage.id)
  stmt(
    db,
    `INSERT INTO billed_flat (key, invoice_id)
     SELECT l.flat_key, m.invoice_id FROM invoice_stage_line l JOIN temp.stage_invoice m ON m.family_number = l.family_number WHERE l.stage_id = ? AND l.flat_key IS NOT NULL`
  ).run(stage.id)
  stmt(
    db,
    `UPDATE billing_adjustment SET invoice_id = (
       SELECT m.invoice_id FROM invoice_stage_line l JOIN temp.stage_invoice m ON m.family_number = l.family_number WHERE l.stage_id = ? AND l.adjustment_id IS NOT NULL AND l.adjustment_id = billing_adjustment.id)
      WHERE invoice_id IS NULL AND id IN (SELECT adjustment_id FROM invoice_stage_line WHERE stage_id = ? AND adjustment_id IS NOT NULL)`
  ).run(stage.id, stage.id)

  for (const x of issued) {
    const creditApplied = (credits.get(x.familyId) ?? 0) > 0 ? applyCredit(db, regie.id, x.familyId, x.invoiceId, x.total, p.issueDate, now) : 0
    auditRow(db, actor, now, 'invoice-issue', 'invoice', x.invoiceId, null, { number: number(x.i), familyId: x.familyId, runId, totalCents: x.total, lines: x.lines, creditApplied })
  }
  auditRow(db, actor, now, 'invoicing-run-issue', 'invoicing_run', runId, null, {
    regieId: regie.id,
    month: p.opts.month,
    issueDate: p.issueDate,
    dueDate: p.dueDate,
    invoiceCount: totals.n,
    lineCount: totals.lines,
    totalCents: totals.total,
    firstNumber: number(0),
    lastNumber: number(totals.n - 1),
    backup: stage.backupName,
    skipped: totals.skipped
  })
  // The staging rows are deleted afterwards in short transactions; the mark says they are published.
  stmt(db, 'UPDATE invoice_stage_run SET published_run_id = ?, dirty_seen = ? WHERE id = ?').run(runId, upTo, stage.id)
  db.exec('DELETE FROM temp.stage_invoice')
  db.exec('DELETE FROM temp.stage_explanation')
  return { runId, invoiceCount: totals.n, lineCount: totals.lines, totalCents: totals.total, firstNumber: number(0), lastNumber: number(totals.n - 1), backupName: stage.backupName }
}
