import { compose, type MailContext } from '../mail/templates'

/** The e-mails of the household's logins (logins.ts): an invitation, or, to an address that already has an account, a notice. */
export const loginMails = {
  invitation: (ctx: MailContext, d: { inviter: string; link: string; expires: string }) =>
    compose(ctx, 'Invitation au portail famille', [
      `${d.inviter} vous invite à accéder au portail famille de son foyer, avec votre propre identifiant (cette adresse e-mail) et votre propre mot de passe.`,
      `Pour choisir votre mot de passe, ouvrez ce lien avant le ${d.expires} ; il ne peut servir qu’une fois :`,
      d.link,
      "Si vous ne connaissez pas cette personne, ignorez ce message : aucun compte n'est créé sans vous."
    ]),
  /** Same moment, same queue as an invitation: whoever invites cannot tell which of the two went out. */
  alreadyHasAccount: (ctx: MailContext, d: { inviter: string }) =>
    compose(ctx, 'Invitation au portail famille', [
      `${d.inviter} a voulu vous inviter au portail famille de son foyer, mais cette adresse e-mail a déjà un compte sur le portail.`,
      'Un compte ne peut appartenir qu’à un seul foyer : rien n’a été changé au vôtre. Si vous devez accéder à ce foyer, utilisez une autre adresse e-mail ou contactez la structure.'
    ])
}
