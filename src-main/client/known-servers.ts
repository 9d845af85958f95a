import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { DomainError } from '../core/errors'
import { writeFileAtomic } from '../db/durable-files'

/**
 * The Ribambelle servers this computer has agreed to use as a client
 * (`--server https://pc-accueil:5181`), each with the SHA-256 fingerprint of
 * the certificate the user confirmed the first time (trust on first use, like
 * SSH's known_hosts). A server that later shows another certificate is
 * refused: only the user, after checking the new fingerprint in the server's
 * Paramètres › Postes et tablettes, forgets the old one (`--forget-server`).
 */
export interface KnownServer {
  fingerprint: string
  confirmedAt: string
}

export type TrustVerdict = { status: 'trusted' } | { status: 'new' } | { status: 'changed'; pinned: string }

export const CHANGED_CERTIFICATE = (origin: string, pinned: string, shown: string) =>
  `Le certificat du serveur ${origin} a changé : connexion refusée.\n` +
  `  Empreinte confirmée : ${pinned}\n` +
  `  Empreinte présentée : ${shown}\n` +
  'Si la direction a changé le certificat, comparez la nouvelle empreinte avec celle de Paramètres › Postes et tablettes sur le poste serveur, ' +
  'puis relancez avec --forget-server. Sinon, quelqu’un se fait peut-être passer pour le serveur : prévenez la direction.'

/** `https://host:port` with the port made explicit, the key of a pin; anything else than an https origin is refused in French. */
export function serverOrigin(raw: string): string {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    throw new DomainError('bad_server', `Adresse de serveur invalide : « ${raw} ». Exemple : https://pc-accueil:5181`, 400)
  }
  if (u.protocol !== 'https:') throw new DomainError('bad_server', 'Le back-office d’un autre poste s’ouvre uniquement en HTTPS (adresse en https://…).', 400)
  if (u.username || u.password) throw new DomainError('bad_server', 'L’adresse du serveur ne doit pas contenir d’identifiant ni de mot de passe.', 400)
  return `https://${u.hostname}:${u.port || '443'}`
}

export class KnownServers {
  constructor(private readonly file: string) {}

  private read(): Record<string, KnownServer> {
    if (!existsSync(this.file)) return {}
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, KnownServer>
    } catch {
      // A damaged file must not become "no pin": refuse until the user looks at it.
      throw new DomainError('known_servers_damaged', `Le fichier des serveurs de confiance est illisible (${this.file}) : corrigez-le ou supprimez-le, puis reconfirmez les empreintes.`, 500)
    }
  }

  get(origin: string): KnownServer | null {
    return this.read()[origin] ?? null
  }

  verdict(origin: string, fingerprint: string): TrustVerdict {
    const known = this.get(origin)
    if (!known) return { status: 'new' }
    return known.fingerprint === fingerprint ? { status: 'trusted' } : { status: 'changed', pinned: known.fingerprint }
  }

  confirm(origin: string, fingerprint: string, now: Date): void {
    const all = this.read()
    all[origin] = { fingerprint, confirmedAt: now.toISOString() }
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 })
    writeFileAtomic(this.file, JSON.stringify(all, null, 2) + '\n')
  }

  forget(origin: string): boolean {
    const all = this.read()
    if (!all[origin]) return false
    delete all[origin]
    writeFileAtomic(this.file, JSON.stringify(all, null, 2) + '\n')
    return true
  }
}
