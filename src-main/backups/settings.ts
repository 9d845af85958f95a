import { accessSync, constants, existsSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import type { EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { checkPasswordPolicy } from '../accounts/passwords'
import { createBackupKey, type BackupKey } from '../db/backup-crypto'
import { Setting } from '../settings/entities'
import { getSetting, putSetting } from '../settings/settings'
import type { CopyResult } from './copies'

export interface BackupSettings {
  /** A backup every day at `dailyTime` (Paris time), made at the next start when the app was closed at that time. */
  daily: boolean
  dailyTime: string
  /** A backup when Ribambelle is closed. */
  atQuit: boolean
  /** A second folder (USB key, network share) that receives a copy of each daily, closing and manual backup; '' = none. */
  copyDir: string
  /** The copy in the second folder is encrypted (needs `key`). */
  encrypt: boolean
  /** Public key + passphrase-protected private key (db/backup-crypto.ts): encrypts without the passphrase, decrypts only with it. */
  key: BackupKey | null
  keySetAt: string | null
}

/** What the last daily or closing backup did, for Paramètres → Sauvegardes. */
export interface LastRun {
  at: string
  reason: string
  ok: boolean
  name: string | null
  message: string
  copy: CopyResult | null
}

export const BACKUP_SETTINGS_KEY = 'backups'
const LAST_RUN_KEY = 'backups-last-run'
const DEFAULTS: BackupSettings = { daily: true, dailyTime: '12:30', atQuit: true, copyDir: '', encrypt: false, key: null, keySetAt: null }

export async function getBackupSettings(m: EntityManager): Promise<BackupSettings> {
  return { ...DEFAULTS, ...(await getSetting<Partial<BackupSettings>>(m, BACKUP_SETTINGS_KEY, {})) }
}

export function getLastRun(m: EntityManager): Promise<LastRun | null> {
  return getSetting<LastRun | null>(m, LAST_RUN_KEY, null)
}

/** System state, not a staff edit: no audit row (the backup itself is in the backups folder and the log). */
export async function recordLastRun(core: Core, run: LastRun): Promise<void> {
  await core.tx.run((m) => m.upsert(Setting, { key: LAST_RUN_KEY, value: JSON.stringify(run), updatedAt: run.at }, ['key']))
}

/** Where a second folder cannot be: missing, not a folder, not writable, or the data directory itself (same disk, no protection). */
function checkCopyDir(core: Core, dir: string): void {
  const bad = (message: string) => new DomainError('invalid_input', message, 400, { copyDir: message })
  if (!isAbsolute(dir)) throw bad('Indiquez le chemin complet du dossier (par exemple E:\\Sauvegardes ou /media/cle-usb/sauvegardes).')
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw bad(`Dossier introuvable : ${dir}. Branchez le support (clé USB, partage réseau) puis réessayez.`)
  try {
    accessSync(dir, constants.W_OK)
  } catch {
    throw bad(`Ribambelle ne peut pas écrire dans ${dir} (droits insuffisants ou support en lecture seule).`)
  }
  const inside = relative(resolve(core.paths.dataDir), resolve(dir))
  if (!inside.startsWith('..') && !isAbsolute(inside)) {
    throw bad('Ce dossier est dans les données de Ribambelle : choisissez un autre support (clé USB, partage réseau), qui survivra à une panne de ce disque.')
  }
}

export interface BackupSettingsInput {
  daily: boolean
  dailyTime: string
  atQuit: boolean
  copyDir: string
  encrypt: boolean
  /** A new passphrase ('' keeps the current key). */
  passphrase: string
  /** As the screen loaded them (a stale save is refused, 409); absent for set-ups outside a screen. */
  version?: number
}

/**
 * Saves the backup settings. A new passphrase makes a new key pair: the
 * passphrase and the key derived from it are never stored, and copies
 * encrypted before keep opening with the passphrase they were made with.
 */
export async function updateBackupSettings(core: Core, actor: Actor, input: BackupSettingsInput): Promise<void> {
  const current = await core.tx.read((m) => getBackupSettings(m))
  if (input.copyDir) checkCopyDir(core, input.copyDir)
  if (input.encrypt && !input.copyDir) {
    const message = 'Le chiffrement s’applique à la copie du second dossier : indiquez d’abord ce dossier.'
    throw new DomainError('invalid_input', message, 400, { encrypt: message })
  }
  let key = current.key
  let keySetAt = current.keySetAt
  if (input.passphrase) {
    try {
      checkPasswordPolicy(input.passphrase)
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
      // The same rules as the accounts' passwords (length, common passwords…), their message prefixed.
      const message = `Phrase de passe refusée. ${e.message}`
      throw new DomainError(e.code, message, 400, { passphrase: message })
    }
    key = await createBackupKey(input.passphrase)
    keySetAt = core.clock.now().toISOString()
  }
  if (input.encrypt && !key) {
    const message = 'Choisissez une phrase de passe pour chiffrer les copies.'
    throw new DomainError('invalid_input', message, 400, { passphrase: message })
  }
  const next: BackupSettings = { daily: input.daily, dailyTime: input.dailyTime, atQuit: input.atQuit, copyDir: input.copyDir, encrypt: input.encrypt, key, keySetAt }
  await core.tx.run((m) => putSetting(m, core, actor, BACKUP_SETTINGS_KEY, next, ['key'], input.version))
}
