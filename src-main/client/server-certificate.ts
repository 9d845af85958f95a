import { Agent, type AgentOptions, type RequestOptions } from 'node:https'
import type { Duplex } from 'node:stream'
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls'
import { isIP } from 'node:net'
import { DomainError } from '../core/errors'

/**
 * The certificate a server presents, read with a TLS handshake and nothing
 * else (no request is sent before the user has confirmed it).
 */
export interface PresentedCertificate {
  fingerprint: string
  subject: string
  validTo: string
}

function tlsOptions(origin: URL): ConnectionOptions {
  return {
    host: origin.hostname,
    port: Number(origin.port || 443),
    // The certificate is self-signed (or from the commune's own authority): trust comes from the pinned fingerprint, checked below.
    rejectUnauthorized: false,
    ...(isIP(origin.hostname) ? {} : { servername: origin.hostname })
  }
}

function unreachable(origin: string, e: unknown): DomainError {
  const code = (e as { code?: string }).code
  const why = code === 'ECONNREFUSED' ? 'il refuse la connexion (back-office non ouvert sur le réseau, ou mauvais port)'
    : code === 'ENOTFOUND' ? 'ce nom d’ordinateur est inconnu sur le réseau'
    : code === 'ECONNRESET' ? 'il a coupé la connexion (l’adresse de ce poste n’est peut-être pas autorisée dans Paramètres › Postes et tablettes)'
    : (e as Error)?.message ?? String(e)
  return new DomainError('server_unreachable', `Le serveur ${origin} ne répond pas : ${why}.`, 502)
}

export function presentedCertificate(socket: TLSSocket): PresentedCertificate | null {
  const c = socket.getPeerCertificate()
  if (!c || !c.fingerprint256) return null
  return { fingerprint: c.fingerprint256, subject: String(c.subject?.CN ?? ''), validTo: new Date(c.valid_to).toISOString() }
}

export function fetchCertificate(origin: string, timeoutMs = 10_000): Promise<PresentedCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect(tlsOptions(new URL(origin)))
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error('délai dépassé'), { code: 'ETIMEDOUT' })))
    socket.once('secureConnect', () => {
      const c = presentedCertificate(socket)
      socket.destroy()
      if (c) resolve(c)
      else reject(new DomainError('no_certificate', `Le serveur ${origin} n’a présenté aucun certificat.`, 502))
    })
    socket.once('error', (e) => reject(unreachable(origin, e)))
  })
}

/**
 * An HTTPS agent that hands a connection to a request only once its
 * certificate's fingerprint is the pinned one: every connection is checked,
 * not just the first, so a certificate swapped while the client runs is
 * refused too, before a byte of the request (cookies, password) is sent.
 */
export class PinnedAgent extends Agent {
  constructor(
    private readonly origin: string,
    private readonly fingerprint: string,
    private readonly onRefused: (shown: string) => void,
    opts: AgentOptions = {}
  ) {
    super({ keepAlive: true, ...opts })
  }

  override createConnection(_opts: RequestOptions, done?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const socket = connect(tlsOptions(new URL(this.origin)))
    const fail = (e: Error) => {
      socket.destroy()
      done?.(e, socket)
    }
    socket.once('secureConnect', () => {
      const shown = presentedCertificate(socket)?.fingerprint ?? '(aucun)'
      if (shown !== this.fingerprint) {
        this.onRefused(shown)
        return fail(new DomainError('certificate_changed', `Le certificat du serveur ${this.origin} a changé : connexion refusée.`, 502))
      }
      socket.removeListener('error', fail)
      done?.(null, socket)
    })
    socket.once('error', fail)
    return undefined
  }
}
