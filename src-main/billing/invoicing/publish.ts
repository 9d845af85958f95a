/**
 * The publication of a staged run (#19), whose invoices are already written
 * in place under an unpublished `invoicing_run` (staging.ts). Three steps, each
 * in short transactions:
 * 1. `reserveRun`: restages the last families changed since staging, checks
 *    the configuration, reserves the run's invoice numbers. From here the
 *    run's content is final and it can only be completed (a kill resumes it);
 *    before, it could be discarded without a gap.
 * 2. `numberChunk`: gives the numbers in the order of N° famille, a chunk of
 *    invoices per transaction, with their collection mode, free credit and
 *    audit row.
 * 3. `flipRun`: sets `published = 1`: every invoice of the run appears at once
 *    to families and accountants (the `invoice` view, migration 0024).
 */
import type Database from 'better-sqlite3'
import type { Actor } from '../../core/actor'
import { auditRow, stmt } from '../../bookings/sql'
import { reserveNumbers } from '../../db/counter'
import { DomainError } from '../../core/errors'
import type { Regie } from '../entities'
import { counterName, formatNumber } from '../numbering'
import { applyCredit, type IssueResult } from './issue'
import { loadRunContext, type ComputeOptions } from './compute'
import { STAGE_CHUNK, configFingerprint, dirtyFamilies, maxDirty, restageFamilies, stageOf, type StageRun, type StageTarget } from './staging'

export interface PublishInput {
  stage: StageRun
  regie: Regie
  opts: ComputeOptions
  target: StageTarget
  actor: Actor
}

export class ConfigChanged extends Error {}

/** Invoices numbered per transaction. */
export const NUMBER_CHUNK = 500

interface RunTotals {
  invoiceCount: number
  lineCount: number
  totalCents: number
  skipped: number
}

function totalsOf(db: Database.Database, stageId: number): RunTotals {
  return stmt(
    db,
    `SELECT COALESCE(SUM(will_issue), 0) AS invoiceCount, COUNT(*) - COALESCE(SUM(will_issue), 0) AS skipped, COALESCE(SUM(line_count), 0) AS lineCount,
            COALESCE(SUM(total_cents * will_issue), 0) AS totalCents FROM invoice_stage WHERE stage_id = ?`
  ).get(stageId) as RunTotals
}

const numberOf = (p: PublishInput, seq: number) => formatNumber(p.regie.invoiceFormat, { code: p.regie.code, n: seq, date: p.target.issueDate })

/** Step 1, inside core.tx.run on the main connection. Returns the stage as updated. */
export function reserveRun(db: Database.Database, p: PublishInput): StageRun {
  const { stage, regie, target } = p
  if (stage.firstSeq !== null) return stage
  if (configFingerprint(db) !== stage.fingerprint) throw new ConfigChanged('billing configuration changed while the run was staged')
  // The last families changed since the staging rounds: few, restaged here where nothing can change them again.
  const upTo = maxDirty(db)
  const dirty = dirtyFamilies(db, stage.dirtySeen, upTo)
  if (dirty.length) {
    const ctx = loadRunContext(db, p.opts)
    for (let i = 0; i < dirty.length; i += STAGE_CHUNK) restageFamilies(db, target, p.opts, ctx, dirty.slice(i, i + STAGE_CHUNK))
  }
  const totals = totalsOf(db, stage.id)
  if (totals.invoiceCount === 0) {
    const m = p.opts.month
    throw new DomainError('nothing_to_bill', `Rien à facturer pour ${m.slice(5)}/${m.slice(0, 4)} sur la régie ${regie.name} : tout est déjà facturé ou aucune consommation n’a de tarif.`, 409)
  }
  const first = reserveNumbers(db, counterName(regie.id, 'invoice'), totals.invoiceCount)
  stmt(
    db,
    `UPDATE invoicing_run SET issue_date = ?, due_date = ?, invoice_count = ?, line_count = ?, total_cents = ?, first_number = ?, last_number = ? WHERE id = ? AND published = 0`
  ).run(target.issueDate, target.dueDate, totals.invoiceCount, totals.lineCount, totals.totalCents, numberOf(p, first), numberOf(p, first + totals.invoiceCount - 1), target.runId)
  stmt(db, 'UPDATE invoice_stage_run SET first_seq = ?, dirty_seen = ?, numbered_cursor = 0, numbered_count = 0 WHERE id = ?').run(first, upTo, stage.id)
  return stageOf(db, regie.id)!
}

