import { formatEuro } from '@shared/billing/money'
import { frenchDate } from '../core/clock'
import { compose, type MailContext } from '../mail/templates'

/** French e-mails of billing (#6). Plain text is the source; HTML is the same paragraphs escaped. */
export const billingTemplates = {
  invoiceIssued: (ctx: MailContext, d: { number: string; period: string; totalCents: number; dueCents: number; dueDate: string; debit: boolean }) =>
    compose(ctx, `Votre facture ${d.number}`, [
      `Votre facture ${d.number} (${d.period}) est disponible : ${formatEuro(d.totalCents)}. Vous la trouverez en pièce jointe et sur le portail famille (Factures et documents).`,
      d.debit
        ? `Elle sera prélevée sur votre compte à l’échéance du ${frenchDate(d.dueDate)}.`
        : d.dueCents > 0
          ? `Montant restant à payer : ${formatEuro(d.dueCents)}, avant le ${frenchDate(d.dueDate)}.`
          : 'Elle est déjà réglée par votre avoir ou vos règlements précédents.',
      ctx.portalUrl ? `Portail famille : ${ctx.portalUrl}` : ''
    ].filter(Boolean)),
  reminder: (ctx: MailContext, d: { level: 1 | 2; number: string; issueDate: string; dueDate: string; dueCents: number; payAt: string }) =>
    compose(ctx, d.level === 1 ? `Rappel : facture ${d.number} impayée` : `Deuxième relance : facture ${d.number} impayée`, [
      d.level === 1
        ? `Sauf erreur de notre part, votre facture ${d.number} du ${frenchDate(d.issueDate)} n’est pas réglée. Son échéance était le ${frenchDate(d.dueDate)}.`
        : `Malgré notre premier rappel, votre facture ${d.number} du ${frenchDate(d.issueDate)} (échéance du ${frenchDate(d.dueDate)}) reste impayée.`,
      `Montant restant dû : ${formatEuro(d.dueCents)}.`,
      d.payAt,
      d.level === 2 ? 'Sans règlement de votre part sous 15 jours, la créance sera transmise au comptable public pour recouvrement.' : 'Si vous avez réglé entre-temps, merci de ne pas tenir compte de ce message.'
    ].filter(Boolean)),
  paymentReceived: (ctx: MailContext, d: { number: string; amountCents: number; mode: string; date: string; invoices: string[]; creditCents?: number }) =>
    compose(ctx, `Règlement reçu (${formatEuro(d.amountCents)})`, [
      `Nous avons bien reçu votre règlement ${d.number} du ${frenchDate(d.date)} : ${formatEuro(d.amountCents)} (${d.mode}).`,
      d.invoices.length ? `Factures réglées : ${d.invoices.join(', ')}.` : 'Le montant est conservé en avoir sur votre compte.',
      ...(d.creditCents && d.invoices.length
        ? [`Une partie de ce règlement (${formatEuro(d.creditCents)}) concernait des factures déjà réglées : elle est conservée en avoir sur votre compte et la régie va vérifier ce paiement en double avec vous.`]
        : d.creditCents
          ? ['Les factures choisies étaient déjà réglées : la régie va vérifier ce paiement en double avec vous.']
          : []),
      'Le reçu est disponible dans vos documents sur le portail famille.'
    ])
}
