/**
 * A PayFiP that speaks the same protocol, for demos and tests (no bank, no
 * DGFiP): the SOAP web service (creerPaiementSecurise checks the request like
 * PayFiP and returns an idOp; recupererDetailPaiementSecurise answers with
 * the result, or the faults P5 "not finished" / P1 "unknown"), and the
 * payment page `paiementws.web?idop=…`. Once the family has paid, refused or
 * given up, it calls `urlnotif` with the idop only, server to server, then
 * offers the way back to `urlredirect`.
 *
 * Test cards: any number, except one ending in 0002 (refused). Mounted on the
 * portal listener under /simulateur-payfip; 404 unless the structure chose
 * PayFiP's simulator and the app runs as a demo or in the test mode.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import escapeHtml from 'escape-html'
import { formatEuro } from '@shared/billing/money'
import { parisDay } from '../../core/clock'
import { postForm } from './http'
import { payfipRequestProblems, readSoap, soapFault, soapResponse, type PayfipDetail, type PayfipRequest } from './payfip'
import { page } from './simulator'

export interface PayfipSimulatorOptions {
  /** The client number the simulator accepts, or null when it is off. */
  numcli(): Promise<string | null>
  now?(): Date
}

interface Operation {
  request: PayfipRequest
  result: PayfipDetail | null
  created: number
}

const operations = new Map<string, Operation>()
/** Notifications sent to urlnotif, newest last (tests replay them). */
export const payfipNotifications: { url: string; idop: string; status: number }[] = []

