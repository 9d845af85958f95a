/**
 * The direct-debit export of a régie: the plan (see plan.ts) becomes one
 * pain.008 file (.02 or .08, Paramètres). In the same transaction, each
 * transaction (one per mandate) gets:
 * - a "prélèvement" payment dated on the collection date and allocated to
 *   its invoices: « en cours » until that day, then it counts as paid
 *   (see README.md);
 * - a sepa_collection row: what was sent (RUM, IBAN, creditor, amendment);
 * - its invoices marked "prélevée", and its mandate moved on (FRST → RCUR;
 *   OOFF and FNAL spent; the amendment sent is cleared).
 * So the file exists iff all of that is committed, and a failed export
 * leaves every mandate as it was.
 */
import { TZDate } from '@date-fns/tz'
import { format } from 'date-fns'
import type { z } from 'zod'
import type { debitExportResult, debitPlanInput } from '@shared/contract/sepa'
import type { Actor } from '../../core/actor'
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
import { buildPain008, type DebitTransaction } from './pain008'
import { epcId, remittanceText } from './epc-text'
import { creditorOf, planDirectDebits, type DebitPlan } from './plan'
import { getSepaSettings } from './settings'
import type { EntityManager } from 'typeorm'

type PlanInput = z.output<typeof debitPlanInput>

const COLLECTION_COLUMNS = [
  'export_id', 'mandate_id', 'family_id', 'payment_id', 'end_to_end_id', 'sequence_type', 'collection_date', 'amount_cents',
  'rum', 'iban', 'bic', 'ics', 'creditor_name', 'amendment', 'created_at'
] as const
type ExportResult = z.infer<typeof debitExportResult>

async function planFor(m: EntityManager, core: Core, input: PlanInput): Promise<{ plan: DebitPlan; regie: Regie; structure: Awaited<ReturnType<typeof getStructure>> }> {
  const regie = await getRegie(m, input.regieId)
  const structure = await getStructure(m)
  const plan = planDirectDebits(dbOf(m), {
    regie,
    structureName: structure.name,
    settings: await getSepaSettings(m),
    today: parisDay(core.clock.now()),
    runId: input.runId,
    collectionDate: input.collectionDate,
    represent: input.represent
  })
  return { plan, regie, structure }
}

/** The « Aperçu » of the export: what the file would hold, and why the others stay out. */
export async function previewDirectDebits(core: Core, input: PlanInput): Promise<Omit<DebitPlan, 'mandates'>> {
  const { plan } = await core.tx.read((m) => planFor(m, core, input))
  const { mandates: _, ...dto } = plan
  return dto
}

