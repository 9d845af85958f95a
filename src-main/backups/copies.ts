import { existsSync, rmSync, statSync } from 'node:fs'
import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DomainError } from '../core/errors'
import { rotateBackups, type BackupInfo } from '../db/backup'
import { encryptBackup, hashFile } from '../db/backup-crypto'
import { commitFile, removeLeftovers } from '../db/durable-files'
import { fileErrorCause } from './file-errors'
import type { BackupSettings } from './settings'

/** What became of the copy to the second folder. A failure never undoes the local backup: it is reported. */
export interface CopyResult {
  ok: boolean
  message: string
  /** The copy's file name in the second folder. */
  name: string | null
}

/** A copy in progress in the second folder; removed before the next copy there. */
const LEFTOVER = /^ribambelle-.*\.sqlite(\.enc)?\.tmp$/

/**
 * Copies a verified backup to the second folder, plain or encrypted, the
 * same way as the backup itself: a temporary name, read back and compared
 * (hash, or decryption of the encrypted copy), fsync, rename. A missing
 * folder (USB key not plugged in) is reported, never created: creating it
 * would write the "offsite" copy onto this computer's own disk.
 */
export async function copyToSecondFolder(backup: BackupInfo, settings: BackupSettings, keep: number): Promise<CopyResult | null> {
  const dir = settings.copyDir
  if (!dir) return null
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return {
      ok: false,
      name: null,
      message: `Second dossier introuvable : ${dir} (clé USB débranchée ou partage réseau indisponible ?). La sauvegarde est faite sur cet ordinateur, pas sa copie.`
    }
  }
  const encrypted = settings.encrypt && !!settings.key
  const name = encrypted ? `${backup.name}.enc` : backup.name
  const final = join(dir, name)
  const tmp = `${final}.tmp`
  try {
    removeLeftovers(dir, (n) => LEFTOVER.test(n))
    if (encrypted) {
      await encryptBackup(backup.file, tmp, settings.key!)
    } else {
      await copyFile(backup.file, tmp)
      if (!(await hashFile(tmp)).equals(await hashFile(backup.file))) throw new DomainError('copy_differs', 'la copie relue ne correspond pas à la sauvegarde')
    }
    await commitFile(tmp, final)
    rotateBackups(dir, keep)
    return { ok: true, name, message: `Copie${encrypted ? ' chiffrée' : ''} faite dans ${dir}.` }
  } catch (e) {
    rmSync(tmp, { force: true })
    return { ok: false, name: null, message: `La copie vers ${dir} a échoué : ${fileErrorCause(e)}. La sauvegarde est faite sur cet ordinateur, pas sa copie.` }
  }
}
