/**
 * Invoicing a month that is not over yet is allowed (a structure may bill on
 * the 25th), but never by accident: the server refuses it without an explicit
 * confirmation, and the back-office asks for it with this explanation.
 */
import { frDay, frMonth } from '../bookings/days'

/** Whether `periodEnd` (the month's last day) is still to come or is today. */
export function monthNotOver(periodEnd: string, today: string): boolean {
  return periodEnd >= today
}

/** What staff read before confirming, and what the server answers without the confirmation. */
export function unfinishedMonthWarning(month: string, periodEnd: string): string {
  return (
    `Le mois de ${frMonth(month)} n’est pas terminé : il court jusqu’au ${frDay(periodEnd)}. ` +
    'Les jours restants sont facturés tels qu’ils sont réservés aujourd’hui : une annulation, une absence excusée ou une fermeture ' +
    'd’ici la fin du mois demandera un avoir, et ce qui sera réservé ou pointé en plus devra être facturé par un second lot du même mois. ' +
    'Une facture émise ne se modifie plus.'
  )
}
