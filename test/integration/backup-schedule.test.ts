/**
 * The daily backup at the time set in Paramètres (Paris time), made at the
 * next start when the app was closed at that time; the closing backup; the
 * last result recorded for the settings screen, failures included.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { listBackups } from '../../src-main/db/backup'
import { getLastRun, updateBackupSettings } from '../../src-main/backups/settings'
import { lastSlot, startBackupSchedule } from '../../src-main/backups/schedule'
import { openTestCore, type TestCore } from '../helpers/core'

describe('lastSlot', () => {
  test('the latest moment at or before now when Paris clocks read the time, across DST changes', () => {
    const at = (iso: string, time: string) => lastSlot(new Date(iso), time).toISOString()
    // 10:00 in Paris (summer time): 12:30 is yesterday's, 09:15 today's.
    expect(at('2026-09-07T08:00:00Z', '12:30')).toBe('2026-09-06T10:30:00.000Z')
    expect(at('2026-09-07T08:00:00Z', '09:15')).toBe('2026-09-07T07:15:00.000Z')
    expect(at('2026-09-07T08:00:00Z', '10:00')).toBe('2026-09-07T08:00:00.000Z')
    // The night clocks go forward (29 March 2026): 01:30 was still winter time.
    expect(at('2026-03-29T10:00:00Z', '01:30')).toBe('2026-03-29T00:30:00.000Z')
    expect(at('2026-03-29T10:00:00Z', '12:30')).toBe('2026-03-28T11:30:00.000Z')
    // In winter, 12:30 in Paris is 11:30 UTC.
    expect(at('2026-12-01T12:00:00Z', '12:30')).toBe('2026-12-01T11:30:00.000Z')
  })
})

describe('the backup schedule', () => {
  let core: TestCore
  beforeEach(async () => {
    // Monday 7 September 2026, 10:00 in Paris.
    core = await openTestCore()
  })
  afterEach(() => core.cleanup())

  const reasons = () => listBackups(core.paths.backupDir).map((b) => b.reason)
  const setTime = (iso: string) => core.clock.set(new Date(iso))

  test('missed while the app was closed: made at start; then once per day at the time set; and one at closing', async () => {
    let schedule = startBackupSchedule(core)
    await schedule.tick()
    expect(reasons()).toEqual(['quotidienne']) // no daily backup since yesterday 12:30
    expect(await core.tx.read((m) => getLastRun(m))).toMatchObject({ reason: 'quotidienne', ok: true, message: 'Sauvegarde faite et vérifiée.', copy: null })

    setTime('2026-09-07T10:29:00Z') // 12:29
    expect(await schedule.tick()).toBeNull()
    setTime('2026-09-07T10:31:00Z') // 12:31
    expect(await schedule.tick()).toMatchObject({ reason: 'quotidienne', ok: true })
    expect(await schedule.tick()).toBeNull()
    expect(reasons()).toEqual(['quotidienne', 'quotidienne'])

    setTime('2026-09-07T16:00:00Z')
    expect(await schedule.stop()).toMatchObject({ reason: 'fermeture', ok: true })
    expect(reasons()).toEqual(['fermeture', 'quotidienne', 'quotidienne'])

    // Closed through Tuesday 12:30, started again at 14:00: the missed backup is made at start.
    setTime('2026-09-08T12:00:00Z')
    schedule = startBackupSchedule(core)
    await schedule.tick()
    expect(reasons()).toEqual(['quotidienne', 'fermeture', 'quotidienne', 'quotidienne'])
    // Started again on Wednesday morning, before 12:30: Tuesday's is there, nothing is due.
    await schedule.stop()
    setTime('2026-09-09T06:00:00Z')
    schedule = startBackupSchedule(core)
    expect(await schedule.tick()).toBeNull()
    await schedule.stop()
  })

  test('with the daily backup and the closing backup switched off, none is made', async () => {
    await updateBackupSettings(core, SYSTEM, { daily: false, dailyTime: '12:30', atQuit: false, copyDir: '', encrypt: false, passphrase: '' })
    const schedule = startBackupSchedule(core)
    expect(await schedule.tick()).toBeNull()
    expect(await schedule.stop()).toBeNull()
    expect(reasons()).toEqual([])
  })

  test('a failed scheduled backup is recorded in French, is not retried every minute, and breaks nothing', async () => {
    mkdirSync(core.paths.dataDir, { recursive: true })
    rmSync(core.paths.backupDir, { recursive: true, force: true })
    writeFileSync(core.paths.backupDir, 'pas un dossier')
    const schedule = startBackupSchedule(core)
    await schedule.tick()
    const run = await core.tx.read((m) => getLastRun(m))
    expect(run).toMatchObject({ reason: 'quotidienne', ok: false, name: null })
    expect(run!.message).toMatch(/^La sauvegarde a échoué : erreur système EEXIST\.$/)
    expect(await schedule.tick()).toBeNull() // waits 15 minutes before the next try
    rmSync(core.paths.backupDir)
    expect(await schedule.stop()).toMatchObject({ reason: 'fermeture', ok: true })
  })
})
