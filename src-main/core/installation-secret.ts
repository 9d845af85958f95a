import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Per-installation secret for signing cookies and CSRF tokens, made at
 * first start and kept in the data directory (never in the database, so a
 * copied backup does not carry it).
 */
export function installationSecret(dataDir: string): string {
  const file = join(dataDir, 'secret.key')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const s = randomBytes(32).toString('base64url')
  writeFileSync(file, s, { mode: 0o600 })
  return s
}
