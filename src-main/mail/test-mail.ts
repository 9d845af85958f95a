import type { Core } from '../core/app-core'
import { getSmtp } from '../settings/settings'
import { createTransport, mailContext } from './outbox'
import { templates } from './templates'

/**
 * "Envoyer un e-mail d'essai": sent directly (not through the outbox) so the
 * person at the settings screen sees the SMTP server's answer at once.
 */
export async function sendTestMail(core: Core, to: string): Promise<{ ok: boolean; message: string }> {
  const { smtp, ctx } = await core.tx.read(async (m) => ({ smtp: await getSmtp(m), ctx: await mailContext(m, core.runtime.portalUrl) }))
  if (!smtp.host) return { ok: false, message: 'Aucun serveur SMTP n’est configuré.' }
  const mail = templates.smtpTest(ctx)
  const transport = createTransport(smtp)
  try {
    await transport.sendMail({ from: smtp.from || smtp.user, to, subject: mail.subject, text: mail.text, html: mail.html })
    return { ok: true, message: `E-mail d’essai envoyé à ${to}.` }
  } catch (e) {
    return { ok: false, message: `Échec de l’envoi : ${(e as Error).message}` }
  } finally {
    transport.close()
  }
}
