/**
 * The direct-debit export of a régie: the plan (see plan.ts) becomes one
 * pain.008 file (.02 or .08, Paramètres). Each transaction (one per mandate)
 * gets:
 * - a "prélèvement" payment dated on the collection date and allocated to
 *   its invoices: « en cours » until that day, then it counts as paid
 *   (see README.md);
 * - a sepa_collection row: what was sent (RUM, IBAN, creditor, amendment);
 * - its invoices marked "prélevée", and its mandate moved on (FRST → RCUR;
 *   OOFF and FNAL spent; the amendment sent is cleared).
 *
 * A city's file holds 20,000 debits: it is written in short transactions
 * (issue 19), so the portal and the desks keep answering meanwhile:
 * 1. the plan is read in chunks from one snapshot, on a connection of its own
 *    (no write lock, no transaction mutex: db/snapshot-read.ts);
 * 2. 'preparing': the export row and its debits as planned (sepa_export_item),
 *    in chunks; then the file, piece by piece, to a temporary file renamed
 *    once complete and checked. Nothing else is touched: a failure (or a
 *    kill) here is discarded, leaving nothing;
 * 3. 'marking': the debits become payments, collections, marked invoices and
 *    mandates moved on, a chunk per transaction. The file exists; killed
 *    here, the next export of the régie finishes the marking from the
 *    items, exactly as planned (the preview leaves their invoices out);
 * 4. 'done', with its audit row.
 * So there are never marked invoices without their file.
 */
