/**
 * The staging half of a streamed invoicing run (#19). Invoices are computed
 * family by family, in chunks, each chunk computed and written in one short
 * transaction, in place: the real `invoice_row`, `invoice_line`,
 * `billed_booking` and `billed_flat` rows, under an `invoicing_run` whose
 * `published` is 0 (migration 0024). The `invoice` view that every reader
 * uses hides them; publish.ts numbers them in short chunks and flips the flag.
 *
 * Where the computation runs: a large run (THREAD_MIN_FAMILIES) prices its
 * chunks in a worker thread on its own read-only connection
 * (compute-worker.ts), one chunk ahead, and the main thread only writes them.
 * Priced on the main thread outside the lock, the CPU landed in the pauses of
 * the portal's group commit and stretched those transactions to seconds
 * (bench/invoicing-run.ts); in the worker it touches neither the event loop
 * nor the lock. A small run prices each chunk inside its own transaction.
 * Either way each chunk's size follows its write hold (chunk-size.ts).
 *
 * A family whose data changes while the run is being prepared (a booking, its
 * quotient, an adjustment, a credit note releasing bookings…) is recorded by
 * triggers in `invoice_stage_dirty` (migration 0021) and restaged before
 * the numbers are given (so a chunk priced by the worker on a snapshot a little
 * older than its write is corrected the same way). Tariffs, units, régies and settings are covered by a
 * fingerprint taken when the run starts and checked then.
 */
import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { DomainError } from '../../core/errors'
import { auditRow, stmt } from '../../bookings/sql'
import { insertMany } from '../../db/statements'
import type { InvoiceSnapshot } from '../entities'
import { computeRun, loadRunContext, runFamilyIds, type ComputeOptions, type RunContext, type RunDraft } from './compute'
import { explanationId, issuingNow } from './issue'
import { ComputeThread } from './compute-thread'
import { nextChunkSize } from './chunk-size'
import { nextTurn } from '../../core/next-turn'

/** Families computed and written per transaction: keeps each write-lock hold and each event-loop stall short. */
export const STAGE_CHUNK = 50

export interface StageRun {
  id: number
  regieId: number
  month: string
  fingerprint: string
  backupName: string
  cursorNumber: number
  staged: boolean
  dirtySeen: number
  publishedRunId: number | null
  /** The unpublished invoicing_run the invoices are written under (null: a stage of the copying design, 0022). */
  runId: number | null
  /** First invoice number reserved: set when the run's content is final and the numbering has begun. */
  firstSeq: number | null
  numberedCursor: number
  numberedCount: number
  createdAt: string
}

export function stageOf(db: Database.Database, regieId: number): StageRun | null {
  const r = stmt(db, 'SELECT * FROM invoice_stage_run WHERE regie_id = ?').get(regieId) as
    | {
        id: number
        regie_id: number
        month: string
        fingerprint: string
        backup_name: string
        cursor_number: number
        staged: number
        dirty_seen: number
        published_run_id: number | null
        run_id: number | null
        first_seq: number | null
        numbered_cursor: number
        numbered_count: number
        created_at: string
      }
    | undefined
  if (!r) return null
  return {
    id: r.id,
    regieId: r.regie_id,
    month: r.month,
    fingerprint: r.fingerprint,
    backupName: r.backup_name,
    cursorNumber: r.cursor_number,
    staged: r.staged === 1,
    dirtySeen: r.dirty_seen,
    publishedRunId: r.published_run_id,
    runId: r.run_id,
    firstSeq: r.first_seq,
    numberedCursor: r.numbered_cursor,
    numberedCount: r.numbered_count,
    createdAt: r.created_at
  }
}

/** Everything a run reads besides the families' own rows: a change to it between staging and publication restarts the run. */
export function configFingerprint(db: Database.Database): string {
  const h = createHash('sha256')
  for (const sql of [
    'SELECT * FROM regie ORDER BY id',
    'SELECT * FROM regie_activity ORDER BY activity_id',
    'SELECT * FROM tariff ORDER BY id',
    'SELECT * FROM tariff_bracket ORDER BY rowid',
    'SELECT * FROM tariff_meal ORDER BY rowid',
    'SELECT * FROM unit ORDER BY id',
    'SELECT * FROM activity ORDER BY id',
    'SELECT * FROM activity_period ORDER BY id',
    "SELECT * FROM setting WHERE key = 'billing'",
    'SELECT * FROM structure'
  ])
    h.update(JSON.stringify(stmt(db, sql).raw().all()))
  return h.digest('hex')
}

