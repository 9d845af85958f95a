import { join } from 'node:path'
import { DomainError } from '../core/errors'
import { CHANGED_CERTIFICATE, KnownServers, serverOrigin } from './known-servers'
import { startPinnedProxy, type PinnedProxy } from './pinned-proxy'
import { fetchCertificate, type PresentedCertificate } from './server-certificate'

/**
 * `--server https://pc-accueil:5181`: this computer opens another one's
 * back-office instead of a local database. The first time, the user confirms
 * the certificate's fingerprint (shown on the server in Paramètres › Postes et
 * tablettes); after that the same certificate is required on every
 * connection, and a changed one is refused without a question: accepting it
 * takes an explicit `--forget-server` and a new confirmation.
 */
export interface RemoteOptions {
  /** Where the confirmed fingerprints are kept (the client's data directory). */
  dataDir: string
  /** Asked only for a server never confirmed: true to trust this certificate. */
  confirm: (origin: string, certificate: PresentedCertificate) => Promise<boolean>
  /** A certificate that changed while running (the connection was refused). */
  onRefused?: (message: string) => void
  now?: () => Date
  proxyPort?: number
}

export const knownServersFile = (dataDir: string) => join(dataDir, 'known-servers.json')

export async function openRemoteBackOffice(rawUrl: string, opts: RemoteOptions): Promise<PinnedProxy & { origin: string; fingerprint: string }> {
  const origin = serverOrigin(rawUrl)
  const known = new KnownServers(knownServersFile(opts.dataDir))
  const certificate = await fetchCertificate(origin)
  const verdict = known.verdict(origin, certificate.fingerprint)
  if (verdict.status === 'changed') throw new DomainError('certificate_changed', CHANGED_CERTIFICATE(origin, verdict.pinned, certificate.fingerprint), 502)
  if (verdict.status === 'new') {
    if (!(await opts.confirm(origin, certificate))) throw new DomainError('certificate_not_confirmed', `Empreinte non confirmée : Ribambelle ne se connecte pas à ${origin}.`, 400)
    known.confirm(origin, certificate.fingerprint, (opts.now ?? (() => new Date()))())
  }
  const pinned = certificate.fingerprint
  const proxy = await startPinnedProxy(origin, pinned, (shown) => opts.onRefused?.(CHANGED_CERTIFICATE(origin, pinned, shown)), opts.proxyPort)
  return { ...proxy, origin, fingerprint: pinned }
}

/** `--forget-server URL`: the user removes a pin on purpose (after checking the new fingerprint on the server). */
export function forgetServer(rawUrl: string, dataDir: string): boolean {
  return new KnownServers(knownServersFile(dataDir)).forget(serverOrigin(rawUrl))
}
