/**
 * « État du système » through the staff API, measured on a real data
 * directory: the database files, statfs, the backups folder, the outbox and
 * the portal certificate in tls/.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmdirSync, statfsSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { backupDatabase } from '../../src-main/db/backup'
import { enqueueMail } from '../../src-main/mail/outbox'
import { OutboxMail } from '../../src-main/mail/entities'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { selfSignedMaterial } from '../../src-main/settings/tls'
import { openTestCore, seedStaff, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { canMountTmpfs } from '../helpers/disk-full'

async function healthAs(core: TestCore, role: 'direction' | 'animateur') {
  const app = await buildStaffApp(core)
  try {
    const s = await seedStaff(core, role)
    const c = await client(app, 'staff')
    await c.loginStaff(s.login, s.password)
    const r = await c.call('system-health', {})
    expect(r.status).toBe(200)
    return r.body
  } finally {
    await app.close()
  }
}

const byKey = (h: { checks: { key: string; level: string; message: string }[] }, key: string) => h.checks.find((c) => c.key === key)!

describe('« État du système »', () => {
  test('reports the data directory as it is, to every staff role', async () => {
    // The real clock: backup ages are measured against file times.
    const core = await openTestCore({ now: new Date() })
    try {
      const fresh = await healthAs(core, 'animateur')
      expect(fresh.checks.map((c: { key: string }) => c.key)).toEqual(['disk', 'backup', 'outbox', 'certificate', 'database'])
      expect(fresh.database.sizeBytes).toBe(statSync(core.paths.dbFile).size)
      const fs = statfsSync(core.paths.dataDir)
      expect(Math.abs(fresh.disk.freeBytes - fs.bavail * fs.bsize)).toBeLessThan(64 * 1024 * 1024)
      expect(fresh.disk.totalBytes).toBe(fs.blocks * fs.bsize)
      expect(fresh.lastBackup).toBeNull()
      expect(byKey(fresh, 'backup')).toMatchObject({ level: 'warning', message: expect.stringMatching(/^Aucune sauvegarde/) })
      expect(fresh.certificate).toEqual({ mode: 'self-signed', expiresAt: null })

      const backup = await backupDatabase(core.db, core.paths.backupDir, 'manuelle', 30, core.clock.now())
      const tls = selfSignedMaterial(core.paths.tlsDir)
      await core.tx.run(async (m) => {
        const id = await enqueueMail(m, core, 'famille@exemple.fr', { subject: 'Facture', text: 't', html: '<p>t</p>' })
        await m.update(OutboxMail, { id }, { status: 'failed', attempts: 9, lastError: 'Connexion refusée' })
      })

      const h = await healthAs(core, 'direction')
      expect(h.lastBackup).toMatchObject({ name: backup.name, sizeBytes: backup.sizeBytes })
      expect(byKey(h, 'backup').level).toBe('ok')
      expect(h.outbox).toMatchObject({ failed: 1, smtpConfigured: false })
      expect(byKey(h, 'outbox')).toMatchObject({ level: 'danger', message: expect.stringMatching(/^1 e-mail n’a pas pu être envoyé après plusieurs essais\./) })
      expect(h.certificate).toEqual({ mode: 'self-signed', expiresAt: tls.expiresAt })
      expect(byKey(h, 'certificate').level).toBe('ok')
    } finally {
      await core.cleanup()
    }
  })

  test.skipIf(!canMountTmpfs())('on a nearly full disk (a real 8 MB tmpfs), the disk line is a danger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ribambelle-tmpfs-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir])
    try {
      const core = await openTestCore({ dataDir: join(dir, 'data') })
      try {
        const h = await healthAs(core, 'direction')
        expect(h.disk.totalBytes).toBe(8 * 1024 * 1024)
        expect(byKey(h, 'disk')).toMatchObject({ level: 'danger', message: expect.stringMatching(/^Disque presque plein : [\d,]+ Mo libres sur 8 Mo\./) })
      } finally {
        await core.close()
      }
    } finally {
      execFileSync('umount', [dir])
      rmdirSync(dir)
    }
  })
})
