import type { EntityManager } from 'typeorm'
import { frWeekdayShort } from '@shared/bookings/days'
import type { Core } from '../core/app-core'
import { frenchDate } from '../core/clock'
import { familyRecipient } from '../families/contact'
import { enqueueMail, mailContext } from '../mail/outbox'
import { compose, type MailContext } from '../mail/templates'
import type { AutoBookResult } from './autobook'

export interface EnrolmentMailData {
  childName: string
  activityName: string
  periodName: string
  groupName: string
}

/** Full days listed by name; past this many the rest is counted (a long list helps no one in a toast or an e-mail). */
const LISTED_FULL_DAYS = 12

/**
 * « Réservations automatiques : 38 jours réservés ; complet le mer. 13/05 (Matin) — réservez un autre jour ou
 * contactez la structure. » Null when auto-booking skipped nothing: the usual texts then stay as they were.
 */
export function autoBookNotice(r: Pick<AutoBookResult, 'bookedDays' | 'full'>): string | null {
  if (!r.full.length) return null
  const byDay = new Map<string, string[]>()
  for (const f of r.full) byDay.set(f.day, [...(byDay.get(f.day) ?? []), f.unitName])
  const days = [...byDay.keys()].sort()
  const listed = days.slice(0, LISTED_FULL_DAYS).map((d) => `${frWeekdayShort(d)} (${byDay.get(d)!.join(', ')})`)
  const more = days.length - listed.length
  const booked = `${r.bookedDays} jour${r.bookedDays > 1 ? 's' : ''} réservé${r.bookedDays > 1 ? 's' : ''}`
  const full = `complet ${days.length > 1 ? 'les' : 'le'} ${listed.join(', ')}${more ? ` et ${more} autre${more > 1 ? 's' : ''} jour${more > 1 ? 's' : ''}` : ''}`
  return `Réservations automatiques : ${booked} ; ${full} — réservez un autre jour ou contactez la structure.`
}

const what = (d: EnrolmentMailData) => `l’inscription de ${d.childName} à « ${d.activityName} » (${d.periodName}, groupe ${d.groupName})`

export const enrolmentTemplates = {
  accepted: (ctx: MailContext, d: EnrolmentMailData & { autoBooked: number; autoBookNotice?: string | null }) =>
    compose(ctx, 'Inscription validée', [
      `Bonne nouvelle : ${what(d)} est validée.`,
      d.autoBookNotice
        ? `${d.autoBookNotice} Vous pouvez consulter vos réservations dans « Réservations » sur le portail.`
        : d.autoBooked > 0
          ? `Les ${d.autoBooked} réservations de la période ont été faites automatiquement. Vous pouvez les consulter dans « Réservations » sur le portail.`
          : 'Vous pouvez maintenant réserver les jours souhaités dans « Réservations » sur le portail.',
      ctx.portalUrl
    ]),
  waiting: (ctx: MailContext, d: EnrolmentMailData & { rank: number }) =>
    compose(ctx, 'Inscription en liste d’attente', [
      `Le groupe est complet : ${what(d)} est placée sur liste d’attente, au rang ${d.rank}.`,
      'Nous vous préviendrons par e-mail dès qu’une place se libère.'
    ]),
  promoted: (ctx: MailContext, d: EnrolmentMailData & { autoBooked: number; autoBookNotice?: string | null }) =>
    compose(ctx, 'Une place s’est libérée', [
      `Une place s’est libérée : ${what(d)}, qui était sur liste d’attente, est maintenant validée.`,
      d.autoBookNotice
        ? d.autoBookNotice
        : d.autoBooked > 0
          ? `Les ${d.autoBooked} réservations restantes de la période ont été faites automatiquement.`
          : 'Vous pouvez maintenant réserver les jours souhaités sur le portail.',
      'Si vous n’avez plus besoin de cette place, merci de prévenir la structure au plus vite pour qu’elle profite à une autre famille.',
      ctx.portalUrl
    ]),
  refused: (ctx: MailContext, d: EnrolmentMailData & { reason: string }) =>
    compose(ctx, 'Inscription refusée', [`Nous ne pouvons pas accepter ${what(d)}.`, `Motif : ${d.reason}`, 'Pour toute question, contactez la structure.']),
  ended: (ctx: MailContext, d: EnrolmentMailData & { lastDay: string; cancelled: number }) =>
    compose(ctx, 'Fin d’inscription', [
      `${what(d).replace(/^l/, 'L')} prend fin le ${frenchDate(d.lastDay)} au soir.`,
      d.cancelled > 0 ? `Les ${d.cancelled} réservations automatiques suivantes ont été annulées ; les jours passés ne changent pas.` : ''
    ].filter(Boolean))
}

/** Queues a mail to the family in the caller's transaction (nothing when the family has no address). */
export async function mailFamily(m: EntityManager, core: Core, familyId: number, build: (ctx: MailContext) => ReturnType<typeof compose>): Promise<void> {
  const to = await familyRecipient(m, familyId)
  if (!to) return
  await enqueueMail(m, core, to, build(await mailContext(m, core.runtime.portalUrl)))
}
