import { compose, type MailContext } from '../mail/templates'

/** French e-mails of the family file, messaging and documents (#3). Plain text is the source; HTML is escaped. */
export const familyFileTemplates = {
  fileChangeAccepted: (ctx: MailContext, d: { section: string; fields: string[]; date: string }) =>
    compose(ctx, 'Votre demande de modification est acceptée', [
      `Votre demande de modification du dossier famille (${d.section}) du ${d.date} a été acceptée.`,
      d.fields.length ? `Informations mises à jour : ${d.fields.join(', ')}.` : '',
      `Vous pouvez consulter votre dossier sur le portail famille : ${ctx.portalUrl}`
    ].filter(Boolean)),
  fileChangeRefused: (ctx: MailContext, d: { section: string; fields: string[]; date: string; reason: string }) =>
    compose(ctx, 'Votre demande de modification n’a pas été acceptée', [
      `Votre demande de modification du dossier famille (${d.section}) du ${d.date} n’a pas été acceptée.`,
      d.fields.length ? `Informations concernées : ${d.fields.join(', ')}.` : '',
      `Motif : ${d.reason}`,
      'Pour toute question, écrivez-nous depuis la messagerie du portail famille.'
    ].filter(Boolean)),
  childAddAccepted: (ctx: MailContext, d: { child: string; date: string }) =>
    compose(ctx, 'Ajout d’un enfant accepté', [
      `Votre demande d’ajout de l’enfant ${d.child} du ${d.date} a été acceptée : ${d.child} figure désormais dans votre dossier famille.`,
      `Vous pouvez maintenant demander ses inscriptions depuis le portail famille : ${ctx.portalUrl}`
    ]),
  childAddRefused: (ctx: MailContext, d: { child: string; date: string; reason: string }) =>
    compose(ctx, 'Ajout d’un enfant non accepté', [
      `Votre demande d’ajout de l’enfant ${d.child} du ${d.date} n’a pas été acceptée.`,
      `Motif : ${d.reason}`
    ]),
  messageReceived: (ctx: MailContext, d: { subject: string; service: string }) =>
    compose(ctx, 'Nous avons bien reçu votre message', [
      `Nous avons bien reçu votre message « ${d.subject} » (service : ${d.service}).`,
      'Nous vous répondrons dans la messagerie du portail famille.'
    ]),
  newMessage: (ctx: MailContext, d: { subject: string; body: string }) =>
    compose(ctx, d.subject, [
      d.body,
      `Vous pouvez lire ce message et y répondre dans la messagerie du portail famille : ${ctx.portalUrl}`
    ]),
  documentDecided: (ctx: MailContext, d: { title: string; accepted: boolean; reason: string }) =>
    compose(ctx, d.accepted ? 'Document accepté' : 'Document refusé', [
      d.accepted ? `Le document « ${d.title} » que vous nous avez envoyé a été accepté.` : `Le document « ${d.title} » que vous nous avez envoyé n’a pas été accepté.`,
      !d.accepted && d.reason ? `Motif : ${d.reason}` : '',
      !d.accepted ? 'Vous pouvez en envoyer un nouveau depuis « Mes envois » sur le portail famille.' : ''
    ].filter(Boolean)),
  newDocument: (ctx: MailContext, d: { title: string }) =>
    compose(ctx, 'Un nouveau document vous attend', [
      `La structure a déposé le document « ${d.title} » dans votre espace sur le portail famille : ${ctx.portalUrl}`
    ])
}