export async function payfipSimulator(app: FastifyInstance, opts: PayfipSimulatorOptions): Promise<void> {
  const now = opts.now ?? (() => new Date())
  app.addContentTypeParser(['text/xml', 'application/soap+xml'], { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body))
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })
  const xml = (reply: import('fastify').FastifyReply, status: number, body: string) => reply.status(status).type('text/xml; charset=utf-8').send(body)

  app.post('/services/securite', async (req, reply) => {
    const numcli = await opts.numcli()
    if (!numcli) return reply.status(404).type('text/plain; charset=utf-8').send('Simulateur PayFiP désactivé.')
    const r = readSoap(String(req.body ?? ''))
    if ('fault' in r) return xml(reply, 500, soapFault('P0', 'Requête SOAP illisible'))
    const f = r.fields
    if (r.operation === 'creerPaiementSecurise') {
      const request: PayfipRequest = {
        numcli: f.numcli ?? '',
        exer: f.exer ?? '',
        refdet: f.refdet ?? '',
        objet: f.objet ?? '',
        montant: Number(f.montant),
        mel: f.mel ?? '',
        saisie: (f.saisie ?? '') as PayfipRequest['saisie'],
        urlnotif: f.urlnotif ?? '',
        urlredirect: f.urlredirect ?? ''
      }
      const problems = payfipRequestProblems(request)
      if (request.numcli !== numcli) problems.push('numéro client inconnu')
      if (problems.length) return xml(reply, 500, soapFault('P2', `Paramètres invalides : ${problems.join(' ; ')}`))
      const idOp = randomUUID()
      operations.set(idOp, { request, result: null, created: Date.now() })
      for (const [k, v] of operations) if (v.created < Date.now() - 24 * 3600_000) operations.delete(k)
      return xml(reply, 200, soapResponse('creerPaiementSecurise', { idOp }))
    }
    if (r.operation === 'recupererDetailPaiementSecurise') {
      const op = operations.get(f.idOp ?? '')
      if (!op) return xml(reply, 500, soapFault('P1', 'Opération inconnue'))
      if (!op.result) return xml(reply, 500, soapFault('P5', 'Paiement non finalisé'))
      return xml(reply, 200, soapResponse('recupererDetailPaiementSecurise', Object.fromEntries(Object.entries(op.result).map(([k, v]) => [k, String(v)]))))
    }
    return xml(reply, 500, soapFault('P0', `Opération ${r.operation} non prise en charge`))
  })

  app.get<{ Querystring: { idop?: string } }>('/tpa/paiementws.web', async (req, reply) => {
    if (!(await opts.numcli())) return reply.status(404).type('text/plain; charset=utf-8').send('Simulateur PayFiP désactivé.')
    const idop = String(req.query.idop ?? '')
    const op = operations.get(idop)
    if (!op || op.result) {
      return reply.status(400).type('text/html; charset=utf-8').send(page('PayFiP – erreur', '<h1>Opération inconnue ou terminée</h1><p>Recommencez depuis le portail famille.</p>'))
    }
    const q = op.request
    return reply.type('text/html; charset=utf-8').send(
      page(
        'PayFiP – paiement de votre titre (simulateur)',
        `<h1>Paiement sécurisé PayFiP</h1>
<p class="note" role="note">Simulateur PayFiP de démonstration : ni la DGFiP ni aucune banque n’est contactée. Toute carte est acceptée, sauf un numéro finissant par 0002 (refusé).</p>
<dl><dt>Identifiant de la collectivité</dt><dd>${escapeHtml(q.numcli)}</dd>
<dt>Référence de la dette</dt><dd>${escapeHtml(q.refdet)}</dd>
<dt>Exercice</dt><dd>${escapeHtml(q.exer)}</dd>
<dt>Objet</dt><dd>${escapeHtml(q.objet)}</dd>
<dt>Montant</dt><dd>${escapeHtml(formatEuro(q.montant))}</dd></dl>
<form method="post" action="paiementws.web/confirm">
<input type="hidden" name="idop" value="${escapeHtml(idop)}">
<label for="card">Numéro de carte</label><input id="card" name="card" inputmode="numeric" autocomplete="cc-number" value="4970 1000 0000 0003">
<div class="row"><div><label for="exp">Expiration (MM/AA)</label><input id="exp" name="exp" autocomplete="cc-exp" value="12/30"></div>
<div><label for="cvv">Cryptogramme visuel</label><input id="cvv" name="cvv" inputmode="numeric" autocomplete="cc-csc" value="123"></div></div>
<button class="pay" type="submit" name="action" value="pay">Payer</button>
<button class="cancel" type="submit" name="action" value="cancel">Abandonner</button>
</form>`
      )
    )
  })

  app.post('/tpa/paiementws.web/confirm', async (req, reply) => {
    if (!(await opts.numcli())) return reply.status(404).send('Simulateur PayFiP désactivé.')
    const body = (req.body ?? {}) as Record<string, string>
    const idop = String(body.idop ?? '')
    const op = operations.get(idop)
    if (!op || op.result) return reply.status(400).type('text/html; charset=utf-8').send(page('PayFiP – erreur', '<h1>Opération inconnue ou terminée</h1>'))
    const cancelled = body.action === 'cancel'
    const refused = !cancelled && String(body.card ?? '').replace(/\D/g, '').endsWith('0002')
    const at = now()
    const day = parisDay(at)
    const time = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hour12: false }).format(at).replace(':', '')
    op.result = {
      idOp: idop,
      numcli: op.request.numcli,
      exer: op.request.exer,
      refdet: op.request.refdet,
      objet: op.request.objet,
      montant: op.request.montant,
      mel: op.request.mel,
      saisie: op.request.saisie,
      resultrans: cancelled ? 'A' : refused ? 'R' : 'P',
      numauto: cancelled || refused ? '' : String(Math.floor(100000 + Math.random() * 900000)),
      dattrans: `${day.slice(8, 10)}${day.slice(5, 7)}${day.slice(0, 4)}`,
      heurtrans: time
    }
    let code = 0
    try {
      code = await postForm(op.request.urlnotif, { idop })
    } catch (e) {
      req.log.warn({ err: e }, 'simulated PayFiP notification failed')
    }
    payfipNotifications.push({ url: op.request.urlnotif, idop, status: code })
    if (payfipNotifications.length > 100) payfipNotifications.shift()
    const back = op.request.urlredirect
    return reply.type('text/html; charset=utf-8').send(
      page(
        'PayFiP – paiement terminé',
        `<h1>${cancelled ? 'Paiement abandonné' : refused ? 'Paiement refusé' : 'Paiement accepté'}</h1>
<p>${cancelled ? 'Vous avez abandonné le paiement.' : refused ? 'Votre banque a refusé le paiement. Aucune somme n’a été débitée.' : `Votre paiement de ${escapeHtml(formatEuro(op.request.montant))} au Trésor public est accepté.`}</p>
<p><a href="${escapeHtml(back)}">Retourner sur le portail famille</a></p>`
      )
    )
  })
}
