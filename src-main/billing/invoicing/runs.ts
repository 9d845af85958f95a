import type { EntityManager } from 'typeorm'
import type { PreviewLineDto, RunDto, RunPreviewDto } from '@shared/contract/billing-shapes'
import type { Core } from '../../core/app-core'
import { DomainError } from '../../core/errors'
import { dbOf } from '../../bookings/sql'
import { getRegie } from '../regies'
import { getBillingSettings } from '../settings'
import { computeRun, loadRunContext, monthBounds, runFamilyIds, type DraftLine } from './compute'
import { STAGE_CHUNK, THREAD_MIN_FAMILIES } from './staging'
import { ComputeThread } from './compute-thread'
import { monthNotOver } from '@shared/billing/runs'
import { parisDay } from '../../core/clock'
import { nextTurn } from '../../core/next-turn'

/**
 * The preview of a run: every family with its total and anomalies (lines on
 * demand, per family). Computed in chunks of families, each in its own short
 * read, yielding between chunks: a city's preview never stops the portal's
 * writes for long, and only the families' totals stay in memory, never the
 * month's lines.
 */
export async function previewRun(core: Core, regieId: number, month: string): Promise<RunPreviewDto> {
  const settings = await core.tx.read(async (m) => {
    await getRegie(m, regieId)
    return getBillingSettings(m)
  })
  const t0 = performance.now()
  const opts = { regieId, month, settings }
  const { ctx, ids } = await core.tx.read(async (m) => ({ ctx: loadRunContext(dbOf(m), opts), ids: runFamilyIds(dbOf(m)) }))
  const { start, end } = monthBounds(month)
  const families: RunPreviewDto['families'] = []
  const anomalies = [...ctx.globalAnomalies]
  const totals = { invoices: 0, lines: 0, totalCents: 0, skipped: 0 }
  // A city's chunks are priced in the computation thread, the next one asked for while this one is summed up.
  const thread = ids.length >= THREAD_MIN_FAMILIES ? new ComputeThread(core.paths.dbFile, opts) : null
  const ask = (i: number) => {
    if (!thread || i >= ids.length) return null
    const p = thread.compute(ids.slice(i, i + STAGE_CHUNK))
    p.catch(() => {}) // awaited in its turn
    return p
  }
  let pending = ask(0)
  try {
    for (let i = 0; i < ids.length; i += STAGE_CHUNK) {
      const draft = pending ? await pending : await core.tx.read(async (m) => computeRun(dbOf(m), { ...opts, familyIds: ids.slice(i, i + STAGE_CHUNK) }, ctx))
      pending = ask(i + STAGE_CHUNK)
      for (const f of draft.families) {
        families.push({
          familyId: f.familyId,
          familyNumber: f.familyNumber,
          familyName: f.familyName,
          lineCount: f.lines.length,
          totalCents: f.totalCents,
          creditCents: f.creditCents,
          collection: f.collection,
          anomalies: [...f.anomalies],
          willIssue: f.willIssue
        })
        if (f.willIssue) totals.invoices++
        else totals.skipped++
      }
      anomalies.push(...draft.anomalies)
      totals.lines += draft.lineCount
      totals.totalCents += draft.totalCents
      await nextTurn()
    }
  } finally {
    await thread?.close()
  }
  return {
    regieId,
    month,
    periodStart: start,
    periodEnd: end,
    monthNotOver: monthNotOver(end, parisDay(core.clock.now())),
    families,
    anomalies,
    totals,
    computeMs: Math.round(performance.now() - t0)
  }
}

export function lineDto(l: DraftLine): PreviewLineDto {
  return {
    kind: l.kind,
    childId: l.childId,
    childName: l.childName,
    activityName: l.activityName,
    label: l.label,
    day: l.day,
    quantity: l.quantity,
    quantityLabel: l.quantityLabel,
    unitPriceCents: l.unitPriceCents,
    amountCents: l.amountCents,
    bookingState: l.bookingState,
    bracket: l.bracket,
    explanation: l.explanation ? l.explanation.split('\n') : []
  }
}

export async function previewFamily(core: Core, regieId: number, month: string, familyId: number): Promise<PreviewLineDto[]> {
  return core.tx.read(async (m) => {
    const draft = computeRun(dbOf(m), { regieId, month, familyId, settings: await getBillingSettings(m) })
    const f = draft.families.find((x) => x.familyId === familyId)
    if (!f) throw new DomainError('not_found', 'Rien à facturer pour cette famille ce mois-ci.', 404)
    return f.lines.map(lineDto)
  })
}

export async function runDtos(m: EntityManager, regieId?: number): Promise<RunDto[]> {
  const rows = dbOf(m)
    .prepare(`SELECT r.*, g.name AS regie_name FROM invoicing_run r JOIN regie g ON g.id = r.regie_id ${regieId ? 'WHERE r.regie_id = ?' : ''} ORDER BY r.id DESC`)
    .all(...(regieId ? [regieId] : [])) as {
    id: number
    regie_id: number
    regie_name: string
    month: string
    issue_date: string
    due_date: string
    invoice_count: number
    line_count: number
    total_cents: number
    first_number: string | null
    last_number: string | null
    backup_name: string
    created_at: string
  }[]
  return rows.map((r) => ({
    id: r.id,
    regieId: r.regie_id,
    regieName: r.regie_name,
    month: r.month,
    issueDate: r.issue_date,
    dueDate: r.due_date,
    invoiceCount: r.invoice_count,
    lineCount: r.line_count,
    totalCents: r.total_cents,
    firstNumber: r.first_number,
    lastNumber: r.last_number,
    backupName: r.backup_name,
    createdAt: r.created_at
  }))
}