export const maxDirty = (db: Database.Database) => (stmt(db, 'SELECT COALESCE(MAX(id), 0) AS n FROM invoice_stage_dirty').get() as { n: number }).n

/** Families changed since `after` (ids of the dirty table), up to `upTo`. */
export function dirtyFamilies(db: Database.Database, after: number, upTo = Number.MAX_SAFE_INTEGER): number[] {
  return (stmt(db, 'SELECT DISTINCT family_id FROM invoice_stage_dirty WHERE id > ? AND id <= ?').all(after, upTo) as { family_id: number }[]).map((x) => x.family_id)
}

export interface StageFixed {
  regieName: string
  paymentMethods: string
  structure: InvoiceSnapshot['structure']
}

/** What every staged invoice of a run shares. */
export interface StageTarget {
  stageId: number
  runId: number
  regieId: number
  issueDate: string
  dueDate: string
  periodStart: string
  periodEnd: string
  now: string
  fixed: StageFixed
  /** "Why this price" ids already looked up by this process. */
  explained: Map<string, number>
}

const LINE_COLUMNS = [
  'invoice_id', 'sort', 'kind', 'child_id', 'child_name', 'activity_id', 'activity_name', 'unit_id', 'label', 'day', 'quantity', 'quantity_label',
  'unit_price_cents', 'amount_cents', 'booking_id', 'booking_state', 'tariff_id', 'bracket', 'explanation_id', 'meal_cents'
] as const

/** Until the numbering, a staged invoice carries a number and seq no issued invoice can have. */
export const placeholderNumber = (stageId: number, familyNumber: number) => `~${stageId}:${familyNumber}`
const placeholderSeq = (stageId: number, familyNumber: number) => -(stageId * 1_000_000_000 + familyNumber)

/**
 * Removes what is staged for these families (before restaging them, or when
 * the run is discarded): their unpublished invoices and everything that
 * points at them. The triggers of migration 0024 refuse it for a published run.
 */
export function unstageFamilies(db: Database.Database, stageId: number, familyNumbers: number[]): void {
  const json = JSON.stringify(familyNumbers)
  const ids = `(SELECT invoice_id FROM invoice_stage WHERE stage_id = ? AND family_number IN (SELECT value FROM json_each(?)) AND invoice_id IS NOT NULL)`
  stmt(db, `UPDATE billing_adjustment SET invoice_id = NULL WHERE invoice_id IN ${ids}`).run(stageId, json)
  for (const t of ['billed_booking', 'billed_share', 'billed_flat', 'invoice_line']) stmt(db, `DELETE FROM ${t} WHERE invoice_id IN ${ids}`).run(stageId, json)
  stmt(db, `DELETE FROM invoice_row WHERE id IN ${ids}`).run(stageId, json)
  for (const t of ['invoice_stage_booking', 'invoice_stage'])
    stmt(db, `DELETE FROM ${t} WHERE stage_id = ? AND family_number IN (SELECT value FROM json_each(?))`).run(stageId, json)
}

/**
 * Writes the computed invoices of a chunk of families in place, replacing
 * whatever was staged for them. Call inside a write transaction.
 * `familyNumbers` are all the families the chunk covered, including those
 * that no longer bill anything.
 */
