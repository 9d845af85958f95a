/**
 * The direct-debit export of a régie: the open invoices of families on
 * direct debit become one pain.008.001.02 file; each invoice gets a
 * "prélèvement" payment allocated to it and is marked "prélevée"; each
 * mandate moves from FRST to RCUR (or is spent if OOFF). All in one
 * transaction, so the file exists iff the invoices are marked.
 */
import type { EntityManager } from 'typeorm'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { frenchDate, parisDay } from '../../core/clock'
import { DomainError } from '../../core/errors'
import { addDays, isoWeekday } from '@shared/bookings/days'
import { audit } from '../../audit/audit'
import { nextNumber } from '../../db/counter'
import { dbOf } from '../../bookings/sql'
import { getStructure } from '../../settings/settings'
import { Invoice, SepaExport, SepaMandate } from '../entities'
import { counterName } from '../numbering'
import { getRegie } from '../regies'
import { insertPayment } from '../payments/payments'
import { buildPain008, type DebitTransaction, type SequenceType } from './pain008'
import { epcId } from './epc-text'

/** Easter Sunday (anonymous Gregorian algorithm), for the TARGET2 closing days. */
function easter(year: number): string {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** TARGET2 is closed on weekends, 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December. */
export function isTarget2Day(day: string): boolean {
  if (isoWeekday(day) >= 6) return false
  const md = day.slice(5)
  if (['01-01', '05-01', '12-25', '12-26'].includes(md)) return false
  const e = easter(Number(day.slice(0, 4)))
  return day !== addDays(e, -2) && day !== addDays(e, 1)
}

export interface DebitCandidate {
  invoiceId: number
  number: string
  familyId: number
  familyNumber: number
  familyName: string
  dueCents: number
  dueDate: string
  mandateId: number | null
  rum: string | null
  sequenceType: SequenceType | null
}

/** Invoices of a régie (or of one of its runs) to collect: on direct debit, still due, not yet presented. */
export function debitCandidates(m: EntityManager, regieId: number, runId?: number | null): DebitCandidate[] {
  const rows = dbOf(m)
    .prepare(
      `SELECT i.id, i.number, i.family_id, i.due_date,
              json_extract(i.snapshot, '$.familyNumber') AS family_number, json_extract(i.snapshot, '$.familyName') AS family_name,
              i.total_cents - COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocation a WHERE a.invoice_id = i.id), 0) AS due,
              s.id AS mandate_id, s.rum, s.sequence_type
         FROM invoice i LEFT JOIN sepa_mandate s ON s.family_id = i.family_id AND s.status = 'active'
        WHERE i.regie_id = ? AND i.collection = 'debit' AND i.status = 'issued' AND i.debit_status IS NULL ${runId ? 'AND i.run_id = ?' : ''}
          -- A titre sent to the Trésor (PES V2) is debited by the Trésor, never a second time by the régie.
          AND NOT EXISTS (SELECT 1 FROM pes_titre t WHERE t.invoice_id = i.id AND t.credit_note_id IS NULL)
        ORDER BY i.seq`
    )
    .all(...(runId ? [regieId, runId] : [regieId])) as {
    id: number
    number: string
    family_id: number
    due_date: string
    family_number: number
    family_name: string
    due: number
    mandate_id: number | null
    rum: string | null
    sequence_type: SequenceType | null
  }[]
  return rows
    .filter((r) => r.due > 0)
    .map((r) => ({
      invoiceId: r.id,
      number: r.number,
      familyId: r.family_id,
      familyNumber: r.family_number,
      familyName: r.family_name,
      dueCents: r.due,
      dueDate: r.due_date,
      mandateId: r.mandate_id,
      rum: r.rum,
      sequenceType: r.sequence_type
    }))
}

export async function exportDirectDebits(
  core: Core,
  actor: Extract<Actor, { kind: 'staff' }>,
  input: { regieId: number; runId?: number | null; collectionDate: string }
): Promise<{ exportId: number; msgId: string; nbTxs: number; ctrlSumCents: number; skipped: string[] }> {
  const today = parisDay(core.clock.now())
  if (input.collectionDate <= today) throw new DomainError('invalid_input', 'La date de prélèvement doit être postérieure à aujourd’hui (présentation à J-1 au plus tard).', 400, { collectionDate: 'trop tôt' })
  if (!isTarget2Day(input.collectionDate)) {
    throw new DomainError('invalid_input', `Le ${frenchDate(input.collectionDate)} n’est pas un jour ouvré TARGET2 (week-end ou jour de fermeture) : choisissez un autre jour.`, 400, { collectionDate: 'jour non ouvré' })
  }
  return core.tx.run(async (m) => {
    const regie = await getRegie(m, input.regieId)
    const structure = await getStructure(m)
    const missing = [!regie.ics && 'l’identifiant créancier SEPA (ICS)', !regie.creditorIban && 'l’IBAN du compte de la régie'].filter(Boolean)
    if (missing.length) throw new DomainError('not_configured', `Renseignez d’abord dans la régie ${regie.name} : ${missing.join(' et ')}.`, 409)
    const candidates = debitCandidates(m, regie.id, input.runId)
    const skipped = candidates.filter((c) => !c.mandateId).map((c) => `${c.number} (famille ${c.familyNumber} : aucun mandat actif)`)
    const ready = candidates.filter((c) => c.mandateId)
    if (ready.length === 0) throw new DomainError('nothing_to_collect', 'Aucune facture à prélever (toutes sont déjà présentées, réglées, ou sans mandat actif).', 409)
    const mandates = new Map((await m.findByIds(SepaMandate, [...new Set(ready.map((c) => c.mandateId!))])).map((s) => [s.id, s]))
    const seq = await nextNumber(m, counterName(regie.id, 'sepa'))
    const msgId = epcId(`${regie.code}-PRLV-${input.collectionDate.replace(/-/g, '')}-${String(seq).padStart(4, '0')}`)
    const txs: DebitTransaction[] = ready.map((c) => {
      const s = mandates.get(c.mandateId!)!
      return {
        endToEndId: epcId(c.number),
        amountCents: c.dueCents,
        mandateId: s.rum,
        mandateSignedOn: s.signedOn,
        sequenceType: s.sequenceType,
        debtorName: s.holder,
        debtorIban: s.iban,
        debtorBic: s.bic || null,
        remittance: `Facture ${c.number} ${structure.name} famille ${c.familyNumber}`
      }
    })
    const now = core.clock.now()
    let xml: string
    try {
      xml = buildPain008({
        msgId,
        createdAt: now.toISOString().slice(0, 19),
        initiatingParty: regie.creditorName || structure.name,
        creditor: { name: regie.creditorName || structure.name, iban: regie.creditorIban, bic: regie.creditorBic || null, ics: regie.ics },
        collectionDate: input.collectionDate,
        transactions: txs
      })
    } catch (e) {
      throw new DomainError('sepa_invalid', `Le fichier de prélèvement ne respecte pas les règles SEPA :\n${(e as Error).message}`, 422)
    }
    const total = txs.reduce((s, t) => s + t.amountCents, 0)
    const exp = await m.save(
      SepaExport,
      Object.assign(new SepaExport(), {
        regieId: regie.id,
        msgId,
        runId: input.runId ?? null,
        collectionDate: input.collectionDate,
        nbTxs: txs.length,
        ctrlSumCents: total,
        xml,
        createdBy: actor.id,
        createdAt: now.toISOString()
      })
    )
    for (const c of ready) {
      const s = mandates.get(c.mandateId!)!
      await insertPayment(m, core, actor, {
        familyId: c.familyId,
        regieId: regie.id,
        mode: 'prelevement',
        amountCents: c.dueCents,
        receivedOn: input.collectionDate,
        chequeNumber: '',
        bank: '',
        payer: s.holder,
        reference: `${msgId} RUM ${s.rum}`,
        allocations: [{ invoiceId: c.invoiceId, amountCents: c.dueCents }],
        sepaExportId: exp.id,
        mandateId: s.id
      })
      await m.update(Invoice, { id: c.invoiceId }, { debitStatus: 'prelevee' })
    }
    for (const s of mandates.values()) {
      const next = s.sequenceType === 'FRST' ? 'RCUR' : s.sequenceType
      await m.update(SepaMandate, { id: s.id }, { lastCollectionOn: input.collectionDate, sequenceType: next, status: s.sequenceType === 'OOFF' || s.sequenceType === 'FNAL' ? 'used' : 'active', updatedAt: now.toISOString() })
    }
    await audit(m, actor, now, { action: 'sepa-export', entity: 'sepa_export', entityId: exp.id, after: { msgId, collectionDate: input.collectionDate, nbTxs: txs.length, ctrlSumCents: total, invoices: ready.map((c) => c.number), skipped } })
    return { exportId: exp.id, msgId, nbTxs: txs.length, ctrlSumCents: total, skipped }
  })
}
