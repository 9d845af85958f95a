/**
 * A direct-debit export killed midway (SIGKILL) leaves either nothing or a
 * state the next export finishes (issue 19): never marked invoices without
 * their file. Twelve families, five debits per transaction.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { frenchIban } from '../../src-shared/check-digits'
import { saveRegie } from '../../src-main/billing/regies'
import { createAdjustment } from '../../src-main/billing/invoicing/adjustments'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { markInvoicesNotified } from '../../src-main/billing/invoices'
import { Invoice } from '../../src-main/billing/entities'
import { revokeMandate, saveMandate } from '../../src-main/billing/sepa/mandates'
import { planDirectDebits } from '../../src-main/billing/sepa/plan'
import { getSepaSettings } from '../../src-main/billing/sepa/settings'
import { getRegie } from '../../src-main/billing/regies'
import { snapshotRead } from '../../src-main/db/snapshot-read'
import { exportDirectDebits, previewDirectDebits } from '../../src-main/billing/sepa/export'
import { checkPain008Xml } from '../../src-main/billing/sepa/pain008'
import { setStructure } from '../helpers/activities'
import { openTestCore, seedFamily, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { runTs } from '../helpers/backups'
import { xmllint } from '../helpers/billing-tools'

const DAY = '2026-10-06'
const DATE = '2026-10-22'
let owner: TestCore
let dataDir: string
let pristine: string
/** Each test starts from the seeded database, untouched. */
function fresh(): void {
  dataDir = mkdtempSync(join(tmpdir(), 'rb-sepa-kill-'))
  cpSync(pristine, dataDir, { recursive: true })
}
let regieId: number
let comptable: SeededStaff

/** The export in a child process, killed once it reports step `PAUSE_STEP` at `PAUSE_AT` or beyond. */
const runChild = (env: Record<string, string>) =>
  runTs('test/helpers/sepa-export-child.ts', [dataDir, DAY, String(regieId), DATE, String(comptable.id)], {
    env,
    killWhen: (out) => [...out.matchAll(/PROGRESS (\w+) (\d+)/g)].some((x) => x[1] === env.PAUSE_STEP && Number(x[2]) >= Number(env.PAUSE_AT))
  })

const one = (core: TestCore, sql: string) => core.db.prepare(sql).get() as Record<string, unknown>
const state = (core: TestCore) => ({
  exports: one(core, 'SELECT COUNT(*) AS n FROM sepa_export').n,
  payments: one(core, 'SELECT COUNT(*) AS n FROM payment').n,
  collections: one(core, 'SELECT COUNT(*) AS n FROM sepa_collection').n,
  marked: one(core, `SELECT COUNT(*) AS n FROM invoice WHERE debit_status = 'prelevee'`).n,
  files: existsSync(join(dataDir, 'exports')) ? readdirSync(join(dataDir, 'exports')).filter((f) => !f.endsWith('.tmp')) : []
})

beforeAll(async () => {
  owner = await openTestCore({ now: new Date('2026-10-01T08:00:00Z') })
  pristine = owner.paths.dataDir
  await setStructure(owner)
  comptable = await seedStaff(owner, 'comptable')
  regieId = await saveRegie(owner, SYSTEM, {
    id: null, name: 'Régie', code: 'KL', invoiceFormat: '{CODE}-{N}', creditFormat: '{CODE}-AV{N}', paymentFormat: '{CODE}-R{N}', isDefault: true, dueDays: 20,
    paymentMethods: '', creditorName: '', ics: 'FR72ZZZ123456', creditorIban: 'FR7630006000011234567890189', creditorBic: '', active: true, activityIds: []
  })
  for (let i = 0; i < 12; i++) {
    const f = await seedFamily(owner)
    await saveMandate(owner, comptable.actor, { id: null, familyId: f.familyId, rum: '', holder: `Titulaire ${i}`, iban: frenchIban('30006', String(10001 + i), String(f.number)), bic: '', signedOn: '2026-09-15', sequenceType: i % 2 ? 'RCUR' : 'FRST' })
    await createAdjustment(owner, comptable.actor, { regieId, familyId: f.familyId, childId: null, month: '2026-09', label: 'Accueil', amountCents: 1000 + i })
  }
  const run = await issueRun(owner, comptable.actor, { regieId, month: '2026-09', issueDate: '2026-10-01' })
  await owner.tx.run(async (m) => markInvoicesNotified(m, (await m.findBy(Invoice, { runId: run.runId })).map((i) => i.id), '2026-10-01'))
  await owner.close()
}, 60_000)

afterAll(async () => {
  await owner.cleanup()
})

