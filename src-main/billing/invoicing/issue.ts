/**
 * Issuing a monthly run: an automatic backup, the invoices staged family by
 * family in short transactions, then ONE short publication that numbers them
 * (gapless, unique) and makes them visible all at once. See staging.ts and
 * publish.ts.
 */
import type Database from 'better-sqlite3'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { parisDay } from '../../core/clock'
import { DomainError } from '../../core/errors'
import { backupNow } from '../../backups/backup-now'
import { addDays } from '@shared/bookings/days'
import { stmt } from '../../bookings/sql'
import { getStructure } from '../../settings/settings'
import { getRegie } from '../regies'
import { getBillingSettings } from '../settings'
import { insertAllocation } from '../payments/allocations'
import { monthBounds } from './compute'
import { configFingerprint, maxDirty, purgeStage, stageOf, stageRun, type StageFixed, type StageTarget } from './staging'
import { ConfigChanged, flipRun, numberChunk, reserveRun, type PublishInput } from './publish'
import { monthNotOver, unfinishedMonthWarning } from '@shared/billing/runs'
import { nextTurn } from '../../core/next-turn'

/** Id of a "why this price" text, stored once. */
export function explanationId(db: Database.Database, cache: Map<string, number>, text: string): number | null {
  if (!text) return null
  const hit = cache.get(text)
  if (hit !== undefined) return hit
  stmt(db, 'INSERT INTO price_explanation(text) VALUES (?) ON CONFLICT(text) DO NOTHING').run(text)
  const { id } = stmt(db, 'SELECT id FROM price_explanation WHERE text = ?').get(text) as { id: number }
  cache.set(text, id)
  return id
}

/**
 * Allocates the family's unallocated payments (oldest first) to an invoice,
 * up to its total. Returns the amount applied. Money waiting for the
 * accountant's check (a duplicate online payment) is not applied.
 */
export function applyCredit(db: Database.Database, regieId: number, familyId: number, invoiceId: number, dueCents: number, on: string, at: string): number {
  if (dueCents <= 0) return 0
  const free = stmt(
    db,
    `SELECT p.id, p.amount_cents - COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.payment_id = p.id), 0) AS free
       FROM payment p WHERE p.regie_id = ? AND p.family_id = ? AND p.status = 'ok' AND p.review <> 'to-check' ORDER BY p.received_on, p.id`
  ).all(regieId, familyId) as { id: number; free: number }[]
  let left = dueCents
  for (const p of free) {
    if (left <= 0) break
    if (p.free <= 0) continue
    const amount = Math.min(p.free, left)
    insertAllocation(db, { paymentId: p.id, invoiceId, amountCents: amount, on, at })
    left -= amount
  }
  return dueCents - left
}

export interface IssueInput {
  regieId: number
  month: string
  issueDate?: string | null
  dueDate?: string | null
  /** Staff read unfinishedMonthWarning and still want to invoice a month that is not over. */
  confirmUnfinishedMonth?: boolean
}

export interface IssueResult {
  runId: number
  invoiceCount: number
  lineCount: number
  totalCents: number
  firstNumber: string | null
  lastNumber: string | null
  backupName: string
}

export interface IssueHooks {
  /** Called synchronously inside each staging transaction: families staged, families to stage. */
  onProgress?(done: number, total: number): void
  /** Called after each numbering transaction with the invoices it numbered. */
  onNumbered?(count: number): void
  /** Price the chunks in the computation thread, or not (default: from THREAD_MIN_FAMILIES families, staging.ts). */
  thread?: boolean
  /** Told each staging chunk's size, write-transaction hold and the computation thread's peak heap in bytes (tests, bench). */
  onChunk?(families: number, heldMs: number, workerHeap?: number): void
}

/** Régies whose run this process is preparing now: a second « Émettre » waits for nothing, it is refused. */
const running = new Set<number>()

/** Whether this process is issuing a run of the régie now (the Facturation screen shows its progress, not an interruption). */
export const issuingNow = (regieId: number) => running.has(regieId)

/**
 * Issues a monthly run in bounded memory without holding the write lock for
 * long (#19): an automatic backup, then the invoices are staged family by
 * family in short transactions (staging.ts), then published in one step
 * that numbers them (publish.ts). A process killed while staging leaves no
 * visible invoice: « Émettre » on the same month resumes where it stopped,
 * discardStage forgets it.
 */
