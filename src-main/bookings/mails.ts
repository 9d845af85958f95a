import escapeHtml from 'escape-html'
import { TZDate } from '@date-fns/tz'
import { PARIS } from '@shared/bookings/deadlines'
import { WEEKDAY_ABBR, frDay, frDayShort, isoWeekday } from '@shared/bookings/days'
import { formatAmount } from '@shared/billing/money'
import { compose, type MailContext, type RenderedMail } from '../mail/templates'
import type { ChangeKind, ChangeStatus } from './change-entities'

/** "12/12/2024 à 09h00" in Paris. */
export function recapStamp(d: Date): string {
  const t = new TZDate(d.getTime(), PARIS)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${p(t.getDate())}/${p(t.getMonth() + 1)}/${t.getFullYear()} à ${p(t.getHours())}h${p(t.getMinutes())}`
}

export interface RecapRow {
  day: string
  child: string
  activity: string
  /** "Réservation", "Annulation", "Demande de réservation"… */
  what: string
  cents: number
  tariff: string
}

/** "Mer. 08/01/2025" */
export function recapDay(day: string): string {
  return `${WEEKDAY_ABBR[isoWeekday(day)]} ${frDay(day)}`
}

/**
 * The recap sent after "Terminer", in the source's format: "Récapitulatif de
 * vos réservations du JJ/MM/AAAA à HHhMM" then Jour / Enfant / Activité /
 * Réservation / annulation / Montant / Tarif.
 */
export function recapMail(ctx: MailContext, at: Date, rows: RecapRow[], pendingNote: boolean): RenderedMail {
  const title = `Récapitulatif de vos réservations du ${recapStamp(at)}`
  const header = ['Jour', 'Enfant', 'Activité', 'Réservation / annulation', 'Montant', 'Tarif']
  // Amounts in the source's e-mails carry no currency sign ("5,20"): the column header says what they are.
  const cells = rows.map((r) => [recapDay(r.day), r.child, r.activity, r.what, formatAmount(r.cents), r.tariff])
  const table = [header, ...cells].map((c) => c.join('\t')).join('\n')
  const intro = 'Vous trouverez ci-dessous la liste de vos réservations ou modifications que vous avez effectuées sur votre compte Portail Famille :'
  const note = pendingNote ? 'Les demandes seront examinées par la structure : vous recevrez un e-mail avec sa réponse.' : ''
  const htmlTable =
    '<table style="border-collapse:collapse" cellpadding="4" border="1"><thead><tr>' +
    header.map((h) => `<th scope="col" style="text-align:left">${escapeHtml(h)}</th>`).join('') +
    '</tr></thead><tbody>' +
    cells.map((c) => '<tr>' + c.map((x) => `<td>${escapeHtml(x)}</td>`).join('') + '</tr>').join('') +
    '</tbody></table>'
  return compose(ctx, title, [intro, title, { text: table, html: htmlTable }, ...(note ? [note] : [])])
}

export interface DecidedLine {
  day: string
  kind: ChangeKind
  status: ChangeStatus
  /** Child first name and unit, the heading the lines are grouped under. */
  child: string
  unit: string
  reason: string
}

const NOUN: Record<ChangeKind, [string, string]> = {
  reservation: ['réservation', 'réservations'],
  cancellation: ['annulation', 'annulations'],
  absence: ['absence', 'absences']
}

const OUTCOME: Record<Exclude<ChangeStatus, 'pending' | 'withdrawn'>, [string, string]> = {
  accepted: ['acceptée', 'acceptées'],
  excused: ['excusée', 'excusées'],
  billed: ['facturée', 'facturées'],
  refused: ['refusée', 'refusées']
}

/** "2 annulations excusées les : 06/05, 13/05" / "1 annulation facturée le : 20/05" */
export function outcomeLine(kind: ChangeKind, status: Exclude<ChangeStatus, 'pending' | 'withdrawn'>, days: string[]): string {
  const n = days.length
  const plural = n > 1 ? 1 : 0
  const noun = kind === 'cancellation' && status === 'refused' ? (plural ? 'demandes d’annulation' : 'demande d’annulation') : NOUN[kind][plural]
  return `${n} ${noun} ${OUTCOME[status][plural]} ${plural ? 'les' : 'le'} : ${[...days].sort().map(frDayShort).join(', ')}`
}

const ORDER: Exclude<ChangeStatus, 'pending' | 'withdrawn'>[] = ['accepted', 'excused', 'billed', 'refused']
const KIND_ORDER: ChangeKind[] = ['reservation', 'cancellation', 'absence']

/**
 * One e-mail per family for a batch of decisions, grouped by child and unit,
 * then by outcome, as in the source: "Journée complète — 2 annulations
 * excusées les : 06/05, 13/05 — 1 annulation facturée le : 20/05".
 */
export function decisionsMail(ctx: MailContext, lines: DecidedLine[]): RenderedMail {
  const groups = new Map<string, DecidedLine[]>()
  for (const l of lines) {
    const k = `${l.child} – ${l.unit}`
    if (!groups.has(k)) groups.set(k, [])
    groups.get(k)!.push(l)
  }
  const kinds = KIND_ORDER.filter((k) => lines.some((l) => l.kind === k))
  const SUBJECT: Record<ChangeKind, string> = {
    reservation: 'Réponse à vos demandes de réservation',
    cancellation: 'Réponse à vos demandes d’annulation',
    absence: 'Réponse à vos déclarations d’absence'
  }
  const subject = kinds.length === 1 ? SUBJECT[kinds[0]] : `Réponse à vos demandes (${kinds.map((k) => NOUN[k][0]).join(', ')})`
  const paragraphs = ['La structure a traité vos demandes. Ci-dessous, le détail de la réponse :']
  for (const [heading, ls] of groups) {
    const out: string[] = [heading]
    for (const kind of KIND_ORDER) {
      for (const status of ORDER) {
        const sel = ls.filter((l) => l.kind === kind && l.status === status)
        if (!sel.length) continue
        out.push(outcomeLine(kind, status, sel.map((l) => l.day)))
        const reasons = [...new Set(sel.map((l) => l.reason).filter(Boolean))]
        if (reasons.length) out.push(`Motif : ${reasons.join(' ; ')}`)
      }
    }
    paragraphs.push(out.join('\n'))
  }
  paragraphs.push('Vous pouvez consulter le détail dans « Mes demandes » sur le portail famille.')
  return compose(ctx, subject, paragraphs)
}
