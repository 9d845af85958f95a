import { TZDate } from '@date-fns/tz'
import type { Core } from '../core/app-core'
import { PARIS } from '../core/clock'
import { listBackups } from '../db/backup'
import { backupAndCopy } from './backup-now'
import { fileErrorCause } from './file-errors'
import { getBackupSettings, recordLastRun, type BackupSettings, type LastRun } from './settings'

/** After a failed scheduled backup (disk full…), the next try waits this long rather than failing every minute. */
const RETRY_MS = 15 * 60_000

/** The latest instant at or before `now` when the clock in Paris read `time` ("HH:MM"). */
export function lastSlot(now: Date, time: string): Date {
  const [h, min] = time.split(':').map(Number)
  const paris = new TZDate(now, PARIS)
  let slot = new TZDate(paris.getFullYear(), paris.getMonth(), paris.getDate(), h, min, PARIS)
  if (slot.getTime() > now.getTime()) slot = new TZDate(paris.getFullYear(), paris.getMonth(), paris.getDate() - 1, h, min, PARIS)
  return new Date(slot.getTime())
}

/** A daily backup is due when none was made since the last time slot: missed while the app was closed, it is made at the next start. */
export function dailyDue(core: Core, settings: BackupSettings, now: Date): boolean {
  if (!settings.daily) return false
  const slot = lastSlot(now, settings.dailyTime).getTime()
  return !listBackups(core.paths.backupDir).some((b) => b.reason === 'quotidienne' && new Date(b.createdAt).getTime() >= slot)
}

/** A daily or closing backup with its copy; the outcome is recorded for Paramètres and never thrown. */
export async function scheduledBackup(core: Core, reason: 'quotidienne' | 'fermeture'): Promise<LastRun> {
  const at = core.clock.now().toISOString()
  let run: LastRun
  try {
    const { backup, copy } = await backupAndCopy(core, reason)
    run = { at, reason, ok: true, name: backup.name, message: 'Sauvegarde faite et vérifiée.', copy }
  } catch (e) {
    run = { at, reason, ok: false, name: null, message: `La sauvegarde a échoué : ${fileErrorCause(e)}.`, copy: null }
    core.options.log(run.message)
  }
  try {
    await recordLastRun(core, run)
  } catch (e) {
    core.options.log(`Résultat de la sauvegarde non enregistré : ${(e as Error).message}`)
  }
  return run
}

export interface BackupSchedule {
  /** Makes the daily backup if it is due (called every minute, and once at start). */
  tick(): Promise<LastRun | null>
  /** Stops the timer, waits for a backup in progress, and makes the closing backup when it is set. */
  stop(): Promise<LastRun | null>
}

export function startBackupSchedule(core: Core, intervalMs = 60_000): BackupSchedule {
  let running: Promise<LastRun | null> = Promise.resolve(null)
  let retryAfter = 0
  let stopped = false
  const settings = () => core.tx.read((m) => getBackupSettings(m))

  const tick = (): Promise<LastRun | null> => {
    running = running.catch(() => null).then(async () => {
      if (stopped || Date.now() < retryAfter) return null
      const now = core.clock.now()
      if (!dailyDue(core, await settings(), now)) return null
      const run = await scheduledBackup(core, 'quotidienne')
      retryAfter = run.ok ? 0 : Date.now() + RETRY_MS
      return run
    })
    return running.catch((e) => {
      core.options.log(`Sauvegarde quotidienne : ${(e as Error).message}`)
      return null
    })
  }
  const timer = setInterval(() => void tick(), intervalMs)
  timer.unref()
  void tick()
  return {
    tick,
    async stop() {
      clearInterval(timer)
      stopped = true
      await running.catch(() => null)
      if (!(await settings()).atQuit) return null
      return scheduledBackup(core, 'fermeture')
    }
  }
}
