import { homedir } from 'node:os'
import { join } from 'node:path'
import { DomainError } from './errors'

/**
 * Where the database, backups, certificates and documents live:
 * RIBAMBELLE_DATA_DIR if set, else the platform's user data directory
 * (Electron passes app.getPath('userData')).
 */
export function defaultDataDir(electronUserData?: string): string {
  if (process.env.RIBAMBELLE_DATA_DIR) return process.env.RIBAMBELLE_DATA_DIR
  if (electronUserData) return electronUserData
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Ribambelle')
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Ribambelle')
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'ribambelle')
}

export function envPort(name: string, fallback: number): number {
  const v = process.env[name]
  if (v === undefined || v === '') return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} invalide : ${v}`)
  return n
}

/**
 * Interface of the back-office on the LAN: every interface (the allowed ranges decide who gets in). Tests bind it to
 * 127.0.0.1 with RIBAMBELLE_STAFF_LAN_HOST, which is refused unless RIBAMBELLE_TEST_MODE=1: a real installation
 * never runs with a listener moved by a forgotten variable.
 */
export function lanBindHost(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.RIBAMBELLE_STAFF_LAN_HOST
  if (!host) return '0.0.0.0'
  if (env.RIBAMBELLE_TEST_MODE !== '1') {
    throw new DomainError('test_only', 'RIBAMBELLE_STAFF_LAN_HOST ne sert qu’aux tests : il est refusé hors du mode test (RIBAMBELLE_TEST_MODE=1). Retirez cette variable.', 400)
  }
  return host
}
