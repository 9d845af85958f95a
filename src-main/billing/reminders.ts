/**
 * Unpaid invoices and reminders ("relances"): level 1 then level 2, by
 * e-mail through the outbox (same transaction as the reminder row) or as
 * printed letters.
 */
import type { EntityManager } from 'typeorm'
import type { UnpaidRowDto } from '@shared/contract/billing-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { DomainError } from '../core/errors'
import { daysBetween } from '../calendar/days'
import { audit } from '../audit/audit'
import { dbOf } from '../bookings/sql'
import { familyRecipient } from '../families/contact'
import { Family } from '../families/entities'
import { enqueueMail, mailContext } from '../mail/outbox'
import { renderPdf } from './pdf/printer'
import { identity } from './documents/render'
import { reminderLettersPdf, type ReminderLetter } from './documents/pdfs'
import { INVOICE_SELECT, toSummary, type InvoiceRow } from './invoices'
import { billingTemplates } from './mail'
import { Reminder } from './entities'
import { getBillingSettings, onlineOffer } from './settings'

/** Invoices past their due date with something left to pay (direct collection, or a rejected debit). */
export async function unpaidList(m: EntityManager, today: string, filter: { regieId?: number; minDaysLate?: number } = {}): Promise<UnpaidRowDto[]> {
  const params: unknown[] = [today]
  let where = `WHERE i.status = 'issued' AND i.due_date < ? AND (i.collection = 'direct' OR i.debit_status = 'rejected')`
  if (filter.regieId) (where += ' AND i.regie_id = ?'), params.push(filter.regieId)
  const db = dbOf(m)
  const rows = db.prepare(`${INVOICE_SELECT} ${where} ORDER BY i.due_date, i.seq`).all(...params) as InvoiceRow[]
  const out: UnpaidRowDto[] = []
  for (const r of rows) {
    if (r.total_cents - r.paid <= 0) continue
    const late = daysBetween(r.due_date, today)
    if (filter.minDaysLate && late < filter.minDaysLate) continue
    const last = db.prepare('SELECT level, sent_on FROM reminder WHERE invoice_id = ? ORDER BY level DESC, id DESC LIMIT 1').get(r.id) as { level: number; sent_on: string } | undefined
    out.push({ ...toSummary(r, today), daysLate: late, lastReminderLevel: last?.level ?? null, lastReminderOn: last?.sent_on ?? null, email: await familyRecipient(m, r.family_id) })
  }
  return out
}

export interface ReminderResult {
  emailed: number
  letters: number
  /** The letters to print (families without e-mail, or all when asked), as one PDF. */
  lettersPdf: Buffer | null
}

export async function sendReminders(
  core: Core,
  actor: Extract<Actor, { kind: 'staff' }>,
  input: { invoiceIds: number[]; level: 1 | 2; channel: 'auto' | 'letter' }
): Promise<ReminderResult> {
  if (input.invoiceIds.length === 0) throw new DomainError('invalid_input', 'Cochez au moins une facture à relancer.', 400)
  const today = parisDay(core.clock.now())
  const { letters, emailed, structure, payAt } = await core.tx.run(async (m) => {
    const settings = await getBillingSettings(m)
    const payAt = onlineOffer(settings, core.options.runMode).available ? 'Vous pouvez régler en ligne sur le portail famille (Factures et documents) ou à l’accueil de la structure.' : settings.payAt
    const ctx = await mailContext(m, core.runtime.portalUrl)
    const letters: ReminderLetter[] = []
    let emailed = 0
    const now = core.clock.now().toISOString()
    for (const id of [...new Set(input.invoiceIds)]) {
      const r = dbOf(m).prepare(`${INVOICE_SELECT} WHERE i.id = ?`).get(id) as InvoiceRow | undefined
      if (!r) throw new DomainError('not_found', 'Facture introuvable.', 404)
      const due = r.status === 'cancelled' ? 0 : r.total_cents - r.paid
      if (due <= 0) throw new DomainError('conflict', `La facture ${r.number} est réglée : pas de relance.`, 409)
      const to = input.channel === 'letter' ? '' : await familyRecipient(m, r.family_id)
      let outboxId: number | null = null
      if (to) {
        outboxId = await enqueueMail(m, core, to, billingTemplates.reminder(ctx, { level: input.level, number: r.number, issueDate: r.issue_date, dueDate: r.due_date, dueCents: due, payAt }))
        emailed++
      } else {
        const fam = await m.findOneByOrFail(Family, { id: r.family_id })
        letters.push({ level: input.level, number: r.number, issueDate: r.issue_date, dueDate: r.due_date, dueCents: due, familyName: String(r.family_name), familyNumber: Number(r.family_number), address: { address: fam.address, postalCode: fam.postalCode, city: fam.city } })
      }
      const rem = await m.save(
        Reminder,
        Object.assign(new Reminder(), { invoiceId: r.id, familyId: r.family_id, level: input.level, channel: to ? 'email' : 'letter', sentOn: today, outboxId, createdBy: actor.id, createdAt: now })
      )
      await audit(m, actor, core.clock.now(), { action: 'reminder-send', entity: 'reminder', entityId: rem.id, after: { invoice: r.number, level: input.level, channel: rem.channel, dueCents: due } })
    }
    return { letters, emailed, structure: await identity(m), payAt }
  })
  const lettersPdf = letters.length ? await renderPdf(reminderLettersPdf({ structure, today, payAt, letters })) : null
  return { emailed, letters: letters.length, lettersPdf }
}
