import escapeHtml from 'escape-html'

export interface RenderedMail {
  subject: string
  text: string
  html: string
}

export interface MailContext {
  structureName: string
  structureEmail: string
  structurePhone: string
  portalUrl: string
}

/** A paragraph whose HTML is not its escaped text (a table): `html` is trusted markup, built escaped by the caller. */
export interface RichParagraph {
  text: string
  html: string
}

/**
 * Builds a French e-mail from paragraphs: the plain-text part is the source
 * of truth, the HTML part is the same paragraphs escaped (or a rich
 * paragraph's own markup).
 */
export function compose(ctx: MailContext, subject: string, paragraphs: (string | RichParagraph)[], greeting = 'Bonjour,'): RenderedMail {
  const signature = [ctx.structureName, ctx.structurePhone, ctx.structureEmail].filter(Boolean)
  const body = [greeting, ...paragraphs, 'Cordialement,', signature.join('\n')]
  const footer = "Ce message vous est envoyé automatiquement par le portail famille. Merci de ne pas y répondre directement."
  const text = `${body.map((p) => (typeof p === 'string' ? p : p.text)).join('\n\n')}\n\n--\n${footer}\n`
  const html =
    `<!doctype html><html lang="fr"><body style="font-family:Arial,sans-serif;line-height:1.5;color:#1f2937">` +
    body.map((p) => (typeof p === 'string' ? `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>` : p.html)).join('') +
    `<hr><p style="font-size:12px;color:#4b5563">${escapeHtml(footer)}</p></body></html>`
  return { subject: `[${ctx.structureName}] ${subject}`, text, html }
}

export const templates = {
  registrationReceived: (ctx: MailContext, d: { name: string }) =>
    compose(ctx, 'Demande de création de compte reçue', [
      `Nous avons bien reçu votre demande de création de compte sur le portail famille pour ${d.name}.`,
      'Votre compte doit être validé par la structure avant la première connexion. Vous recevrez un e-mail dès que ce sera fait.'
    ]),
  registrationAccepted: (ctx: MailContext, d: { name: string; login: string; familyNumber: number }) =>
    compose(ctx, 'Votre compte est validé', [
      `Votre compte sur le portail famille est validé (N° famille ${d.familyNumber}).`,
      `Vous pouvez vous connecter avec votre identifiant « ${d.login} » et le mot de passe choisi lors de votre inscription :\n${ctx.portalUrl}`,
      'Pensez à compléter votre dossier famille (enfants, autorisations, informations sanitaires).'
    ]),
  registrationRefused: (ctx: MailContext, d: { name: string; reason: string }) =>
    compose(ctx, "Votre demande de compte n'a pas été acceptée", [
      `Votre demande de création de compte sur le portail famille n'a pas été acceptée.`,
      `Motif : ${d.reason}`,
      'Pour toute question, contactez la structure.'
    ]),
  accountCreated: (ctx: MailContext, d: { login: string; password: string; familyNumber: number }) =>
    compose(ctx, 'Vos identifiants pour le portail famille', [
      `Un compte a été créé pour votre famille (N° famille ${d.familyNumber}) sur le portail famille : ${ctx.portalUrl}`,
      `Identifiant : ${d.login}\nMot de passe provisoire : ${d.password}`,
      'Vous devrez choisir un nouveau mot de passe à la première connexion.'
    ]),
  passwordReset: (ctx: MailContext, d: { link: string }) =>
    compose(ctx, 'Réinitialisation de votre mot de passe', [
      'Vous avez demandé à réinitialiser votre mot de passe. Ce lien est valable une heure et ne peut servir qu’une fois :',
      d.link,
      "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé."
    ]),
  /** Sent once per day at most when wrong passwords pile up on an account (accounts/throttle.ts). */
  loginAttempts: (ctx: MailContext, d: { login: string; failures: number; since: string; portal: boolean }) =>
    compose(ctx, 'Tentatives de connexion à votre compte', [
      `Depuis le ${d.since}, ${d.failures} tentatives de connexion avec un mot de passe incorrect ont visé votre compte « ${d.login} ».`,
      'Si c’était vous, il n’y a rien à faire. Sinon, quelqu’un essaie peut-être de deviner votre mot de passe : les essais sont ralentis, votre compte n’est pas bloqué et vous pouvez continuer à vous connecter depuis vos appareils habituels.',
      d.portal
        ? 'Par précaution, choisissez un mot de passe que vous n’utilisez nulle part ailleurs (Mon compte, ou « Mot de passe oublié » sur la page de connexion si vous ne parvenez pas à vous connecter).'
        : 'Par précaution, choisissez un mot de passe que vous n’utilisez nulle part ailleurs, et prévenez la direction si ces tentatives ne viennent pas de vous.'
    ]),
  smtpTest: (ctx: MailContext) =>
    compose(ctx, "E-mail d'essai", ['Ceci est un e-mail d’essai envoyé depuis Ribambelle. La configuration SMTP fonctionne.'])
}
