/**
 * A rejected direct debit, recorded by hand or read from the bank's pain.002
 * status report. For each rejected transaction, in one transaction:
 * - its payment is rejected (allocations reversed: the invoices are due
 *   again and show « Prélèvement rejeté »; the family may pay them online);
 * - its mandate moves back when the reject undoes what the collection did
 *   (a rejected first collection leaves the next one a FRST; a rejected
 *   OOFF/FNAL re-opens the mandate; an amendment not delivered is kept);
 * - the bank fee of Paramètres, if any, is charged as an adjustment on the
 *   family's next invoice;
 * - audit rows name the person.
 */
import type { EntityManager } from 'typeorm'
import type { z } from 'zod'
import { REJECT_REASONS, type debitRejectInput, type StatusReportResultDto } from '@shared/contract/sepa'
import { monthOf } from '@shared/bookings/days'
import { formatEuro } from '@shared/billing/money'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { frenchDate, parisDay } from '../../core/clock'
import { DomainError, notFound } from '../../core/errors'
import { audit } from '../../audit/audit'
import { dbOf, stmt } from '../../bookings/sql'
import { Payment, SepaCollection, SepaExport, SepaMandate } from '../entities'
import { saveAdjustment } from '../invoicing/adjustments'
import { rejectPaymentIn } from '../payments/payments'
import { sepaExportXml } from './export'
import { parsePain002, rejectedEndToEndIds } from './pain002'
import { getSepaSettings } from './settings'
import { personName } from '@shared/names'

/** "AM04 – Provision insuffisante : détail" as the statement and the journal show it. */
export function rejectReasonText(code: string, detail = ''): string {
  const label = REJECT_REASONS[code] ?? 'motif communiqué par la banque'
  return `${code} – ${label}${detail.trim() ? ` : ${detail.trim()}` : ''}`
}

/** Puts the mandate back where it was before a collection that did not go through. */
async function mandateAfterReject(m: EntityManager, core: Core, actor: Actor, c: SepaCollection): Promise<void> {
  const s = await m.findOneBy(SepaMandate, { id: c.mandateId })
  if (!s || s.status === 'revoked') return
  const others = stmt(
    dbOf(m),
    `SELECT MAX(c.collection_date) AS last, COUNT(*) AS n FROM sepa_collection c JOIN payment p ON p.id = c.payment_id WHERE c.mandate_id = ? AND c.id <> ? AND p.status = 'ok'`
  ).get(s.id, c.id) as { last: string | null; n: number }
  const later = others.last !== null && others.last > c.collectionDate
  const next: Partial<SepaMandate> = { lastCollectionOn: others.last }
  if ((c.sequenceType === 'OOFF' || c.sequenceType === 'FNAL') && s.status === 'used') Object.assign(next, { status: 'active', sequenceType: c.sequenceType })
  if (c.sequenceType === 'FRST' && others.n === 0 && s.sequenceType === 'RCUR') next.sequenceType = 'FRST'
  // What this collection was to tell the bank was not delivered: the next one tells it, unless a later one did.
  const { originalCreditor: _, ...debtorSide } = c.amendment ?? {}
  if (Object.keys(debtorSide).length && !s.amendment && !later) {
    next.amendment = debtorSide
    if (debtorSide.otherBank && s.status === 'active' && s.sequenceType === 'RCUR') next.sequenceType = 'FRST'
  }
  const before = { status: s.status, sequenceType: s.sequenceType, amendment: s.amendment, lastCollectionOn: s.lastCollectionOn }
  await m.update(SepaMandate, { id: s.id }, { ...next, updatedAt: core.clock.now().toISOString() })
  if (next.status || next.sequenceType || next.amendment) {
    await audit(m, actor, core.clock.now(), { action: 'mandate-reopen', entity: 'sepa_mandate', entityId: s.id, before, after: { ...before, ...next, because: c.endToEndId } })
  }
}

/**
 * Rejects one transaction of a file in the caller's transaction. Returns the
 * fee charged (cents). Refuses a transaction already rejected.
 */
export async function rejectCollectionIn(m: EntityManager, core: Core, actor: Actor, c: SepaCollection, reason: string, on: string): Promise<{ feeCents: number; invoices: number[] }> {
  const p = await m.findOneBy(Payment, { id: c.paymentId })
  if (!p) throw notFound('Règlement')
  if (p.status === 'rejected') throw new DomainError('conflict', `Le prélèvement ${c.endToEndId} est déjà enregistré comme rejeté (le ${frenchDate(p.rejectedOn ?? on)}).`, 409)
  const invoices = await rejectPaymentIn(m, core, actor, p, reason, on)
  await mandateAfterReject(m, core, actor, c)
  const settings = await getSepaSettings(m)
  let feeCents = 0
  if (settings.rejectFeeCents > 0) {
    feeCents = settings.rejectFeeCents
    await saveAdjustment(
      m,
      actor,
      core.clock.now(),
      { regieId: p.regieId, familyId: c.familyId, childId: null, month: monthOf(on), label: `${settings.rejectFeeLabel} du ${frenchDate(on)} (${c.endToEndId})`, amountCents: feeCents },
      { collectionId: c.id }
    )
  }
  await audit(m, actor, core.clock.now(), {
    action: 'debit-reject',
    entity: 'sepa_collection',
    entityId: c.id,
    after: { endToEndId: c.endToEndId, paymentId: p.id, amountCents: c.amountCents, rejectedOn: on, reason, reopenedInvoices: invoices, feeCents }
  })
  return { feeCents, invoices }
}

