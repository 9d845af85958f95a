import { homedir } from 'node:os'
import { join } from 'node:path'

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
