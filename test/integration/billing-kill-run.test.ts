/**
 * An invoicing run killed midway (SIGKILL, no chance to clean up) leaves the
 * database intact and the run wholly absent; run to the end, it is wholly
 * present: every invoice, every line, gapless numbers. The run is staged in
 * short transactions (#19): killed while staging, it leaves staged rows that
 * nobody sees, which « Abandonner » deletes and « Émettre » resumes — taking
 * in what changed meanwhile.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { listBackups, integrityCheck } from '../../src-main/db/backup'
import { openTestCore, seedStaff, type TestCore } from '../helpers/core'
import { runTs } from '../helpers/backups'
import { seedInvoicingLoad } from '../../bench/billing-load'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { client } from '../helpers/http'
import { discardStage } from '../../src-main/billing/invoicing/staging'
import { SYSTEM } from '../../src-main/core/actor'

let dataDir: string
let owner: TestCore
let regieId: number
let month: string
let bookings: number

/** The issue in a child process; with `killOnProgress`, killed once `killOn` reports `killAt` or beyond. */
async function runChild(env: Record<string, string>, killOnProgress: boolean, killAt = 0, killOn = /PROGRESS (\d+)/g) {
  const r = await runTs('test/helpers/billing-issue-child.ts', [dataDir, String(regieId), month], {
    env,
    // The uninterrupted run issues 400 families: more than the default minute on a loaded machine.
    timeoutMs: 300_000,
    killWhen: killOnProgress ? (out) => [...out.matchAll(killOn)].some((m) => Number(m[1]) >= killAt) : undefined
  })
  // The process that held the transaction is gone for good.
  if (r.signal === 'SIGKILL') expect(() => process.kill(r.pid, 0)).toThrow()
  return r
}

beforeAll(async () => {
  owner = await openTestCore()
  dataDir = owner.paths.dataDir
  const load = await seedInvoicingLoad(owner, { families: 400 })
  regieId = load.regieId
  month = load.month
  bookings = load.bookings
  await owner.close()
}, 120_000)

afterAll(async () => {
  await owner.cleanup()
})

