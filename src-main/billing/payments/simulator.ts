/**
 * A payment page that speaks the Systempay form protocol, for demos and
 * tests (no bank is ever contacted). It checks the signed form like the
 * gateway does, shows a card form, then — like the real gateway — sends the
 * signed IPN server-to-server to `vads_url_check` and only afterwards sends
 * the browser back to `vads_url_return`.
 *
 * Test cards: any number is accepted, except one ending in 0002 (refused).
 * It is mounted on the portal listener under /simulateur-paiement and answers
 * 404 unless the structure chose the simulator as provider.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import escapeHtml from 'escape-html'
import { formatEuro } from '@shared/billing/money'
import { computeSignature, transDate, verifySignature } from './systempay'
import { postForm } from './http'

export interface SimulatorOptions {
  /** Shop credentials to check and sign with, or null when the simulator is off. */
  credentials(): Promise<{ siteId: string; key: string } | null>
  /** Sends the IPN; default: a form POST to the URL (self-signed certificates accepted on loopback only). */
  deliver?(url: string, fields: Record<string, string>): Promise<number>
  now?(): Date
}

/** The notifications it sent, newest last (tests replay them to check idempotence). */
export const sentNotifications: { url: string; fields: Record<string, string>; status: number }[] = []

const pending = new Map<string, { fields: Record<string, string>; expires: number }>()

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:Arial,sans-serif;background:#f3f4f6;color:#111827;margin:0}
main{max-width:440px;margin:24px auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.3rem;margin:0 0 4px}
.note{background:#fef3c7;border:1px solid #b45309;color:#78350f;padding:8px;border-radius:4px;font-size:.9rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px}dt{color:#374151}dd{margin:0;font-weight:bold}
label{display:block;margin-top:12px;font-weight:bold}input{font-size:1rem;padding:8px;width:100%;box-sizing:border-box;border:1px solid #6b7280;border-radius:4px}
.row{display:flex;gap:12px}.row>div{flex:1}
button{margin-top:16px;font-size:1rem;padding:10px 16px;border-radius:4px;border:1px solid #1e3a8a;cursor:pointer}
.pay{background:#1e3a8a;color:#fff}.cancel{background:#fff;color:#1e3a8a}
</style></head><body><main>${body}</main></body></html>`
}

export async function paymentSimulator(app: FastifyInstance, opts: SimulatorOptions): Promise<void> {
  const now = opts.now ?? (() => new Date())
  const deliver = opts.deliver ?? postForm
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })

  app.post('/vads-payment/', async (req, reply) => {
    const creds = await opts.credentials()
    if (!creds) return reply.status(404).type('text/plain; charset=utf-8').send('Simulateur de paiement désactivé.')
    const fields = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
    const problems: string[] = []
    if (!verifySignature(fields, creds.key)) problems.push('signature invalide')
    if (fields.vads_site_id !== creds.siteId) problems.push('boutique inconnue')
    if (!/^\d+$/.test(fields.vads_amount ?? '')) problems.push('montant invalide')
    if (fields.vads_currency !== '978') problems.push('devise non gérée')
    if (!/^\d{14}$/.test(fields.vads_trans_date ?? '')) problems.push('date de transaction invalide')
    if (problems.length) {
      return reply.status(400).type('text/html; charset=utf-8').send(page('Erreur de paiement', `<h1>Paiement impossible</h1><p>Le formulaire reçu est refusé : ${escapeHtml(problems.join(', '))}.</p>`))
    }
    const token = randomBytes(16).toString('hex')
    pending.set(token, { fields, expires: Date.now() + 30 * 60_000 })
    for (const [k, v] of pending) if (v.expires < Date.now()) pending.delete(k)
    return reply.type('text/html; charset=utf-8').send(
      page(
        'Paiement sécurisé – simulateur',
        `<h1>Paiement sécurisé</h1>
<p class="note" role="note">Simulateur de paiement de démonstration : aucune banque n’est contactée. Toute carte est acceptée, sauf un numéro finissant par 0002 (refusé).</p>
<dl><dt>Identifiant du marchand</dt><dd>${escapeHtml(fields.vads_site_id)}</dd>
<dt>Référence commande</dt><dd>${escapeHtml(fields.vads_order_id ?? '')}</dd>
<dt>Montant</dt><dd>${escapeHtml(formatEuro(Number(fields.vads_amount)))}</dd></dl>
<form method="post" action="confirm">
<input type="hidden" name="token" value="${token}">
<label for="card">Numéro de carte</label><input id="card" name="card" inputmode="numeric" autocomplete="cc-number" value="4970 1000 0000 0003">
<div class="row"><div><label for="exp">Expiration (MM/AA)</label><input id="exp" name="exp" autocomplete="cc-exp" value="12/30"></div>
<div><label for="cvv">Cryptogramme visuel</label><input id="cvv" name="cvv" inputmode="numeric" autocomplete="cc-csc" value="123"></div></div>
<button class="pay" type="submit" name="action" value="pay">Valider le paiement</button>
<button class="cancel" type="submit" name="action" value="cancel">Annuler et revenir</button>
</form>`
      )
    )
  })

  app.post('/vads-payment/confirm', async (req, reply) => {
    const creds = await opts.credentials()
    if (!creds) return reply.status(404).send('Simulateur de paiement désactivé.')
    const body = (req.body ?? {}) as Record<string, string>
    const entry = pending.get(String(body.token ?? ''))
    if (!entry) return reply.status(400).type('text/html; charset=utf-8').send(page('Erreur', '<h1>Session de paiement expirée</h1><p>Recommencez depuis le portail famille.</p>'))
    pending.delete(String(body.token))
    const f = entry.fields
    const cancelled = body.action === 'cancel'
    const refused = !cancelled && String(body.card ?? '').replace(/\D/g, '').endsWith('0002')
    const status = cancelled ? 'ABANDONED' : refused ? 'REFUSED' : 'AUTHORISED'
    const at = now()
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(f)) if (k.startsWith('vads_') && !['vads_url_return', 'vads_url_check', 'vads_return_mode'].includes(k)) out[k] = v
    Object.assign(out, {
      vads_trans_status: status,
      vads_result: cancelled ? '17' : refused ? '05' : '00',
      vads_auth_result: cancelled ? '' : refused ? '05' : '00',
      vads_url_check_src: 'PAY',
      vads_operation_type: 'DEBIT',
      vads_trans_uuid: randomUUID().replace(/-/g, ''),
      vads_effective_amount: f.vads_amount,
      vads_effective_creation_date: transDate(at),
      vads_card_brand: cancelled ? '' : 'CB',
      vads_card_number: cancelled ? '' : `497010XXXXXX${String(body.card ?? '').replace(/\D/g, '').slice(-4)}`
    })
    out.signature = computeSignature(out, creds.key)
    if (f.vads_url_check) {
      let code = 0
      try {
        code = await deliver(f.vads_url_check, out)
      } catch (e) {
        req.log.warn({ err: e }, 'simulated IPN delivery failed')
      }
      sentNotifications.push({ url: f.vads_url_check, fields: out, status: code })
      if (sentNotifications.length > 100) sentNotifications.shift()
    }
    const back = f.vads_url_return
    const target = back ? `${back}${back.includes('?') ? '&' : '?'}${new URLSearchParams({ vads_order_id: f.vads_order_id ?? '', vads_trans_status: status })}` : null
    return reply.type('text/html; charset=utf-8').send(
      page(
        'Paiement terminé',
        `<h1>${cancelled ? 'Paiement annulé' : refused ? 'Paiement refusé' : 'Paiement accepté'}</h1>
<p>${cancelled ? 'Vous avez annulé le paiement.' : refused ? 'Votre banque a refusé le paiement. Aucune somme n’a été débitée.' : `Votre paiement de ${escapeHtml(formatEuro(Number(f.vads_amount)))} est accepté.`}</p>
${target ? `<p><a href="${escapeHtml(target)}">Retourner sur le portail famille</a></p>` : ''}`
      )
    )
  })
}
