import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { installationSecret } from '../core/installation-secret'

/**
 * TOTP secrets are stored sealed with AES-256-GCM under a key derived from the
 * installation secret (`secret.key` in the data directory, never in the
 * database nor its backups): a copied database or backup yields no second
 * factor. The user id is authenticated with it, so a sealed secret moved to
 * another account does not open. After a restore on another computer (a new
 * `secret.key`), the secrets no longer open: the users set up their second
 * factor again, and their recovery codes (hashed, not sealed) still work.
 */
const VERSION = 'v1'

function key(dataDir: string): Buffer {
  return Buffer.from(hkdfSync('sha256', installationSecret(dataDir), Buffer.alloc(0), 'ribambelle-totp-secret-v1', 32))
}

export function sealTotpSecret(dataDir: string, userId: number, secret: string): string {
  const nonce = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', key(dataDir), nonce)
  c.setAAD(Buffer.from(`staff:${userId}`))
  const data = Buffer.concat([c.update(secret, 'utf8'), c.final()])
  return [VERSION, nonce.toString('base64url'), data.toString('base64url'), c.getAuthTag().toString('base64url')].join('.')
}

/** The secret, or null when it cannot be opened (another installation's key, a damaged value). */
export function openTotpSecret(dataDir: string, userId: number, sealed: string): string | null {
  const [version, nonce, data, tag] = sealed.split('.')
  if (version !== VERSION || !nonce || !data || !tag) return null
  try {
    const d = createDecipheriv('aes-256-gcm', key(dataDir), Buffer.from(nonce, 'base64url'))
    d.setAAD(Buffer.from(`staff:${userId}`))
    d.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([d.update(Buffer.from(data, 'base64url')), d.final()]).toString('utf8')
  } catch {
    return null
  }
}
