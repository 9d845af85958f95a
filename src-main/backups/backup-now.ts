import type { Core } from '../core/app-core'
import { backupDatabase, type BackupResult } from '../db/backup'
import { copyToSecondFolder, type CopyResult } from './copies'
import { getBackupSettings } from './settings'

/**
 * Why a backup was made; the reason is in its file name and shown in the lists.
 * pre-migration (db/migrations, at start) and pre-restore (db/restore) are made without a running core.
 */
export type BackupReason = 'manuelle' | 'quotidienne' | 'fermeture' | 'avant-facturation' | 'avant-import' | 'annulation-import'

/** A verified backup of the running app's database (the copy runs between transactions). */
export function backupNow(core: Core, reason: BackupReason): Promise<BackupResult> {
  return backupDatabase(core.db, core.paths.backupDir, reason, core.options.backupKeep, core.clock.now(), {
    exclusive: (work) => core.tx.exclusive(work)
  })
}

/** A backup, then its copy to the second folder when one is set (daily, closing and manual backups). */
export async function backupAndCopy(core: Core, reason: BackupReason): Promise<{ backup: BackupResult; copy: CopyResult | null }> {
  const backup = await backupNow(core, reason)
  const settings = await core.tx.read((m) => getBackupSettings(m))
  const copy = await copyToSecondFolder(backup, settings, core.options.backupKeep)
  if (copy && !copy.ok) core.options.log(copy.message)
  return { backup, copy }
}