import { TZDate } from '@date-fns/tz'
import { format } from 'date-fns'
import type { z } from 'zod'
import type { debitExportResult, debitPlanInput } from '@shared/contract/sepa'
import { SYSTEM, type Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { PARIS, parisDay } from '../../core/clock'
import { DomainError } from '../../core/errors'
import { audit } from '../../audit/audit'
import { nextNumber } from '../../db/counter'
import { dbOf, marks, stmt } from '../../bookings/sql'
import { insertMany } from '../../db/statements'
import { getStructure } from '../../settings/settings'
import { SepaExport, type Regie } from '../entities'
import { counterName } from '../numbering'
import { getRegie } from '../regies'
import { writePayments } from '../payments/payments'
import { readExportFile, removeExportFile, writeExportFile } from '../export-files'
import { clearProgress, setProgress } from '../job-progress'
import { inputCheckSteps, pain008Pieces, type DebitTransaction, type MandateAmendment } from './pain008'
import { epcId, remittanceText } from './epc-text'
import { creditorOf, planDirectDebits, type DebitPlan } from './plan'
import { getSepaSettings } from './settings'
import { snapshotRead } from '../../db/snapshot-read'
import { nextTurn } from '../../core/next-turn'

type PlanInput = z.output<typeof debitPlanInput>

const COLLECTION_COLUMNS = [
  'export_id', 'mandate_id', 'family_id', 'payment_id', 'end_to_end_id', 'sequence_type', 'collection_date', 'amount_cents',
  'rum', 'iban', 'bic', 'ics', 'creditor_name', 'amendment', 'created_at'
] as const
type ExportResult = z.infer<typeof debitExportResult>

async function planFor(core: Core, input: PlanInput): Promise<{ plan: DebitPlan; regie: Regie; structure: Awaited<ReturnType<typeof getStructure>> }> {
  const { regie, structure, settings } = await core.tx.read(async (m) => ({ regie: await getRegie(m, input.regieId), structure: await getStructure(m), settings: await getSepaSettings(m) }))
  // The invoices, in chunks from one snapshot, without the transaction mutex (see plan.ts and db/snapshot-read.ts).
  const plan = await snapshotRead(core.paths.dbFile, (r) =>
    planDirectDebits(r, {
      regie,
      structureName: structure.name,
      settings,
      today: parisDay(core.clock.now()),
      runId: input.runId,
      collectionDate: input.collectionDate,
      represent: input.represent
    })
  )
  return { plan, regie, structure }
}

/** The « Aperçu » of the export: what the file would hold, and why the others stay out. */
export async function previewDirectDebits(core: Core, input: PlanInput): Promise<Omit<DebitPlan, 'mandates'>> {
  // A read: an export cut short is finished by the next export (its invoices are left out of the plan meanwhile).
  const { plan } = await planFor(core, input)
  const { mandates: _, ...dto } = plan
  return dto
}


/** A debit as planned, kept until it is recorded (sepa_export_item.data). */
interface PlannedItem {
  mandateId: number
  familyId: number
  holder: string
  rum: string
  iban: string
  bic: string
  amendment: MandateAmendment | null
  sequenceType: DebitTransaction['sequenceType']
  amountCents: number
  endToEndId: string
  invoices: { invoiceId: number; dueCents: number }[]
}

/** Debits per transaction: each one well under the 200 ms the portal can wait for the write lock. */
const CHUNK = 250

export interface ExportHooks {
  /** 'file': the debits are planned, the file is being written; 'marking': `done` debits recorded so far. */
  onProgress?(step: 'file' | 'marking', done: number, total: number): void
  /** Debits per transaction (tests use a small one). */
  chunk?: number
}
/** Exports being written by this process (the others not 'done' were cut short), and their régies. */
const writing = new Set<number>()
const busyRegies = new Set<number>()

export async function exportDirectDebits(
  core: Core,
  actor: Extract<Actor, { kind: 'staff' }>,
  input: PlanInput,
  hooks: ExportHooks = {}
): Promise<ExportResult> {
  // One file of a régie at a time: a second one planned meanwhile would present the same invoices again.
  if (busyRegies.has(input.regieId)) throw new DomainError('conflict', 'Un fichier de prélèvement de cette régie est déjà en cours d’écriture : attendez qu’il soit terminé.', 409)
  busyRegies.add(input.regieId)
  try {
    return await exportOnce(core, actor, input, hooks)
  } finally {
    busyRegies.delete(input.regieId)
  }
}

async function exportOnce(core: Core, actor: Extract<Actor, { kind: 'staff' }>, input: PlanInput, hooks: ExportHooks): Promise<ExportResult> {
  await finishInterruptedExports(core, actor, input.regieId)
  const { plan, regie, structure } = await planFor(core, input)
  const missing = [!regie.ics && 'l’identifiant créancier SEPA (ICS)', !regie.creditorIban && 'l’IBAN du compte de la régie'].filter(Boolean)
  if (missing.length) throw new DomainError('not_configured', `Renseignez d’abord dans la régie ${regie.name} : ${missing.join(' et ')}.`, 409)
  if (plan.debits.length === 0) {
    const why = plan.leftOut.slice(0, 3).map((l) => `${l.number} : ${l.reason}`)
    throw new DomainError('nothing_to_collect', ['Aucune facture à prélever à cette date.', ...why, plan.leftOut.length > 3 ? `… et ${plan.leftOut.length - 3} autre(s).` : ''].filter(Boolean).join('\n'), 409)
  }
  const total = plan.debits.length
  const chunk = hooks.chunk ?? CHUNK
  const progress = (step: 'file' | 'marking', done: number) => {
    setProgress('sepa', regie.id, { step: step === 'file' ? 'Écriture du fichier' : 'Enregistrement des prélèvements', done, total })
    hooks.onProgress?.(step, done, total)
  }
  setProgress('sepa', regie.id, { step: 'Préparation', done: 0, total })
  const now = core.clock.now()
  const creditor = creditorOf(regie, structure.name)
  const exp = await core.tx.run(async (m) => {
    const seq = await nextNumber(m, counterName(regie.id, 'sepa'))
    const msgId = epcId(`${regie.code}-PRLV-${plan.collectionDate.replace(/-/g, '')}-${String(seq).padStart(4, '0')}`)
    return m.save(
      SepaExport,
      Object.assign(new SepaExport(), {
        regieId: regie.id,
        msgId,
        runId: input.runId ?? null,
        collectionDate: plan.collectionDate,
        format: plan.format,
        nbTxs: plan.nbTxs,
        ctrlSumCents: plan.ctrlSumCents,
        xml: '',
        state: 'preparing',
        fileName: `prelevements-sepa-${msgId}.xml`,
        createdBy: actor.id,
        createdAt: now.toISOString()
      })
    )
  })
  writing.add(exp.id)
  try {
    const seqText = exp.msgId.slice(-4)
    const items: PlannedItem[] = plan.debits.map((d) => {
      const s = plan.mandates.get(d.mandateId)!
      return {
        mandateId: s.id,
        familyId: s.familyId,
        holder: s.holder,
        rum: s.rum,
        iban: s.iban,
        bic: s.bic,
        amendment: s.amendment,
        sequenceType: d.sequenceType,
        amountCents: d.amountCents,
        endToEndId: epcId(`${regie.code}-${seqText}-${d.familyNumber}`),
        invoices: d.invoices.map((i) => ({ invoiceId: i.invoiceId, dueCents: i.dueCents }))
      }
    })
    try {
      for (let i = 0; i < items.length; i += chunk * 4) {
        await core.tx.run(async (m) =>
          insertMany(dbOf(m), 'sepa_export_item', ['export_id', 'idx', 'data'], items.slice(i, i + chunk * 4).map((it, k) => [exp.id, i + k, JSON.stringify(it)]))
        )
        await nextTurn()
      }
      progress('file', 0)
      // 20,000 remittance texts: a chunk at a time, the portal answering in between.
      const transactions: DebitTransaction[] = []
      for (const [i, d] of plan.debits.entries()) {
        const s = plan.mandates.get(d.mandateId)!
        transactions.push({
          endToEndId: items[i].endToEndId,
          amountCents: d.amountCents,
          sequenceType: d.sequenceType,
          collectionDate: plan.collectionDate,
          mandate: { rum: s.rum, signedOn: s.signedOn, amendment: s.amendment },
          debtor: { name: s.holder, iban: s.iban, bic: s.bic || null, address: { ...s.address, country: 'FR' } },
          remittance: remittanceText(
            d.invoices.map((x) => x.number),
            `${structure.name} famille ${d.familyNumber}`
          )
        })
        if (i % chunk === chunk - 1) await nextTurn()
      }
      const file = {
        format: plan.format,
        msgId: exp.msgId,
        createdAt: format(new TZDate(now, PARIS), "yyyy-MM-dd'T'HH:mm:ss"),
        initiatingParty: creditor.name,
        creditor: {
          name: creditor.name,
          iban: regie.creditorIban,
          bic: regie.creditorBic || null,
          ics: creditor.ics,
          address: { street: structure.address, postalCode: structure.postalCode, town: structure.city, country: 'FR' }
        },
        transactions
      }
      const problems: string[] = []
      for (const _ of inputCheckSteps(file, problems, chunk * 2)) await nextTurn()
      if (problems.length) throw new Error(problems.join('\n'))
      await writeExportFile(core, exp.fileName!, async (put) => {
        for (const piece of pain008Pieces(file, chunk, true)) await put(piece)
      })
    } catch (e) {
      await discardExport(core, exp)
      if (e instanceof Error && !(e instanceof DomainError) && !('code' in e)) {
        throw new DomainError('sepa_invalid', `Le fichier de prélèvement ne respecte pas les règles SEPA :\n${e.message}`, 422)
      }
      throw e
    }
    await core.tx.run(async (m) => m.update(SepaExport, { id: exp.id }, { state: 'marking' }))
    await markExport(core, actor, exp.id, chunk, (done) => progress('marking', done))
  } finally {
    writing.delete(exp.id)
    clearProgress('sepa', regie.id)
  }
  const { mandates: _, ...dto } = plan
  return { ...dto, exportId: exp.id, msgId: exp.msgId }
}

/** A 'preparing' export cut short: its items, its row and any file go; nothing else was written. */
async function discardExport(core: Core, exp: SepaExport): Promise<void> {
  await core.tx.run(async (m) => {
    stmt(dbOf(m), 'DELETE FROM sepa_export_item WHERE export_id = ?').run(exp.id)
    await m.delete(SepaExport, { id: exp.id, state: 'preparing' })
  })
  if (exp.fileName) removeExportFile(core, exp.fileName)
}

/**
 * Exports of the régie left unfinished by a process that died (or a failed
 * write): 'preparing' ones are discarded, 'marking' ones are finished. The
 * audit row of the finished export names who finished it.
 */
export async function finishInterruptedExports(core: Core, actor: Actor | null, regieId: number): Promise<void> {
  const open = await core.tx.read(async (m) => m.find(SepaExport, { where: [{ regieId, state: 'preparing' }, { regieId, state: 'marking' }], order: { id: 'ASC' } }))
  for (const exp of open) {
    if (writing.has(exp.id)) continue
    if (exp.state === 'preparing') await discardExport(core, exp)
    else await markExport(core, actor ?? SYSTEM, exp.id, CHUNK)
  }
}

/** Turns the debits still to record into payments, collections, marked invoices and mandates moved on, a chunk per transaction; then 'done'. */
async function markExport(core: Core, actor: Actor, exportId: number, chunk: number, onChunk?: (done: number) => void): Promise<void> {
  const exp = await core.tx.read((m) => m.findOneByOrFail(SepaExport, { id: exportId }))
  const { regie, creditorName } = await core.tx.read(async (m) => ({ regie: await getRegie(m, exp.regieId), creditorName: (await getStructure(m)).name }))
  const creditor = creditorOf(regie, creditorName)
  let after = -1
  let done = 0
  for (;;) {
    const n = await core.tx.run(async (m) => {
      const db = dbOf(m)
      const rows = stmt(db, 'SELECT idx, data FROM sepa_export_item WHERE export_id = ? AND done = 0 AND idx > ? ORDER BY idx LIMIT ?').all(exp.id, after, chunk) as { idx: number; data: string }[]
      if (!rows.length) return 0
      after = rows.at(-1)!.idx
      const items = rows.map((r) => JSON.parse(r.data) as PlannedItem)
      const at = core.clock.now()
      // What each invoice still owes now: a payment recorded at the desk since the plan leaves the rest of the debit as credit.
      const ids = items.flatMap((t) => t.invoices.map((i) => i.invoiceId))
      const owed = new Map(
        (db.prepare(`SELECT i.id, i.total_cents - COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.invoice_id = i.id), 0) AS due FROM invoice i WHERE i.id IN (${marks(ids.length)})`).all(...ids) as { id: number; due: number }[]).map((r) => [r.id, r.due])
      )
      const payments = writePayments(
        db,
        actor,
        at,
        regie,
        items.map((t) => ({
          familyId: t.familyId,
          regieId: regie.id,
          mode: 'prelevement' as const,
          amountCents: t.amountCents,
          receivedOn: exp.collectionDate,
          chequeNumber: '',
          bank: '',
          payer: t.holder,
          reference: `${exp.msgId} ${t.endToEndId}`,
          allocations: t.invoices.map((x) => ({ invoiceId: x.invoiceId, amountCents: Math.min(x.dueCents, Math.max(0, owed.get(x.invoiceId) ?? 0)) })).filter((a) => a.amountCents > 0),
          sepaExportId: exp.id,
          mandateId: t.mandateId
        }))
      )
      const iso = at.toISOString()
      insertMany(
        db,
        'sepa_collection',
        COLLECTION_COLUMNS,
        items.map((t, i) => [exp.id, t.mandateId, t.familyId, payments[i].id, t.endToEndId, t.sequenceType, exp.collectionDate, t.amountCents, t.rum, t.iban, t.bic, creditor.ics, creditor.name, t.amendment ? JSON.stringify(t.amendment) : null, iso])
      )
      const moveOn = stmt(db, 'UPDATE sepa_mandate SET last_collection_on = ?, sequence_type = ?, status = ?, amendment = NULL, updated_at = ? WHERE id = ?')
      for (const t of items) {
        const spent = t.sequenceType === 'OOFF' || t.sequenceType === 'FNAL'
        moveOn.run(exp.collectionDate, t.sequenceType === 'FRST' ? 'RCUR' : t.sequenceType, spent ? 'used' : 'active', iso, t.mandateId)
      }
      db.prepare(`UPDATE invoice SET debit_status = 'prelevee' WHERE id IN (${marks(ids.length)})`).run(...ids)
      stmt(db, 'UPDATE sepa_export_item SET done = 1 WHERE export_id = ? AND idx BETWEEN ? AND ?').run(exp.id, rows[0].idx, after)
      return rows.length
    })
    if (!n) break
    done += n
    onChunk?.(done)
    // Transactions chained by promises alone would run back to back: the portal's requests get a turn between two.
    await nextTurn()
  }
  await core.tx.run(async (m) => {
    stmt(dbOf(m), 'DELETE FROM sepa_export_item WHERE export_id = ?').run(exp.id)
    await m.update(SepaExport, { id: exp.id }, { state: 'done' })
    await audit(m, actor, core.clock.now(), {
      action: 'sepa-export',
      entity: 'sepa_export',
      entityId: exp.id,
      after: { msgId: exp.msgId, format: exp.format, collectionDate: exp.collectionDate, nbTxs: exp.nbTxs, ctrlSumCents: exp.ctrlSumCents, fileName: exp.fileName }
    })
  })
}

/** The XML of a file: on disk since issue 19, in its row before. */
export function sepaExportXml(core: Core, exp: Pick<SepaExport, 'xml' | 'fileName' | 'state'>): string {
  if (exp.state === 'preparing') throw new DomainError('conflict', 'Ce fichier de prélèvement est en cours d’écriture.', 409)
  return exp.fileName ? readExportFile(core, exp.fileName) : exp.xml
}