/** Step 2, inside core.tx.run: numbers the next chunk of invoices. Returns how many it numbered (0: all done). */
export function numberChunk(db: Database.Database, p: PublishInput): number {
  const { regie, target, actor } = p
  const stage = stageOf(db, regie.id)!
  const rows = stmt(
    db,
    `SELECT family_id, family_number, invoice_id, total_cents, line_count FROM invoice_stage
      WHERE stage_id = ? AND will_issue = 1 AND family_number > ? ORDER BY family_number LIMIT ?`
  ).all(stage.id, stage.numberedCursor, NUMBER_CHUNK) as { family_id: number; family_number: number; invoice_id: number; total_cents: number; line_count: number }[]
  if (!rows.length) return 0
  const now = target.now
  // The collection mode and the free credit are read now, not when the family was staged.
  const debit = new Set(
    (stmt(db, "SELECT family_id FROM sepa_mandate WHERE status = 'active' AND family_id IN (SELECT value FROM json_each(?))").all(JSON.stringify(rows.map((r) => r.family_id))) as { family_id: number }[]).map(
      (x) => x.family_id
    )
  )
  const give = stmt(db, 'UPDATE invoice_row SET number = ?, seq = ?, issue_date = ?, due_date = ?, collection = ?, created_at = ? WHERE id = ?')
  let seq = stage.firstSeq! + stage.numberedCount
  for (const r of rows) {
    const number = numberOf(p, seq)
    give.run(number, seq, target.issueDate, target.dueDate, debit.has(r.family_id) ? 'debit' : 'direct', now, r.invoice_id)
    const creditApplied = applyCredit(db, regie.id, r.family_id, r.invoice_id, r.total_cents, target.issueDate, now)
    auditRow(db, actor, now, 'invoice-issue', 'invoice', r.invoice_id, null, { number, familyId: r.family_id, runId: target.runId, totalCents: r.total_cents, lines: r.line_count, creditApplied })
    seq++
  }
  stmt(db, 'UPDATE invoice_stage_run SET numbered_cursor = ?, numbered_count = ? WHERE id = ?').run(rows[rows.length - 1].family_number, stage.numberedCount + rows.length, stage.id)
  return rows.length
}

/** Step 3, inside core.tx.run: makes the whole run visible at once. */
export function flipRun(db: Database.Database, p: PublishInput): IssueResult {
  const { regie, target, actor } = p
  const stage = stageOf(db, regie.id)!
  const totals = totalsOf(db, stage.id)
  if (stage.firstSeq === null || stage.numberedCount !== totals.invoiceCount) throw new Error(`run ${target.runId}: ${stage.numberedCount} of ${totals.invoiceCount} invoices numbered`)
  // Bookings covered by a flat an earlier run billed: locked to that invoice now that this run stands.
  stmt(db, 'INSERT INTO billed_booking (booking_id, invoice_id) SELECT booking_id, covered_by FROM invoice_stage_booking WHERE stage_id = ? AND covered_by IS NOT NULL').run(stage.id)
  stmt(db, 'UPDATE invoicing_run SET published = 1, created_at = ? WHERE id = ?').run(target.now, target.runId)
  const firstNumber = numberOf(p, stage.firstSeq)
  const lastNumber = numberOf(p, stage.firstSeq + totals.invoiceCount - 1)
  auditRow(db, actor, target.now, 'invoicing-run-issue', 'invoicing_run', target.runId, null, {
    regieId: regie.id,
    month: p.opts.month,
    issueDate: target.issueDate,
    dueDate: target.dueDate,
    invoiceCount: totals.invoiceCount,
    lineCount: totals.lineCount,
    totalCents: totals.totalCents,
    firstNumber,
    lastNumber,
    backup: stage.backupName,
    skipped: totals.skipped
  })
  // The staging rows are deleted afterwards in short transactions; the mark says they are published.
  stmt(db, 'UPDATE invoice_stage_run SET published_run_id = ? WHERE id = ?').run(target.runId, stage.id)
  return { runId: target.runId, invoiceCount: totals.invoiceCount, lineCount: totals.lineCount, totalCents: totals.totalCents, firstNumber, lastNumber, backupName: stage.backupName }
}
