import { existsSync, statfsSync, statSync } from 'node:fs'
import type { SystemHealthDto } from '@shared/contract/staff-system'
import type { Core } from '../core/app-core'
import { listBackups } from '../db/backup'
import { getPortalSettings } from '../settings/portal-settings'
import { getSmtp } from '../settings/settings'
import { certificateExpiry } from '../settings/tls'

export type HealthFacts = Omit<SystemHealthDto, 'checks'>

const DAY_MS = 86_400_000

/** Measures what « État du système » reports. Reads only; nothing here waits behind a write but the outbox counts. */
export async function gatherHealth(core: Core): Promise<HealthFacts> {
  const { dataDir, dbFile, backupDir, tlsDir } = core.paths
  const now = core.clock.now()
  const { outbox, smtpHost, mode } = await core.tx.read(async (m) => {
    const [o] = await m.query(
      `SELECT COALESCE(SUM(status = 'failed'), 0) AS failed,
              COALESCE(SUM(status = 'pending' AND attempts > 0), 0) AS retrying,
              COALESCE(SUM(status = 'pending'), 0) AS waiting,
              COALESCE(SUM(status = 'sent' AND last_error IS NOT NULL AND sent_at >= ?), 0) AS unconfirmed
         FROM outbox_mail`,
      [new Date(now.getTime() - 30 * DAY_MS).toISOString()]
    )
    return { outbox: o as Record<string, number>, smtpHost: (await getSmtp(m)).host, mode: (await getPortalSettings(m)).tlsMode }
  })
  // The backups module lists verified copies only, newest first.
  const last = listBackups(backupDir)[0]
  return {
    checkedAt: now.toISOString(),
    dataDir,
    disk: diskSpace(dataDir),
    database: { sizeBytes: sizeOf(dbFile), walBytes: sizeOf(`${dbFile}-wal`) },
    lastBackup: last ? { name: last.name, createdAt: last.createdAt, sizeBytes: last.sizeBytes } : null,
    outbox: {
      failed: Number(outbox.failed),
      retrying: Number(outbox.retrying),
      waiting: Number(outbox.waiting),
      unconfirmed: Number(outbox.unconfirmed),
      smtpConfigured: !!smtpHost
    },
    // The certificate actually served when the listener runs, else the one it would serve.
    certificate: { mode, expiresAt: mode === 'reverse-proxy' ? null : (core.runtime.tlsExpiresAt ?? certificateExpiry(tlsDir, mode)) }
  }
}

function diskSpace(dir: string): HealthFacts['disk'] {
  try {
    const s = statfsSync(dir)
    // bavail, not bfree: what an unprivileged process (the app) can still write.
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }
  } catch {
    return null
  }
}

function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : 0
}