describe('killing the direct-debit export', () => {
  test('while its file is written: nothing marked; the next export discards it and writes its own', async () => {
    fresh()
    const r = await runChild({ PAUSE_STEP: 'file', PAUSE_AT: '0' })
    expect(r.signal, r.err).toBe('SIGKILL')
    const core = await openTestCore({ dataDir, now: new Date(`${DAY}T08:00:00Z`) })
    try {
      expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok')
      // The planned debits are there, but not one invoice, payment or collection, and no file under its name.
      const cut = one(core, 'SELECT id, state FROM sepa_export') as { id: number; state: string }
      expect(cut.state).toBe('preparing')
      expect(state(core)).toEqual({ exports: 1, payments: 0, collections: 0, marked: 0, files: [] })
      expect((await previewDirectDebits(core, { regieId, runId: null, collectionDate: DATE, represent: false })).nbTxs).toBe(12)
      const e = await exportDirectDebits(core, comptable.actor, { regieId, runId: null, collectionDate: DATE, represent: false }, { chunk: 5 })
      expect(e.nbTxs).toBe(12)
      expect(e.exportId).not.toBe(cut.id)
      expect(state(core)).toEqual({ exports: 1, payments: 12, collections: 12, marked: 12, files: [expect.stringContaining(e.msgId)] })
      expect(one(core, 'SELECT COUNT(*) AS n FROM sepa_export_item').n).toBe(0)
    } finally {
      await core.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)

  test('after its first five debits: the file is whole and the next export finishes the twelve, each once, numbers without gaps', async () => {
    fresh()
    const r = await runChild({ PAUSE_STEP: 'marking', PAUSE_AT: '5' })
    expect(r.signal, r.err).toBe('SIGKILL')
    const core = await openTestCore({ dataDir, now: new Date(`${DAY}T08:00:00Z`) })
    try {
      expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok')
      const exp = one(core, 'SELECT id, state, file_name, msg_id FROM sepa_export') as { id: number; state: string; file_name: string; msg_id: string }
      expect(exp.state).toBe('marking')
      const s = state(core)
      // Half-marked, but with its file: five debits recorded, whole ones only.
      expect(s).toEqual({ exports: 1, payments: 5, collections: 5, marked: 5, files: [exp.file_name] })
      const xml = readFileSync(join(dataDir, 'exports', exp.file_name), 'utf8')
      expect(xmllint(xml).output).toBe('')
      expect(checkPain008Xml(xml)).toEqual([])
      expect(xml.match(/<DrctDbtTxInf>/g)).toHaveLength(12)

      // Its seven other invoices are in the file: the preview leaves them out.
      expect((await previewDirectDebits(core, { regieId, runId: null, collectionDate: DATE, represent: false })).nbTxs).toBe(0)
      // « Exporter » again: the interrupted file is finished first, then there is nothing left to collect.
      await expect(exportDirectDebits(core, comptable.actor, { regieId, runId: null, collectionDate: DATE, represent: false })).rejects.toThrow(/Aucune facture à prélever/)
      expect(state(core)).toEqual({ exports: 1, payments: 12, collections: 12, marked: 12, files: [exp.file_name] })
      expect(one(core, 'SELECT state FROM sepa_export')).toEqual({ state: 'done' })
      expect(one(core, 'SELECT MIN(seq) AS lo, MAX(seq) AS hi, COUNT(DISTINCT seq) AS n FROM payment')).toEqual({ lo: 1, hi: 12, n: 12 })
      // Every invoice paid once by the debit of its own family, as the file says.
      expect(one(core, `SELECT COUNT(*) AS n FROM payment_allocation a JOIN payment p ON p.id = a.payment_id JOIN invoice i ON i.id = a.invoice_id WHERE p.family_id = i.family_id AND a.amount_cents = i.total_cents`).n).toBe(12)
      const e2e = (core.db.prepare('SELECT end_to_end_id FROM sepa_collection ORDER BY end_to_end_id').all() as { end_to_end_id: string }[]).map((x) => x.end_to_end_id)
      expect(e2e).toEqual([...xml.matchAll(/<EndToEndId>([^<]+)</g)].map((m) => m[1]).sort())
      expect(one(core, `SELECT COUNT(*) AS n FROM audit_entry WHERE action = 'sepa-export'`).n).toBe(1)
      expect(existsSync(join(dataDir, 'exports', `${exp.file_name}.tmp`))).toBe(false)
    } finally {
      await core.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)

  test('the plan, read in chunks, sees one instant: a mandate revoked between two chunks is in it whole, or not at all', async () => {
    fresh()
    const core = await openTestCore({ dataDir, now: new Date(`${DAY}T08:00:00Z`) })
    try {
      const [regie, settings] = await core.tx.read(async (m) => [await getRegie(m, regieId), await getSepaSettings(m)] as const)
      const last = one(core, 'SELECT id FROM sepa_mandate ORDER BY family_id DESC LIMIT 1').id as number
      let pauses = 0
      // Five invoices per read; after the first read, the desk revokes the mandate of a family the third read will see.
      const plan = await snapshotRead(core.paths.dbFile, (r) =>
        planDirectDebits(
          { db: r.db, pause: async () => (pauses++ === 0 ? revokeMandate(core, comptable.actor, last) : r.pause()) },
          { regie, structureName: 'Structure', settings, today: DAY, runId: null, collectionDate: DATE, represent: false, chunk: 5 }
        )
      )
      expect(pauses).toBeGreaterThan(3)
      expect(one(core, `SELECT status FROM sepa_mandate WHERE id = ${last}`).status).toBe('revoked')
      // As of the instant the plan began: twelve debits, each with its mandate's details.
      expect(plan.nbTxs).toBe(12)
      expect(plan.debits.map((d) => d.mandateId).every((id) => plan.mandates.has(id))).toBe(true)
      expect(plan.mandates.has(last)).toBe(true)
      // Planned now, the revoked mandate's invoice is left out, explained.
      const now = await previewDirectDebits(core, { regieId, runId: null, collectionDate: DATE, represent: false })
      expect(now.nbTxs).toBe(11)
      expect(now.leftOut.map((l) => l.reason)).toEqual([expect.stringContaining('Aucun mandat SEPA actif')])
    } finally {
      await core.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)
})