export function writeStage(db: Database.Database, t: StageTarget, draft: RunDraft, numbers: number[]): void {
  unstageFamilies(db, t.stageId, numbers)
  const insStage = stmt(db, 'INSERT INTO invoice_stage (stage_id, family_id, family_number, total_cents, line_count, snapshot, will_issue, invoice_id) VALUES (?, ?, ?, ?, ?, \'\', ?, ?)')
  const insInvoice = stmt(
    db,
    `INSERT INTO invoice_row (regie_id, run_id, family_id, number, seq, issue_date, due_date, period_start, period_end, total_cents, collection, snapshot, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?)`
  )
  const lines: unknown[][] = []
  const billed: unknown[][] = []
  const flats: unknown[][] = []
  const shares: unknown[][] = []
  const adjustments: [number, number][] = []
  for (const f of draft.families) {
    // A family not issued (negative total) is kept as a row only, for the run's count of families skipped.
    if (!f.willIssue) {
      insStage.run(t.stageId, f.familyId, f.familyNumber, f.totalCents, 0, 0, null)
      continue
    }
    const snapshot: InvoiceSnapshot = {
      familyNumber: f.familyNumber,
      familyName: f.familyName,
      address: f.address,
      postalCode: f.postalCode,
      city: f.city,
      email: f.email,
      regieName: t.fixed.regieName,
      paymentMethods: t.fixed.paymentMethods,
      structure: t.fixed.structure
    }
    const invoiceId = Number(
      insInvoice.run(
        t.regieId, t.runId, f.familyId, placeholderNumber(t.stageId, f.familyNumber), placeholderSeq(t.stageId, f.familyNumber), t.issueDate, t.dueDate, t.periodStart, t.periodEnd,
        f.totalCents, f.collection, JSON.stringify(snapshot), t.now
      ).lastInsertRowid
    )
    insStage.run(t.stageId, f.familyId, f.familyNumber, f.totalCents, f.lines.length, 1, invoiceId)
    f.lines.forEach((l, sort) => {
      lines.push([
        invoiceId, sort, l.kind, l.childId, l.childName, l.activityId, l.activityName, l.unitId, l.label, l.day, l.quantity, l.quantityLabel,
        l.unitPriceCents, l.amountCents, lineBooking(l), l.bookingState, l.tariffId, l.bracket, explanationId(db, t.explained, l.explanation), l.mealCents
      ])
      for (const b of l.bookingIds) billed.push([b, invoiceId])
      for (const b of l.shareBookingIds ?? []) shares.push([b, f.familyId, invoiceId])
      if (l.flatKey) flats.push([l.flatKey, invoiceId])
      if (l.adjustmentId) adjustments.push([invoiceId, l.adjustmentId])
    })
  }
  insertMany(db, 'invoice_line', LINE_COLUMNS, lines)
  insertMany(db, 'billed_booking', ['booking_id', 'invoice_id'], billed)
  insertMany(db, 'billed_flat', ['key', 'invoice_id'], flats)
  insertMany(db, 'billed_share', ['booking_id', 'family_id', 'invoice_id'], shares)
  const link = stmt(db, 'UPDATE billing_adjustment SET invoice_id = ? WHERE id = ? AND invoice_id IS NULL')
  for (const [invoiceId, id] of adjustments) link.run(invoiceId, id)
  // Bookings an earlier flat covers are locked to that (issued) invoice at publication only: until then the run may be discarded.
  // A household may have nothing else to bill this month (a period flat's later month, or the other household's day of a
  // shared child): its N° famille comes from the family table.
  const numberOf = new Map(draft.families.map((f) => [f.familyId, f.familyNumber]))
  const uninvoiced = draft.coveredLocks.map((c) => c[2]).filter((f) => !numberOf.has(f))
  if (uninvoiced.length) for (const [id, n] of familyNumbers(db, [...new Set(uninvoiced)])) numberOf.set(id, n)
  insertMany(
    db,
    'invoice_stage_booking',
    ['stage_id', 'booking_id', 'family_number', 'covered_by'],
    draft.coveredLocks.map(([bookingId, invoiceId, familyId]) => [t.stageId, bookingId, numberOf.get(familyId), invoiceId])
  )
}

/** The booking a line bills alone (a share line names it too, though the booking is locked to the booker's invoice). */
const lineBooking = (l: RunDraft['families'][number]['lines'][number]) => {
  const ids = l.bookingIds.length ? l.bookingIds : (l.shareBookingIds ?? [])
  return ids.length === 1 ? ids[0] : null
}

