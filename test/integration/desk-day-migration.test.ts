import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DataSource } from 'typeorm'
import { afterAll, expect, test } from 'vitest'
import { migrations } from '../../src-main/db/migrations'
import { DeskDay0000000000021 } from '../../src-main/db/migrations/0021-desk-day'

const dir = mkdtempSync(join(tmpdir(), 'ribambelle-deskday-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/**
 * Upgrading a structure that already has its activities: the units that
 * serve a meal (every unit of a restauration activity, and those named for a
 * meal, not « sans repas ») start counted on the kitchen sheet; the others
 * do not. The direction corrects the rest in Activités.
 */
test('the upgrade marks the meal units of an existing structure', async () => {
  const at = migrations.indexOf(DeskDay0000000000021)
  expect(at).toBeGreaterThan(0)
  const open = (count: number) =>
    new DataSource({ type: 'better-sqlite3', database: join(dir, 'db.sqlite'), entities: [], migrations: migrations.slice(0, count), migrationsTransactionMode: 'each' })
  const before = await open(at).initialize()
  await before.runMigrations({ transaction: 'each' })
  await before.query(`INSERT INTO facility (id, name) VALUES (1, 'École')`)
  await before.query(`INSERT INTO activity_type (id, facility_id, name, kind) VALUES (1, 1, 'Cantine', 'restauration'), (2, 1, 'ALSH', 'vacances')`)
  await before.query(`INSERT INTO activity (id, activity_type_id, name, opening_rule) VALUES (1, 1, 'Restaurant scolaire', 'school-days'), (2, 2, 'Centre de loisirs', 'holiday-weekdays')`)
  const units = ['Pause méridienne', 'Journée avec repas', 'Après-midi sans repas', 'Matin', 'Déjeuner', 'Midi (cantine)']
  await before.query(
    `INSERT INTO unit (activity_id, name, start_time, end_time) VALUES ${units.map(() => '(?, ?, ?, ?)').join(', ')}`,
    units.flatMap((name, i) => [i === 0 ? 1 : 2, name, '08:00', '18:00'])
  )
  await before.destroy()

  const after = await open(at + 1).initialize()
  await after.runMigrations({ transaction: 'each' })
  const rows = (await after.query(`SELECT name, meal FROM unit ORDER BY id`)) as { name: string; meal: number }[]
  await after.destroy()
  expect(Object.fromEntries(rows.map((r) => [r.name, r.meal]))).toEqual({
    'Pause méridienne': 1,
    'Journée avec repas': 1,
    'Après-midi sans repas': 0,
    Matin: 0,
    Déjeuner: 1,
    'Midi (cantine)': 1
  })
})