const count = (core: TestCore, table: string) => (core.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n
const VISIBLE = ['invoicing_run', 'invoice', 'invoice_line', 'billed_booking', 'billed_flat', 'payment_allocation']
/** Rows families and accountants can see: those of published runs (the `invoice` view, migration 0024). */
const visible = (core: TestCore, table: string) =>
  table === 'invoicing_run'
    ? (core.db.prepare('SELECT COUNT(*) AS n FROM invoicing_run WHERE published = 1').get() as { n: number }).n
    : table === 'invoice'
      ? count(core, 'invoice')
      : (core.db.prepare(`SELECT COUNT(*) AS n FROM ${table} x JOIN invoice i ON i.id = x.invoice_id`).get() as { n: number }).n
/** A billable booking of the first family, made not billable while its staged invoice waits. */
let changedBooking = 0

describe('killing the invoicing process', () => {
  test('midway: integrity ok, the run wholly absent', async () => {
    const r = await runChild({ PAUSE_MS: '20000' }, true)
    expect(r.signal, r.err).toBe('SIGKILL')
    expect(r.out).toMatch(/PROGRESS 50 \d+/)
    expect(r.out).not.toContain('DONE')
    const core = await openTestCore({ dataDir })
    try {
      expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok')
      // Killed inside the first chunk's transaction: nothing of it was written; the run exists, unpublished.
      for (const t of ['invoice_row', 'invoice_line', 'billed_booking', 'price_explanation']) expect(count(core, t), t).toBe(0)
      expect(visible(core, 'invoicing_run')).toBe(0)
      expect(core.db.prepare(`SELECT value FROM counter WHERE name = ?`).get(`regie:${regieId}:invoice`)).toBeUndefined()
      // The automatic backup taken before the transaction is there, and sound.
      const b = listBackups(core.paths.backupDir).find((x) => x.reason === 'avant-facturation')
      expect(b).toBeDefined()
      expect(integrityCheck(b!.file)).toBe('ok')
    } finally {
      await core.close()
    }
  }, 120_000)

  test('killed while staging the chunk that reaches family 400: nothing visible; « Abandonner la préparation » deletes the staged rows', async () => {
    const r = await runChild({ PAUSE_MS: '20000', PAUSE_AT: '400' }, true, 400)
    expect(r.signal, r.err).toBe('SIGKILL')
    const progress = [...r.out.matchAll(/PROGRESS (\d+)/g)].map((m) => Number(m[1]))
    expect(progress[progress.length - 1]).toBeGreaterThanOrEqual(400)
    const core = await openTestCore({ dataDir })
    try {
      expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok')
      for (const t of VISIBLE) expect(visible(core, t), t).toBe(0)
      expect(core.db.prepare(`SELECT value FROM counter WHERE name = ?`).get(`regie:${regieId}:invoice`)).toBeUndefined()
      // The chunks before the one reaching family 400 committed, written in place (their size adapts to their
      // transactions' length: the progress line before the last is what had committed); the kill landed inside the next.
      const committed = progress[progress.length - 2]
      expect(committed).toBeGreaterThanOrEqual(50)
      expect(committed).toBeLessThan(400)
      expect(count(core, 'invoice_stage')).toBe(committed)
      expect(count(core, 'invoice_line')).toBeGreaterThan(10_000)
      expect(count(core, 'invoice_row')).toBeGreaterThan(300)
      // What the Facturation screen calls: the interrupted preparation is shown, then abandoned.
      const staffApp = await buildStaffApp(core)
      try {
        const comptable = await seedStaff(core, 'comptable')
        const staff = await client(staffApp, 'staff')
        await staff.loginStaff(comptable.login, comptable.password)
        const staged = await staff.call('billing-run-staged', { regieId })
        expect(staged.status).toBe(200)
        expect(staged.body).toMatchObject({ month, families: committed, invoices: null, numbered: 0, running: false })
        const d = await staff.call('billing-run-discard', { regieId })
        expect(d.body).toEqual({ discarded: true, month })
        expect((await staff.call('billing-run-staged', { regieId })).body).toBeNull()
      } finally {
        await staffApp.close()
      }
      for (const t of ['invoice_stage_run', 'invoice_stage', 'invoice_stage_line', 'invoice_stage_booking', 'invoice_stage_dirty']) expect(count(core, t), t).toBe(0)
      for (const t of [...VISIBLE, 'invoice_row']) expect(count(core, t), t).toBe(0)
      expect(core.db.prepare(`SELECT COUNT(*) AS n FROM audit_entry WHERE action = 'invoicing-run-discard'`).get()).toEqual({ n: 1 })
    } finally {
      await core.close()
    }
  }, 120_000)

  test('killed while staging, then a booking of a staged family changes: still nothing visible', async () => {
    const r = await runChild({ PAUSE_MS: '20000', PAUSE_AT: '200' }, true, 200)
    expect(r.signal, r.err).toBe('SIGKILL')
    const core = await openTestCore({ dataDir })
    try {
      for (const t of VISIBLE) expect(visible(core, t), t).toBe(0)
      // The family staged first: one of its billable bookings becomes an excused absence (not billed).
      const first = core.db.prepare('SELECT family_id, family_number FROM invoice_stage ORDER BY family_number LIMIT 1').get() as { family_id: number; family_number: number }
      const b = core.db
        .prepare(`SELECT b.id FROM booking b JOIN child c ON c.id = b.child_id WHERE c.family_id = ? AND b.state = 'R' ORDER BY b.id LIMIT 1`)
        .get(first.family_id) as { id: number }
      const staged = core.db.prepare('SELECT COUNT(*) AS n FROM billed_booking WHERE booking_id = ?').get(b.id) as { n: number }
      expect(staged.n).toBe(1)
      // A booking of another month (the next year's same month) booked, changed, deleted: nothing the run reads,
      // so the family is not sent back to be restaged.
      const dirty = count(core, 'invoice_stage_dirty')
      const cols = (core.db.prepare('PRAGMA table_info(booking)').all() as { name: string }[]).map((c) => c.name).filter((c) => c !== 'id')
      const later = `${Number(month.slice(0, 4)) + 1}${month.slice(4)}-04`
      const other = core.db.prepare(`INSERT INTO booking (${cols.join(', ')}) SELECT ${cols.map((c) => (c === 'day' ? '?' : c)).join(', ')} FROM booking WHERE id = ?`).run(later, b.id).lastInsertRowid
      core.db.prepare(`UPDATE booking SET state = 'A_EXC' WHERE id = ?`).run(other)
      core.db.prepare('DELETE FROM booking WHERE id = ?').run(other)
      expect(count(core, 'invoice_stage_dirty')).toBe(dirty)
      core.db.prepare(`UPDATE booking SET state = 'A_EXC' WHERE id = ?`).run(b.id)
      expect(count(core, 'invoice_stage_dirty')).toBe(dirty + 1)
      changedBooking = b.id
    } finally {
      await core.close()
    }
  }, 120_000)

  test('killed once its numbers are given: still nothing visible, and it can no longer be abandoned', async () => {
    const r = await runChild({ PAUSE_MS: '20000', PAUSE_NUMBERED: '1' }, true, 1, /NUMBERED (\d+)/g)
    expect(r.signal, r.err).toBe('SIGKILL')
    const core = await openTestCore({ dataDir })
    try {
      expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok')
      for (const t of VISIBLE) expect(visible(core, t), t).toBe(0)
      const numbered = core.db.prepare("SELECT COUNT(*) AS n FROM invoice_row WHERE number NOT LIKE '~%'").get() as { n: number }
      expect(numbered.n).toBeGreaterThan(300)
      // The numbers are reserved: abandoning now would leave a gap, so « Émettre » must finish the run.
      expect(core.db.prepare(`SELECT value FROM counter WHERE name = ?`).get(`regie:${regieId}:invoice`)).toEqual({ value: numbered.n })
      await expect(discardStage(core, SYSTEM, regieId)).rejects.toThrow(/ne peut plus être abandonnée/)
    } finally {
      await core.close()
    }
  }, 120_000)

  test('to the end: the run wholly present, numbers gapless', async () => {
    const r = await runChild({}, false)
    expect(r.code, r.err).toBe(0)
    const n = Number(/DONE (\d+)/.exec(r.out)?.[1])
    expect(n).toBeGreaterThan(300)
    const core = await openTestCore({ dataDir })
    try {
      expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok')
      const run = core.db.prepare('SELECT * FROM invoicing_run').all() as { invoice_count: number; line_count: number; total_cents: number }[]
      expect(run).toHaveLength(1)
      expect(count(core, 'invoice')).toBe(run[0].invoice_count)
      expect(count(core, 'invoice_line')).toBe(run[0].line_count)
      expect((core.db.prepare('SELECT SUM(total_cents) AS s FROM invoice').get() as { s: number }).s).toBe(run[0].total_cents)
      expect((core.db.prepare('SELECT SUM(amount_cents) AS s FROM invoice_line').get() as { s: number }).s).toBe(run[0].total_cents)
      const seqs = (core.db.prepare('SELECT seq FROM invoice ORDER BY seq').all() as { seq: number }[]).map((x) => x.seq)
      expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1))
      // Every billable booking is billed exactly once (the rest are A_EXC).
      const billable = (core.db.prepare(`SELECT COUNT(*) AS n FROM booking WHERE state IN ('R','PRESENT','A_FACT','ABSENT')`).get() as { n: number }).n
      expect(count(core, 'billed_booking')).toBe(billable)
      expect(billable).toBeLessThan(bookings)
      // Resumed: the booking changed while the run was staged is not billed; the staging rows are gone.
      expect(changedBooking).toBeGreaterThan(0)
      expect(core.db.prepare('SELECT COUNT(*) AS n FROM billed_booking WHERE booking_id = ?').get(changedBooking)).toEqual({ n: 0 })
      expect(core.db.prepare('SELECT COUNT(*) AS n FROM invoice_line WHERE booking_id = ?').get(changedBooking)).toEqual({ n: 0 })
      for (const t of ['invoice_stage_run', 'invoice_stage', 'invoice_stage_line', 'invoice_stage_booking', 'invoice_stage_dirty']) expect(count(core, t), t).toBe(0)
      // Published, every row is visible and immutable again.
      expect(count(core, 'invoice_row')).toBe(n)
      expect(visible(core, 'invoice_line')).toBe(count(core, 'invoice_line'))
      expect(() => core.db.prepare('UPDATE invoice_row SET total_cents = 1 WHERE id = (SELECT MIN(id) FROM invoice_row)').run()).toThrow(/immutable/)
      expect(() => core.db.prepare('DELETE FROM invoice_line WHERE id = (SELECT MIN(id) FROM invoice_line)').run()).toThrow(/never deleted/)
      expect(() => core.db.prepare('UPDATE invoicing_run SET published = 0').run()).toThrow(/stays published/)
    } finally {
      await core.close()
    }
  }, 180_000)
})