/** « Enregistrer un rejet » on one transaction, by hand (the bank's letter, its website…). */
export async function rejectDebit(core: Core, actor: Actor, input: z.output<typeof debitRejectInput>): Promise<{ feeCents: number }> {
  if (input.rejectedOn > parisDay(core.clock.now())) throw new DomainError('invalid_input', 'La date du rejet ne peut pas être dans le futur.', 400, { rejectedOn: 'future' })
  return core.tx.run(async (m) => {
    const c = await m.findOneBy(SepaCollection, { id: input.collectionId })
    if (!c) throw notFound('Prélèvement')
    const { feeCents } = await rejectCollectionIn(m, core, actor, c, rejectReasonText(input.reasonCode, input.detail), input.rejectedOn)
    return { feeCents }
  })
}

/** The collection a payment was created for, if any (a "prélèvement" recorded by hand has none). */
export async function collectionOfPayment(m: EntityManager, paymentId: number): Promise<SepaCollection | null> {
  return m.findOneBy(SepaCollection, { paymentId })
}

/**
 * Reads the bank's pain.002 status report and, with `apply`, records its
 * rejects. Without `apply` it only says what it would do. Importing the same
 * report twice changes nothing the second time.
 */
export async function importStatusReport(core: Core, actor: Actor, input: { xml: string; apply: boolean }): Promise<StatusReportResultDto> {
  const report = parsePain002(input.xml)
  const today = parisDay(core.clock.now())
  const on = report.createdOn && report.createdOn <= today ? report.createdOn : today
  const work = async (m: EntityManager): Promise<StatusReportResultDto> => {
    const problems: string[] = []
    const exp = await m.findOneBy(SepaExport, { msgId: report.originalMsgId })
    if (!exp) problems.push(`Le compte rendu porte sur le fichier « ${report.originalMsgId} », inconnu de Ribambelle : vérifiez que vous importez le compte rendu d’un de nos fichiers de prélèvement. Les références ci-dessous sont cherchées quand même.`)
    if (report.groupStatus === 'RJCT') problems.push(`La banque a rejeté le fichier entier (${report.groupReason || 'motif non précisé'}) : toutes ses transactions sont rejetées.`)
    const lines: StatusReportResultDto['lines'] = []
    let rejectedCount = 0
    let feeCents = 0
    for (const r of rejectedEndToEndIds(report, exp && exp.state !== 'preparing' ? sepaExportXml(core, exp) : null)) {
      const c = await m.findOneBy(SepaCollection, { endToEndId: r.endToEndId })
      const fam = c ? (stmt(dbOf(m), `SELECT f.number, pe.last_name, pe.first_name FROM family f LEFT JOIN person pe ON pe.family_id = f.id AND pe.role = 'responsable' WHERE f.id = ?`).get(c.familyId) as { number: number; last_name: string | null; first_name: string | null }) : null
      const base = { endToEndId: r.endToEndId, familyNumber: fam?.number ?? null, familyName: fam ? personName(fam.last_name, fam.first_name) : '', amountCents: c?.amountCents ?? r.amountCents, reasonCode: r.reasonCode, reason: r.reasonCode ? rejectReasonText(r.reasonCode, r.detail) : '' }
      if (r.status !== 'RJCT') {
        lines.push({ ...base, outcome: 'accepted', message: `Accepté par la banque (${r.status}).` })
        continue
      }
      if (!c) {
        lines.push({ ...base, outcome: 'unknown', message: `Référence « ${r.endToEndId} » inconnue : aucun prélèvement de Ribambelle ne porte cette référence de bout en bout. Rien n’est enregistré pour elle.` })
        continue
      }
      const p = await m.findOneByOrFail(Payment, { id: c.paymentId })
      if (p.status === 'rejected') {
        lines.push({ ...base, outcome: 'already-rejected', message: `Déjà enregistré comme rejeté le ${frenchDate(p.rejectedOn ?? on)}.` })
        continue
      }
      let message = `Rejet de ${formatEuro(c.amountCents)} : les factures sont de nouveau à payer.`
      if (input.apply) {
        const done = await rejectCollectionIn(m, core, actor, c, base.reason || rejectReasonText('MS03'), on)
        feeCents += done.feeCents
        if (done.feeCents) message += ` Frais de rejet de ${formatEuro(done.feeCents)} ajoutés à la prochaine facture.`
      }
      rejectedCount++
      lines.push({ ...base, outcome: 'reject', message })
    }
    if (input.apply) {
      await audit(m, actor, core.clock.now(), {
        action: 'sepa-status-import',
        entity: 'sepa_export',
        entityId: exp?.id ?? null,
        after: { reportMsgId: report.msgId, originalMsgId: report.originalMsgId, groupStatus: report.groupStatus, rejected: rejectedCount, unknown: lines.filter((l) => l.outcome === 'unknown').map((l) => l.endToEndId) }
      })
    }
    return { reportMsgId: report.msgId, originalMsgId: report.originalMsgId, groupStatus: report.groupStatus, lines, problems, applied: input.apply, rejectedCount, feeCents }
  }
  return input.apply ? core.tx.run(work) : core.tx.read(work)
}