export async function issueRun(core: Core, actor: Actor, input: IssueInput, hooks: IssueHooks = {}): Promise<IssueResult> {
  const today = parisDay(core.clock.now())
  const issueDate = input.issueDate ?? today
  const regie = await core.tx.read((m) => getRegie(m, input.regieId))
  if (!regie.active) throw new DomainError('invalid_input', `La régie ${regie.name} est désactivée.`, 400)
  const { start, end } = monthBounds(input.month)
  if (monthNotOver(end, today) && !input.confirmUnfinishedMonth) {
    throw new DomainError('unfinished_month', `${unfinishedMonthWarning(input.month, end)} Confirmez pour émettre quand même.`, 409, { month: 'mois non terminé' })
  }
  const dueDate = input.dueDate ?? addDays(issueDate, regie.dueDays)
  if (dueDate < issueDate) throw new DomainError('invalid_input', "La date d'échéance précède la date d'émission.", 400, { dueDate: 'avant l’émission' })
  if (running.has(regie.id)) throw new DomainError('conflict', `Une émission est déjà en cours pour la régie ${regie.name}.`, 409)
  running.add(regie.id)
  try {
    let stage = await core.tx.read(async () => stageOf(core.db, regie.id))
    // A publication killed before its staging rows were cleared: clear them now.
    if (stage?.publishedRunId) {
      await purgeStage(core, stage.id)
      stage = null
    }
    if (stage && stage.month !== input.month) {
      throw new DomainError(
        'conflict',
        `La préparation des factures de ${stage.month.slice(5)}/${stage.month.slice(0, 4)} a été interrompue sur cette régie : reprenez-la en émettant ce mois-là, ou abandonnez-la (« Abandonner la préparation »).`,
        409
      )
    }
    // A stage of the copying design (migration 0022, no run of its own): its staged rows are forgotten, the run restarts.
    if (stage && stage.runId === null) {
      await purgeStage(core, stage.id)
      stage = null
    }
    const { settings, structure } = await core.tx.read(async (m) => ({ settings: await getBillingSettings(m), structure: await getStructure(m) }))
    const opts = { regieId: regie.id, month: input.month, settings }
    const fixed: StageFixed = {
      regieName: regie.name,
      paymentMethods: regie.paymentMethods,
      structure: { name: structure.name, address: structure.address, postalCode: structure.postalCode, city: structure.city, phone: structure.phone, email: structure.email, siret: structure.siret, logo: null }
    }
    if (!stage) {
      const backup = await backupNow(core, 'avant-facturation')
      const now = core.clock.now().toISOString()
      stage = await core.tx.run(async () => {
        const db = core.db
        const runId = Number(
          stmt(
            db,
            `INSERT INTO invoicing_run (regie_id, month, period_start, period_end, issue_date, due_date, invoice_count, line_count, total_cents, backup_name, created_by, created_at, published)
             VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, 0)`
          ).run(regie.id, input.month, start, end, issueDate, dueDate, backup.name, actor.kind === 'staff' ? actor.id : null, now).lastInsertRowid
        )
        stmt(db, 'INSERT INTO invoice_stage_run (regie_id, month, fingerprint, backup_name, dirty_seen, created_by, created_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
          regie.id, input.month, configFingerprint(db), backup.name, maxDirty(db), actor.kind === 'staff' ? actor.id : null, now, runId
        )
        return stageOf(db, regie.id)!
      })
    }
    const target: StageTarget = {
      stageId: stage.id,
      runId: stage.runId!,
      regieId: regie.id,
      issueDate,
      dueDate,
      periodStart: start,
      periodEnd: end,
      now: core.clock.now().toISOString(),
      fixed,
      explained: new Map()
    }
    let staged = stage
    const input2 = (): PublishInput => ({ stage: staged, regie, opts, target, actor })
    if (staged.firstSeq === null) {
      await stageRun(core, staged, opts, target, { onProgress: hooks.onProgress, thread: hooks.thread, onChunk: hooks.onChunk })
      try {
        staged = await core.tx.run(async () => reserveRun(core.db, input2()))
      } catch (e) {
        if (e instanceof ConfigChanged) {
          await purgeStage(core, staged.id)
          throw new DomainError('conflict', 'Les tarifs, les activités ou les paramètres de facturation ont changé pendant la préparation des factures : rien n’a été émis. Relancez l’émission.', 409)
        }
        if (e instanceof DomainError && e.code === 'nothing_to_bill') await purgeStage(core, staged.id)
        throw e
      }
    }
    // The numbers, chunk by chunk, then the run visible at once.
    for (;;) {
      const n = await core.tx.run(async () => {
        target.now = core.clock.now().toISOString()
        return numberChunk(core.db, input2())
      })
      if (!n) break
      hooks.onNumbered?.(n)
      await nextTurn()
    }
    const result = await core.tx.run(async () => {
      target.now = core.clock.now().toISOString()
      return flipRun(core.db, input2())
    })
    await purgeStage(core, staged.id)
    // The run read and wrote a month of the city through the main connection: its page cache (up to SQLite's 16 MB)
    // is given back rather than kept until the next run (3,000 families: 11 MB of RSS).
    await core.tx.exclusive(() => void core.db.pragma('shrink_memory'))
    return result
  } finally {
    running.delete(regie.id)
  }
}
