import { describe, expect, test } from 'vitest'
import { assessHealth, frBytes } from '../../src-main/system/health-checks'
import type { HealthFacts } from '../../src-main/system/health-facts'

const MB = 1024 * 1024
const GB = 1024 * MB
const NOW = '2026-11-16T09:00:00.000Z'
const hoursBefore = (h: number) => new Date(new Date(NOW).getTime() - h * 3_600_000).toISOString()

/** A healthy installation; each test spoils one thing. */
function facts(change: (f: HealthFacts) => void = () => {}): HealthFacts {
  const f: HealthFacts = {
    checkedAt: NOW,
    dataDir: '/srv/ribambelle',
    disk: { freeBytes: 40 * GB, totalBytes: 100 * GB },
    database: { sizeBytes: 80 * MB, walBytes: 0 },
    lastBackup: { name: 'ribambelle-20261116-020000-000-quotidienne.sqlite', createdAt: hoursBefore(7), sizeBytes: 80 * MB },
    outbox: { failed: 0, retrying: 0, waiting: 0, unconfirmed: 0, smtpConfigured: true },
    certificate: { mode: 'self-signed', expiresAt: '2028-02-01T10:00:00.000Z' }
  }
  change(f)
  return f
}

const level = (f: HealthFacts, key: string) => assessHealth(f).find((c) => c.key === key)!

describe('« État du système » checks', () => {
  test('a healthy installation: five lines, all ok, in French', () => {
    const checks = assessHealth(facts())
    expect(checks.map((c) => [c.key, c.level])).toEqual([
      ['disk', 'ok'],
      ['backup', 'ok'],
      ['outbox', 'ok'],
      ['certificate', 'ok'],
      ['database', 'ok']
    ])
    expect(level(facts(), 'disk').message).toBe('40 Go libres sur 100 Go (dossier /srv/ribambelle).')
    expect(level(facts(), 'backup').message).toBe('Dernière sauvegarde vérifiée le 16/11/2026 à 03h00 (il y a 7 heures).')
    expect(level(facts(), 'certificate').message).toBe('Valide jusqu’au 01/02/2028 (certificat auto-signé).')
    expect(level(facts(), 'database').message).toBe('La base occupe 80 Mo.')
  })

  test('disk space: warning under 2 Go or five copies of the database, danger under 500 Mo', () => {
    expect(level(facts((f) => (f.disk!.freeBytes = 1.5 * GB)), 'disk')).toMatchObject({ level: 'warning', message: expect.stringMatching(/^Place libre faible : 1,5 Go libres sur 100 Go\./) })
    expect(level(facts((f) => ((f.disk!.freeBytes = 3 * GB), (f.database.sizeBytes = 700 * MB))), 'disk').level).toBe('warning')
    expect(level(facts((f) => (f.disk!.freeBytes = 300 * MB)), 'disk')).toMatchObject({
      level: 'danger',
      message: 'Disque presque plein : 300 Mo libres sur 100 Go. Libérez de la place sans attendre : quand le disque est plein, plus rien ne peut être enregistré.'
    })
    expect(level(facts((f) => (f.disk = null)), 'disk').level).toBe('warning')
  })

  test('backups: none is a warning, more than 36 h a warning, more than a week a danger', () => {
    expect(level(facts((f) => (f.lastBackup = null)), 'backup')).toMatchObject({ level: 'warning', message: expect.stringMatching(/^Aucune sauvegarde/) })
    expect(level(facts((f) => (f.lastBackup!.createdAt = hoursBefore(40))), 'backup')).toMatchObject({ level: 'warning', message: expect.stringContaining('(il y a 40 heures)') })
    expect(level(facts((f) => (f.lastBackup!.createdAt = hoursBefore(9 * 24))), 'backup')).toMatchObject({ level: 'danger', message: expect.stringContaining('(il y a 9 jours)') })
  })

  test('e-mails: failed is a danger; no SMTP with mail waiting, retries and unconfirmed sends are warnings', () => {
    expect(level(facts((f) => (f.outbox.failed = 2)), 'outbox')).toMatchObject({ level: 'danger', message: expect.stringMatching(/^2 e-mails n’ont pas pu être envoyés/) })
    expect(level(facts((f) => ((f.outbox.smtpConfigured = false), (f.outbox.waiting = 1))), 'outbox')).toMatchObject({ level: 'warning', message: expect.stringContaining('1 e-mail attend') })
    expect(level(facts((f) => ((f.outbox.retrying = 3), (f.outbox.waiting = 3))), 'outbox').level).toBe('warning')
    expect(level(facts((f) => (f.outbox.unconfirmed = 1)), 'outbox').message).toMatch(/^1 e-mail a été remis au serveur sans sa confirmation/)
  })

  test('certificate: expiring within 30 days is a warning, expired a danger; the remedy depends on who made it', () => {
    const soon = facts((f) => (f.certificate = { mode: 'operator', expiresAt: '2026-11-30T00:00:00.000Z' }))
    expect(level(soon, 'certificate')).toMatchObject({ level: 'warning', message: expect.stringMatching(/expire le 30\/11\/2026 \(dans 14 jours\)\. Installez le nouveau certificat/) })
    const gone = facts((f) => (f.certificate.expiresAt = '2026-11-01T00:00:00.000Z'))
    expect(level(gone, 'certificate')).toMatchObject({ level: 'danger', message: expect.stringMatching(/a expiré le 01\/11\/2026.*renouvelé au prochain démarrage/) })
    expect(level(facts((f) => (f.certificate = { mode: 'reverse-proxy', expiresAt: null })), 'certificate').level).toBe('ok')
  })

  test('database: a warning when a backup copy would not fit in the free space', () => {
    const big = facts((f) => ((f.database = { sizeBytes: 400 * MB, walBytes: 50 * MB }), (f.disk!.freeBytes = 420 * MB)))
    expect(level(big, 'database')).toMatchObject({
      level: 'warning',
      message: 'La base occupe 450 Mo (dont 50 Mo de journal) : une sauvegarde ne tiendrait plus dans la place libre du disque.'
    })
  })

  test('sizes in French units', () => {
    expect(frBytes(1536 * MB)).toBe('1,5 Go')
    expect(frBytes(12 * MB)).toBe('12 Mo')
  })
})
