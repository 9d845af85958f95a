/**
 * A PES V2 bordereau killed (SIGKILL) while its titres are staged (issue 19): nothing is visible — no bordereau, no
 * titre, no number taken — and the next export discards what was staged and makes the whole bordereau, numbered
 * from 1, its file valid against the XSD.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { exportRunToPes } from '../../src-main/billing/pes/export'
import { savePesSettings } from '../../src-main/billing/pes/settings'
import { openTestCore, type TestCore } from '../helpers/core'
import { runTs } from '../helpers/backups'
import { seedBillingWorld, type BillingWorld } from '../helpers/billing'
import { PES_XSD, xmllint } from '../helpers/billing-tools'

const DAY = '2026-10-02'
let owner: TestCore
let w: BillingWorld
let runId: number
let titres: number

beforeAll(async () => {
  owner = await openTestCore({ now: new Date('2026-09-20T08:00:00Z') })
  w = await seedBillingWorld(owner)
  await savePesSettings(owner, SYSTEM, {
    regieId: w.regieId, enabled: true, collectivite: 'Commune de Testville', siret: '21319999000002', poste: '031000', codCol: '555', codBud: '01',
    defaultProduct: 'DIV', defaultNature: '7088', products: []
  })
  owner.clock.set(new Date(`${DAY}T08:00:00Z`))
  runId = (await issueRun(owner, w.comptable.actor, { regieId: w.regieId, month: '2026-09' })).runId
  titres = (owner.db.prepare('SELECT COUNT(*) AS n FROM invoice WHERE run_id = ?').get(runId) as { n: number }).n
  await owner.close()
}, 60_000)
afterAll(() => owner.cleanup())

test('killed after its first staged titre: nothing visible; the next export makes the whole bordereau, numbered from 1', async () => {
  expect(titres).toBeGreaterThan(1)
  const dataDir = mkdtempSync(join(tmpdir(), 'rb-pes-kill-'))
  cpSync(owner.paths.dataDir, dataDir, { recursive: true })
  const r = await runTs('test/helpers/pes-export-child.ts', [dataDir, DAY, String(runId), String(w.comptable.id)], { env: { PAUSE_AT: '1' }, killWhen: 'PROGRESS 1 ' })
  expect(r.signal, r.err).toBe('SIGKILL')
  const core = await openTestCore({ dataDir, now: new Date(`${DAY}T08:00:00Z`) })
  const n = (sql: string) => (core.db.prepare(sql).get() as { n: number }).n
  try {
    expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok')
    // Staged, but nothing official: no bordereau, no titre, no number taken, no audit row.
    expect(n('SELECT COUNT(*) AS n FROM pes_titre_stage')).toBe(1)
    expect(n('SELECT COUNT(*) AS n FROM pes_bordereau')).toBe(0)
    expect(n('SELECT COUNT(*) AS n FROM pes_titre')).toBe(0)
    expect(n(`SELECT COUNT(*) AS n FROM counter WHERE name LIKE 'pes-%'`)).toBe(0)
    expect(n(`SELECT COUNT(*) AS n FROM audit_entry WHERE action = 'pes-bordereau-create'`)).toBe(0)

    const e = await exportRunToPes(core, w.comptable.actor, runId)
    expect([e.idBord, e.pieceCount]).toEqual([1, titres])
    expect(n('SELECT COUNT(*) AS n FROM pes_titre_stage')).toBe(0)
    expect(core.db.prepare('SELECT MIN(id_pce) AS lo, MAX(id_pce) AS hi, COUNT(*) AS n FROM pes_titre').get()).toEqual({ lo: 1, hi: titres, n: titres })
    const xml = readFileSync(join(dataDir, 'exports', e.fileName), 'utf8')
    expect(xmllint(xml, PES_XSD).output).toBe('')
    expect(xml.match(/<Piece>/g)).toHaveLength(titres)
  } finally {
    await core.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}, 60_000)
