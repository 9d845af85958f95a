import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DataSource } from 'typeorm'
import { afterAll, expect, test } from 'vitest'
import { corePaths } from '../../src-main/core/app-core'
import { migrations } from '../../src-main/db/migrations'
import { openTestCore } from '../helpers/core'

const dataDir = mkdtempSync(join(tmpdir(), 'rb-logins-migration-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

test('0030: an existing account becomes its household’s main responsable’s, with every right and the responsable’s name', async () => {
  const at = migrations.findIndex((M) => M.name.startsWith('PortalLogins'))
  const ds = new DataSource({ type: 'better-sqlite3', database: corePaths(dataDir).dbFile, entities: [], migrations: migrations.slice(0, at), migrationsTransactionMode: 'each' })
  await ds.initialize()
  await ds.runMigrations({ transaction: 'each' })
  const t = '2026-01-01T00:00:00.000Z'
  await ds.query(`INSERT INTO family (id, number, status, created_at, updated_at) VALUES (7, 7, 'active', ?, ?)`, [t, t])
  await ds.query(`INSERT INTO person (family_id, role, last_name, first_name) VALUES (7, 'responsable', 'Durand', 'Inès')`)
  await ds.query(`INSERT INTO portal_account (family_id, login, password_hash, status, created_at) VALUES (7, 'ines@exemple.fr', 'x', 'active', ?)`, [t])
  await ds.destroy()
  const core = await openTestCore({ dataDir })
  try {
    const [a] = await core.ds.query(`SELECT main, rights, first_name AS firstName, last_name AS lastName, person_id AS personId FROM portal_account`)
    expect(a).toMatchObject({ main: 1, rights: 'book,pay,edit', firstName: 'Inès', lastName: 'Durand' })
    expect(a.personId).toBeTypeOf('number')
  } finally {
    await core.close()
  }
})