/** N° famille of these families (restaging works by number, the order of the invoices). */
export function familyNumbers(db: Database.Database, familyIds: number[]): Map<number, number> {
  return new Map((stmt(db, 'SELECT id, number FROM family WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(familyIds)) as { id: number; number: number }[]).map((x) => [x.id, x.number]))
}

/**
 * Computes these families again and writes their invoices in place of what
 * was staged for them. Call inside a write transaction on the main connection.
 */
export function restageFamilies(db: Database.Database, t: StageTarget, opts: ComputeOptions, ctx: RunContext, familyIds: number[]): void {
  const numbers = [...familyNumbers(db, familyIds).values()]
  // Before computing: an adjustment linked to a staged invoice is free again, then linked to the new one.
  unstageFamilies(db, t.stageId, numbers)
  writeStage(db, t, computeRun(db, { ...opts, familyIds }, ctx), numbers)
}

export interface StageProgress {
  (done: number, total: number): void
}

/** Families from which a run's chunks are priced in the computation thread (compute-worker.ts): below, starting it costs more than it saves. */
export const THREAD_MIN_FAMILIES = 500

export interface StageOptions {
  onProgress?: StageProgress
  /** Price the chunks in the computation thread (default: from THREAD_MIN_FAMILIES families to stage). */
  thread?: boolean
  /** Told the hold of each chunk's write transaction, and the most the computation thread's heap reserved so far (tests, bench). */
  onChunk?(families: number, heldMs: number, workerHeap?: number): void
}

/**
 * Stages the families not staged yet (N° famille above the cursor), chunk by
 * chunk, then restages those whose data changed meanwhile until none is
 * left. Each chunk is written in one short transaction, its size adapted to
 * keep that transaction near STAGE_TARGET_MS. A large run prices its chunks
 * in the computation thread, one chunk ahead of the writes, so the main
 * thread only writes; a small one prices each chunk inside its transaction.
 */
export async function stageRun(core: Core, stage: StageRun, opts: ComputeOptions, target: StageTarget, options: StageOptions = {}): Promise<void> {
  const db = core.db
  if (!stage.staged) {
    const { ctx, todo, already } = await core.tx.read(async () => {
      const numbers = familyNumbers(db, runFamilyIds(db))
      return {
        ctx: loadRunContext(db, opts),
        todo: [...numbers].filter(([, n]) => n > stage.cursorNumber).map(([id, n]) => ({ id, n })),
        already: (stmt(db, 'SELECT COUNT(*) AS n FROM invoice_stage WHERE stage_id = ?').get(stage.id) as { n: number }).n
      }
    })
    const thread = (options.thread ?? todo.length >= THREAD_MIN_FAMILIES) ? new ComputeThread(core.paths.dbFile, opts) : null
    try {
      let size = STAGE_CHUNK
      let at = 0
      const take = () => {
        const chunk = todo.slice(at, at + size)
        at += chunk.length
        return chunk
      }
      const ask = (chunk: { id: number }[]) => {
        if (!thread || !chunk.length) return null
        const p = thread.compute(chunk.map((x) => x.id))
        p.catch(() => {}) // awaited below; not an unhandled rejection meanwhile
        return p
      }
      let chunk = take()
      let pending = ask(chunk)
      while (chunk.length) {
        const draft = pending ? await pending : null
        const following = take()
        pending = ask(following)
        let began = 0
        await core.tx.run(async () => {
          began = performance.now()
          target.now = core.clock.now().toISOString()
          if (draft) writeStage(db, target, draft, chunk.map((x) => x.n))
          else restageFamilies(db, target, opts, ctx, chunk.map((x) => x.id))
          stmt(db, 'UPDATE invoice_stage_run SET cursor_number = ? WHERE id = ?').run(chunk[chunk.length - 1].n, stage.id)
          options.onProgress?.(already + at - following.length, already + todo.length)
        })
        const held = performance.now() - began
        options.onChunk?.(chunk.length, held, thread?.peakHeap)
        size = nextChunkSize(size, chunk.length, held)
        chunk = following
        await nextTurn()
      }
    } finally {
      await thread?.close()
    }
    await core.tx.run(async () => void stmt(db, 'UPDATE invoice_stage_run SET staged = 1 WHERE id = ?').run(stage.id))
    stage.staged = true
  }
  // Families changed while staging: restaged until a round finds none (bounded: the last ones are restaged when the numbers are reserved).
  for (let round = 0; round < 5; round++) {
    const { ctx, upTo, ids } = await core.tx.read(async () => {
      const upTo = maxDirty(db)
      const ids = dirtyFamilies(db, stage.dirtySeen, upTo)
      return { upTo, ids, ctx: ids.length ? loadRunContext(db, opts) : null }
    })
    if (!ids.length || !ctx) break
    for (let i = 0; i < ids.length; i += STAGE_CHUNK) {
      const chunkIds = ids.slice(i, i + STAGE_CHUNK)
      await core.tx.run(async () => restageFamilies(db, target, opts, ctx, chunkIds))
      await nextTurn()
    }
    await core.tx.run(async () => void stmt(db, 'UPDATE invoice_stage_run SET dirty_seen = ? WHERE id = ?').run(upTo, stage.id))
    stage.dirtySeen = upTo
  }
}

/**
 * Deletes a stage in short transactions. Unpublished, its invoices go with it
 * (nothing of them was ever visible); published, only the bookkeeping rows go.
 * The dirty log goes when no stage is left.
 */
export async function purgeStage(core: Core, stageId: number): Promise<void> {
  for (;;) {
    const n = await core.tx.run(async () => {
      const numbers = (stmt(core.db, 'SELECT family_number FROM invoice_stage WHERE stage_id = ? ORDER BY family_number LIMIT 100').all(stageId) as { family_number: number }[]).map((x) => x.family_number)
      if (!numbers.length) return 0
      const published = stmt(core.db, 'SELECT published_run_id FROM invoice_stage_run WHERE id = ?').get(stageId) as { published_run_id: number | null } | undefined
      if (published?.published_run_id) {
        for (const t of ['invoice_stage_booking', 'invoice_stage'])
          stmt(core.db, `DELETE FROM ${t} WHERE stage_id = ? AND family_number IN (SELECT value FROM json_each(?))`).run(stageId, JSON.stringify(numbers))
      } else unstageFamilies(core.db, stageId, numbers)
      return numbers.length
    })
    if (!n) break
    await nextTurn()
  }
  await core.tx.run(async () => {
    const s = stmt(core.db, 'SELECT run_id, published_run_id FROM invoice_stage_run WHERE id = ?').get(stageId) as { run_id: number | null; published_run_id: number | null } | undefined
    // Rows of families that bill nothing any more (covered bookings only) are few.
    for (const t of ['invoice_stage_booking', 'invoice_stage_line', 'invoice_stage_explanation']) stmt(core.db, `DELETE FROM ${t} WHERE stage_id = ?`).run(stageId)
    stmt(core.db, 'DELETE FROM invoice_stage_run WHERE id = ?').run(stageId)
    if (s?.run_id && !s.published_run_id) stmt(core.db, 'DELETE FROM invoicing_run WHERE id = ? AND published = 0').run(s.run_id)
    if (!stmt(core.db, 'SELECT 1 FROM invoice_stage_run LIMIT 1').get()) stmt(core.db, 'DELETE FROM invoice_stage_dirty').run()
  })
}

/** What the Facturation screen shows of a run being prepared (its progress) or interrupted (null: none). */
export function stagedRunDto(
  db: Database.Database,
  regieId: number
): { month: string; families: number; createdAt: string; invoices: number | null; numbered: number; running: boolean } | null {
  const s = stageOf(db, regieId)
  if (!s || s.publishedRunId) return null
  const { n } = stmt(db, 'SELECT COUNT(*) AS n FROM invoice_stage WHERE stage_id = ?').get(s.id) as { n: number }
  const invoices = s.firstSeq === null ? null : (stmt(db, 'SELECT invoice_count FROM invoicing_run WHERE id = ?').get(s.runId) as { invoice_count: number }).invoice_count
  return { month: s.month, families: n, createdAt: s.createdAt, invoices, numbered: s.numberedCount, running: issuingNow(regieId) }
}

/** « Abandonner la préparation » : forgets a run being prepared (nothing of it was ever visible). */
export async function discardStage(core: Core, actor: Actor, regieId: number): Promise<{ discarded: boolean; month: string | null }> {
  const stage = await core.tx.read(async () => stageOf(core.db, regieId))
  if (!stage) return { discarded: false, month: null }
  if (stage.firstSeq !== null && !stage.publishedRunId) {
    throw new DomainError(
      'conflict',
      'Les numéros des factures de cette émission sont déjà attribués : elle ne peut plus être abandonnée. « Émettre » sur ce mois la termine.',
      409
    )
  }
  await core.tx.run(async () =>
    auditRow(core.db, actor, core.clock.now().toISOString(), 'invoicing-run-discard', 'invoice_stage_run', stage.id, { month: stage.month, regieId }, null)
  )
  await purgeStage(core, stage.id)
  return { discarded: true, month: stage.month }
}