export async function exportDirectDebits(core: Core, actor: Extract<Actor, { kind: 'staff' }>, input: PlanInput): Promise<ExportResult> {
  return core.tx.run(async (m) => {
    const { plan, regie, structure } = await planFor(m, core, input)
    const missing = [!regie.ics && 'l’identifiant créancier SEPA (ICS)', !regie.creditorIban && 'l’IBAN du compte de la régie'].filter(Boolean)
    if (missing.length) throw new DomainError('not_configured', `Renseignez d’abord dans la régie ${regie.name} : ${missing.join(' et ')}.`, 409)
    if (plan.debits.length === 0) {
      const why = plan.leftOut.slice(0, 3).map((l) => `${l.number} : ${l.reason}`)
      throw new DomainError('nothing_to_collect', ['Aucune facture à prélever à cette date.', ...why, plan.leftOut.length > 3 ? `… et ${plan.leftOut.length - 3} autre(s).` : ''].filter(Boolean).join('\n'), 409)
    }
    const now = core.clock.now()
    const seq = await nextNumber(m, counterName(regie.id, 'sepa'))
    const msgId = epcId(`${regie.code}-PRLV-${plan.collectionDate.replace(/-/g, '')}-${String(seq).padStart(4, '0')}`)
    const creditor = creditorOf(regie, structure.name)
    const txs: (DebitTransaction & { mandateId: number })[] = plan.debits.map((d) => {
      const s = plan.mandates.get(d.mandateId)!
      return {
        mandateId: d.mandateId,
        endToEndId: epcId(`${regie.code}-${String(seq).padStart(4, '0')}-${d.familyNumber}`),
        amountCents: d.amountCents,
        sequenceType: d.sequenceType,
        collectionDate: plan.collectionDate,
        mandate: { rum: s.rum, signedOn: s.signedOn, amendment: s.amendment },
        debtor: { name: s.holder, iban: s.iban, bic: s.bic || null, address: { ...s.address, country: 'FR' } },
        remittance: remittanceText(
          d.invoices.map((i) => i.number),
          `${structure.name} famille ${d.familyNumber}`
        )
      }
    })
    let xml: string
    try {
      xml = buildPain008({
        format: plan.format,
        msgId,
        createdAt: format(new TZDate(now, PARIS), "yyyy-MM-dd'T'HH:mm:ss"),
        initiatingParty: creditor.name,
        creditor: {
          name: creditor.name,
          iban: regie.creditorIban,
          bic: regie.creditorBic || null,
          ics: creditor.ics,
          address: { street: structure.address, postalCode: structure.postalCode, town: structure.city, country: 'FR' }
        },
        transactions: txs
      })
    } catch (e) {
      throw new DomainError('sepa_invalid', `Le fichier de prélèvement ne respecte pas les règles SEPA :\n${(e as Error).message}`, 422)
    }
    const exp = await m.save(
      SepaExport,
      Object.assign(new SepaExport(), {
        regieId: regie.id,
        msgId,
        runId: input.runId ?? null,
        collectionDate: plan.collectionDate,
        format: plan.format,
        nbTxs: plan.nbTxs,
        ctrlSumCents: plan.ctrlSumCents,
        xml,
        createdBy: actor.id,
        createdAt: now.toISOString()
      })
    )
    // Thousands of families at once: multi-row INSERTs and cached statements, in this transaction.
    const db = dbOf(m)
    const at = now.toISOString()
    const payments = writePayments(
      db,
      actor,
      now,
      regie,
      txs.map((t, i) => {
        const s = plan.mandates.get(t.mandateId)!
        return {
          familyId: s.familyId,
          regieId: regie.id,
          mode: 'prelevement' as const,
          amountCents: t.amountCents,
          receivedOn: plan.collectionDate,
          chequeNumber: '',
          bank: '',
          payer: s.holder,
          reference: `${msgId} ${t.endToEndId}`,
          allocations: plan.debits[i].invoices.map((x) => ({ invoiceId: x.invoiceId, amountCents: x.dueCents })),
          sepaExportId: exp.id,
          mandateId: s.id
        }
      })
    )
    insertMany(
      db,
      'sepa_collection',
      COLLECTION_COLUMNS,
      txs.map((t, i) => {
        const s = plan.mandates.get(t.mandateId)!
        return [exp.id, s.id, s.familyId, payments[i].id, t.endToEndId, t.sequenceType, plan.collectionDate, t.amountCents, s.rum, s.iban, s.bic, creditor.ics, creditor.name, s.amendment ? JSON.stringify(s.amendment) : null, at]
      })
    )
    const moveOn = stmt(db, 'UPDATE sepa_mandate SET last_collection_on = ?, sequence_type = ?, status = ?, amendment = NULL, updated_at = ? WHERE id = ?')
    for (const t of txs) {
      const spent = t.sequenceType === 'OOFF' || t.sequenceType === 'FNAL'
      moveOn.run(plan.collectionDate, t.sequenceType === 'FRST' ? 'RCUR' : t.sequenceType, spent ? 'used' : 'active', at, t.mandateId)
    }
    const invoiceIds = plan.debits.flatMap((d) => d.invoices.map((i) => i.invoiceId))
    for (let i = 0; i < invoiceIds.length; i += 500) {
      const chunk = invoiceIds.slice(i, i + 500)
      db.prepare(`UPDATE invoice SET debit_status = 'prelevee' WHERE id IN (${marks(chunk.length)})`).run(...chunk)
    }
    await audit(m, actor, now, {
      action: 'sepa-export',
      entity: 'sepa_export',
      entityId: exp.id,
      after: {
        msgId,
        format: plan.format,
        collectionDate: plan.collectionDate,
        nbTxs: plan.nbTxs,
        ctrlSumCents: plan.ctrlSumCents,
        debits: plan.debits.map((d) => ({ rum: d.rum, sequenceType: d.sequenceType, invoices: d.invoices.map((i) => i.number) })),
        leftOut: plan.leftOut.map((l) => `${l.number} : ${l.reason}`)
      }
    })
    const { mandates: _, ...dto } = plan
    return { ...dto, exportId: exp.id, msgId }
  })
}
