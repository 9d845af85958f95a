import { X509Certificate, createPrivateKey } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname, networkInterfaces } from 'node:os'
import { join } from 'node:path'
import selfsigned from 'selfsigned'
import { DomainError } from '../core/errors'

export type TlsMode = 'self-signed' | 'operator' | 'reverse-proxy'

export interface TlsMaterial {
  cert: string
  key: string
  fingerprint: string
  expiresAt: string
}

/** LAN IPv4 addresses, for the certificate's names and the URLs printed at start. */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i): i is NonNullable<typeof i> => !!i && i.family === 'IPv4' && !i.internal)
    .map((i) => i.address)
}

function describe(cert: string, key: string): TlsMaterial {
  const x = new X509Certificate(cert)
  return { cert, key, fingerprint: x.fingerprint256, expiresAt: new Date(x.validTo).toISOString() }
}

/**
 * The self-signed certificate made at first start, kept in the data
 * directory so its fingerprint stays the same (families and staff can check
 * it once). It is regenerated when it nears expiry.
 */
export function selfSignedMaterial(tlsDir: string): TlsMaterial {
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 })
  const certFile = join(tlsDir, 'self-signed.crt')
  const keyFile = join(tlsDir, 'self-signed.key')
  if (existsSync(certFile) && existsSync(keyFile)) {
    const m = describe(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'))
    if (new Date(m.expiresAt).getTime() - Date.now() > 30 * 86400_000) return m
  }
  const altNames = [
    { type: 2, value: 'localhost' },
    { type: 2, value: hostname() },
    { type: 7, ip: '127.0.0.1' },
    ...lanAddresses().map((ip) => ({ type: 7, ip }))
  ]
  const pems = selfsigned.generate([{ name: 'commonName', value: `Ribambelle ${hostname()}` }], {
    days: 825,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames }
    ]
  })
  writeFileSync(certFile, pems.cert, { mode: 0o600 })
  writeFileSync(keyFile, pems.private, { mode: 0o600 })
  return describe(pems.cert, pems.private)
}

/**
 * Checks an operator's certificate and key belong together before saving them. `name` keeps the portal's
 * (`operator`) apart from the back-office on the LAN's (`staff-operator`): they usually name different hosts.
 */
export function saveOperatorMaterial(tlsDir: string, cert: string, key: string, name = 'operator'): TlsMaterial {
  let x: X509Certificate
  try {
    x = new X509Certificate(cert)
  } catch {
    throw new DomainError('bad_certificate', 'Le certificat fourni n’est pas un certificat PEM valide.', 400, { certPem: 'invalide' })
  }
  let k
  try {
    k = createPrivateKey(key)
  } catch {
    throw new DomainError('bad_key', 'La clé privée fournie n’est pas une clé PEM valide.', 400, { keyPem: 'invalide' })
  }
  if (!x.checkPrivateKey(k)) throw new DomainError('key_mismatch', 'La clé privée ne correspond pas au certificat.', 400, { keyPem: 'ne correspond pas' })
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 })
  writeFileSync(join(tlsDir, `${name}.crt`), cert, { mode: 0o600 })
  writeFileSync(join(tlsDir, `${name}.key`), key, { mode: 0o600 })
  return describe(cert, key)
}

export function operatorMaterial(tlsDir: string, name = 'operator'): TlsMaterial | null {
  const c = join(tlsDir, `${name}.crt`)
  const k = join(tlsDir, `${name}.key`)
  return existsSync(c) && existsSync(k) ? describe(readFileSync(c, 'utf8'), readFileSync(k, 'utf8')) : null
}

/**
 * Expiry of the certificate the portal serves in `mode`, read from the data
 * directory without creating anything (null: none yet, or a reverse proxy's).
 */
export function certificateExpiry(tlsDir: string, mode: TlsMode): string | null {
  if (mode === 'reverse-proxy') return null
  const file = join(tlsDir, mode === 'operator' && existsSync(join(tlsDir, 'operator.crt')) ? 'operator.crt' : 'self-signed.crt')
  if (!existsSync(file)) return null
  try {
    return new Date(new X509Certificate(readFileSync(file, 'utf8')).validTo).toISOString()
  } catch {
    return null
  }
}
