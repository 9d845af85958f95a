import type { FastifyInstance } from 'fastify'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { renderCreditNote, renderInvoice, renderReceipt, renderStatement } from '../billing/documents/render'
import { storeReceiptDocument } from '../billing/payments/receipts'
import { IPN_PATH, PAYFIP_NOTIFY_PATH } from '../billing/payments/online'
import { PAYFIP_SIMULATOR_PREFIX, verifyPayfip } from '../billing/payments/payfip-orders'
import { payfipSimulator } from '../billing/payments/payfip-simulator'
import { handleIpn, SIMULATOR_PREFIX } from '../billing/payments/systempay-orders'
import { paymentSimulator } from '../billing/payments/simulator'
import { activeKey, getBillingSettings, simulatorAllowed } from '../billing/settings'
import { CreditNote, Invoice, Payment } from '../billing/entities'
import type { FamilyActor } from '../rpc/types'
import { parseId, registerFileSession, sendFile } from './file-routes'

export interface PortalBillingOptions {
  core: Core
  secret: string
  resolveActor(token: string | null): Promise<FamilyActor | null>
}

/**
 * Billing routes of the portal listener: the payment providers'
 * notifications (server-to-server, so no session and no CSRF: Systempay's
 * IPN is authenticated by its signature, PayFiP's by our own query to
 * PayFiP), the built-in simulators of both (demo and test mode only), and the PDF
 * downloads of the family's own invoices, receipts, credit notes and
 * statements (session + ownership; "not yours" answers 404 like "absent").
 */
export async function portalBillingPlugin(app: FastifyInstance, opts: PortalBillingOptions): Promise<void> {
  const { core } = opts

  await app.register(paymentSimulator, {
    prefix: SIMULATOR_PREFIX,
    // Never in a normal install, whatever the settings say: the simulator would let a family mark invoices paid without paying.
    credentials: async () => {
      if (!simulatorAllowed(core.options.runMode)) return null
      const s = await core.tx.read((m) => getBillingSettings(m))
      return s.onlineEnabled && s.provider === 'systempay' && s.simulated && activeKey(s) ? { siteId: s.siteId, key: activeKey(s) } : null
    },
    now: () => core.clock.now()
  })

  await app.register(payfipSimulator, {
    prefix: PAYFIP_SIMULATOR_PREFIX,
    numcli: async () => {
      if (!simulatorAllowed(core.options.runMode)) return null
      const s = await core.tx.read((m) => getBillingSettings(m))
      return s.onlineEnabled && s.provider === 'payfip' && s.simulated && s.payfipNumcli ? s.payfipNumcli : null
    },
    now: () => core.clock.now()
  })

  await app.register(async (ipn) => {
    ipn.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })
    ipn.post(IPN_PATH, async (req, reply) => {
      const fields = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
      const r = await handleIpn(core, fields)
      // Receipts are documents for the family; made after the commit, and a failure here never undoes the payment.
      for (const id of r.paymentIds) {
        await storeReceiptDocument(core, id).catch((e) => core.options.log(`Reçu du règlement ${id} : ${(e as Error).message}`))
      }
      return reply.status(r.status).type('text/plain; charset=utf-8').send(r.body)
    })
    // PayFiP sends only the operation id (query string or form); what happened is asked to PayFiP itself.
    const payfip = async (idop: unknown, reply: import('fastify').FastifyReply) => {
      let r
      try {
        r = await verifyPayfip(core, String(idop ?? ''))
      } catch (e) {
        core.options.log(`Notification PayFiP ${String(idop)} : ${(e as Error).message}`)
        return reply.status(503).type('text/plain; charset=utf-8').send('KO : PayFiP injoignable, réessayez')
      }
      for (const id of r.paymentIds) {
        await storeReceiptDocument(core, id).catch((e) => core.options.log(`Reçu du règlement ${id} : ${(e as Error).message}`))
      }
      return reply.status(r.status).type('text/plain; charset=utf-8').send(r.body)
    }
    ipn.post<{ Querystring: { idop?: string } }>(PAYFIP_NOTIFY_PATH, async (req, reply) => payfip(((req.body ?? {}) as Record<string, unknown>).idop ?? req.query.idop, reply))
    ipn.get<{ Querystring: { idop?: string } }>(PAYFIP_NOTIFY_PATH, async (req, reply) => payfip(req.query.idop, reply))
  })

  await app.register(async (files) => {
    const family = await registerFileSession(files, { cookieName: 'rb_portal', secret: opts.secret, resolveActor: opts.resolveActor })
    const owned = async (familyId: number | undefined, actor: FamilyActor) => {
      if (familyId !== actor.familyId) throw new DomainError('not_found', 'Élément introuvable.', 404)
    }
    files.get<{ Params: { id: string } }>('/api/portal/billing/invoice/:id', async (req, reply) => {
      const actor = await family(req)
      const id = parseId(req.params.id)
      await owned((await core.tx.read((m) => m.findOneBy(Invoice, { id })))?.familyId, actor)
      const f = await renderInvoice(core, id)
      return sendFile(reply, { name: f.filename, mime: 'application/pdf' }, f.data)
    })
    files.get<{ Params: { id: string } }>('/api/portal/billing/credit-note/:id', async (req, reply) => {
      const actor = await family(req)
      const id = parseId(req.params.id)
      await owned((await core.tx.read((m) => m.findOneBy(CreditNote, { id })))?.familyId, actor)
      const f = await renderCreditNote(core, id)
      return sendFile(reply, { name: f.filename, mime: 'application/pdf' }, f.data)
    })
    files.get<{ Params: { id: string } }>('/api/portal/billing/receipt/:id', async (req, reply) => {
      const actor = await family(req)
      const id = parseId(req.params.id)
      await owned((await core.tx.read((m) => m.findOneBy(Payment, { id })))?.familyId, actor)
      const f = await renderReceipt(core, id)
      return sendFile(reply, { name: f.filename, mime: 'application/pdf' }, f.data)
    })
    files.get<{ Params: { year: string } }>('/api/portal/billing/statement/:year', async (req, reply) => {
      const actor = await family(req)
      const m = /^(\d{4})-(\d{4})$/.exec(req.params.year)
      if (!m || Number(m[2]) !== Number(m[1]) + 1) throw new DomainError('not_found', 'Élément introuvable.', 404)
      const f = await renderStatement(core, actor.familyId, req.params.year)
      return sendFile(reply, { name: f.filename, mime: 'application/pdf' }, f.data)
    })
  })
}
