/**
 * Disk full, through the real HTTP apps (inject): every write answered 2xx is
 * committed — seen from a second connection and after a reopen — and nothing
 * else is; the refused ones say why in French; writes work again as soon as
 * there is room, with no restart.
 *
 * Before the fix, the first SQLITE_FULL left TypeORM believing a transaction
 * was open (its ROLLBACK failed: SQLite had already rolled back); the next
 * refusal (a 409) then left a real one open for good, and every later write
 * answered 200 inside it and was never committed.
 *
 * Run twice: with `PRAGMA max_page_count` (portable), and, when the tests run
 * as root, on a real 6 MB tmpfs filled up by a file.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, rmdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, TEST_PASSWORD, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { enrol, firstChild, seedActivity } from '../helpers/bookings'
import { canMountTmpfs, fillDatabase, fillDisk, makeRoom, readElsewhere } from '../helpers/disk-full'
import { configureSmtp, startSmtp } from '../helpers/smtp'
import { deliverDueMail } from '../../src-main/mail/outbox'
import { seedInvoicingLoad } from '../../bench/billing-load'
import { issueRun } from '../../src-main/billing/invoicing/issue'
import { StorageError } from '../../src-main/db/storage-errors'
import { SYSTEM } from '../../src-main/core/actor'

const STAFF_FULL = 'Le disque de l’ordinateur est plein : rien n’a été enregistré. Libérez de la place puis réessayez.'
const FAMILY_FULL = 'Le serveur de la structure n’a plus de place sur son disque : rien n’a été enregistré. Réessayez plus tard ; si cela dure, prévenez la structure.'

interface Fault {
  fill(core: TestCore): Promise<void>
  room(core: TestCore): Promise<void>
}

/** School weekdays of January 2027 (no holiday), bookable from TEST_NOW under the default deadlines. */
const DAYS = Array.from({ length: 26 }, (_, i) => new Date(Date.UTC(2027, 0, 4 + i)).toISOString().slice(0, 10)).filter((d) => {
  const wd = new Date(`${d}T12:00:00Z`).getUTCDay()
  return wd !== 0 && wd !== 6
})

/** A family big enough (20 children, long names) that creating it always needs fresh pages. */
const bigFamily = (lastName: string) => ({
  responsable: { lastName, firstName: 'Anne', email: `${lastName.toLowerCase()}@exemple.fr` },
  children: Array.from({ length: 20 }, (_, i) => ({
    lastName,
    firstName: `${'Marie-Charlotte-'.repeat(5)}${i}`,
    birthDate: '2019-02-03',
    school: `École élémentaire ${'des Tilleuls '.repeat(6)}`.slice(0, 100)
  }))
})

async function scenario(core: TestCore, fault: Fault): Promise<void> {
  const staffApp = await buildStaffApp(core)
  const portalApp = await buildPortalApp(core)
  const staff = await seedStaff(core, 'direction')
  const desk = await client(staffApp, 'staff')
  await desk.loginStaff(staff.login, staff.password)
  const fam = await seedFamily(core)
  const act = await seedActivity(core, { validation: 'auto', openingRule: 'weekdays' })
  const childId = await firstChild(core, fam.familyId)
  await enrol(core, act, childId)
  const portal = await client(portalApp, 'portal')
  await portal.loginPortal(fam.login, fam.password)
  const smtp = await startSmtp()
  await configureSmtp(core, smtp.port)

  const acked = { families: [] as string[], days: [] as string[] }
  const create = async (tag: string) => {
    const name = `Disque-${tag}`
    const r = await desk.call('families-create', bigFamily(name))
    if (r.status === 200) acked.families.push(name)
    return r
  }
  let next = 0
  const book = async (n: number) => {
    const days = DAYS.slice(next, (next += n))
    const r = await portal.call('bookings-commit', { changes: days.map((day) => ({ childId, unitId: act.units[0].id, day, op: 'add' })) })
    if (r.status === 200) acked.days.push(...days)
    return r
  }

  expect((await create('avant')).status).toBe(200)
  expect((await book(1)).status).toBe(200)

  await fault.fill(core)
  const deskRefused = []
  for (let i = 0; i < 4; i++) {
    const r = await create(`plein-${i}`)
    if (r.status !== 200) deskRefused.push(r)
  }
  const portalRefused = []
  for (let i = 0; i < 3; i++) {
    const r = await book(4)
    if (r.status !== 200) portalRefused.push(r)
  }
  // The disk really was full for these writes, and each refusal names the cause.
  expect(deskRefused.length).toBeGreaterThan(0)
  expect(portalRefused.length).toBeGreaterThan(0)
  for (const r of deskRefused) expect(r.body.error).toEqual({ code: 'disk_full', message: STAFF_FULL })
  for (const r of deskRefused) expect(r.status).toBe(503)
  for (const r of portalRefused) expect(r.body.error).toEqual({ code: 'disk_full', message: FAMILY_FULL })
  for (const r of portalRefused) expect(r.status).toBe(503)

  // An ordinary refusal after the failure: before the fix, it left a transaction open for good.
  const dup = await desk.call('staff-create', { login: staff.login, displayName: 'Doublon', role: 'accueil', password: TEST_PASSWORD })
  expect(dup.status).toBe(409)
  // Reading still works.
  expect((await desk.call('families-search', { query: 'Disque' })).status).toBe(200)

  // The outbox sender on a full disk: it sends nothing it could not first mark as being sent, and does not crash.
  const stalled = await deliverDueMail(core).catch((e: unknown) => e)
  if (stalled instanceof Error) expect(stalled).toBeInstanceOf(StorageError)

  await fault.room(core)
  for (let i = 0; i < 3; i++) expect((await create(`apres-${i}`)).status).toBe(200)
  expect((await book(2)).status).toBe(200)
  expect((await book(1)).status).toBe(200)

  const committed = (file: string) => ({
    families: readElsewhere<{ n: string }>(file, `SELECT last_name AS n FROM person WHERE last_name LIKE 'Disque-%' AND role = 'responsable' ORDER BY id`).map((r) => r.n),
    days: readElsewhere<{ d: string }>(file, `SELECT day AS d FROM booking WHERE child_id = ? AND state = 'R' ORDER BY day`, childId).map((r) => r.d)
  })
  const expected = { families: acked.families, days: [...acked.days].sort() }
  expect(acked.families).toContain('Disque-apres-2')
  // Another connection sees every acknowledged write and nothing else…
  expect(committed(core.paths.dbFile)).toEqual(expected)

  // Every queued e-mail (the booking recaps) delivered exactly once, with its own Message-ID.
  await deliverDueMail(core)
  await deliverDueMail(core)
  const outbox = readElsewhere<{ status: string; messageId: string }>(core.paths.dbFile, 'SELECT status, message_id AS messageId FROM outbox_mail ORDER BY id')
  expect(outbox.length).toBeGreaterThan(0)
  expect(outbox.every((o) => o.status === 'sent')).toBe(true)
  expect(smtp.messages.map((m) => m.parsed.messageId).sort()).toEqual(outbox.map((o) => o.messageId).sort())
  await smtp.stop()

  await staffApp.close()
  await portalApp.close()
  await core.close()
  // …and so does the app after a restart.
  const reopened = await openTestCore({ dataDir: core.paths.dataDir })
  try {
    expect(committed(reopened.paths.dbFile)).toEqual(expected)
    expect(reopened.db.pragma('integrity_check', { simple: true })).toBe('ok')
  } finally {
    await reopened.close()
  }
}

describe('disk full', () => {
  test('SQLITE_FULL (max_page_count): every 2xx committed, nothing else; writes resume without restart', async () => {
    const core = await openTestCore()
    try {
      await scenario(core, { fill: fillDatabase, room: makeRoom })
    } finally {
      await core.cleanup()
    }
  }, 60_000)

  test('the invoicing run on a full disk: refused in French, wholly absent; it runs once there is room', async () => {
    const core = await openTestCore()
    try {
      const load = await seedInvoicingLoad(core, { families: 20 })
      const run = () => issueRun(core, SYSTEM, { regieId: load.regieId, month: load.month })
      await fillDatabase(core)
      const refused = await run().catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(StorageError)
      expect((refused as StorageError).message).toBe(STAFF_FULL)
      const count = (t: string) => readElsewhere<{ n: number }>(core.paths.dbFile, `SELECT COUNT(*) AS n FROM ${t}`)[0].n
      // Visible: published runs, and invoices through the view (a run being prepared may have its unpublished row).
      for (const t of ['invoicing_run WHERE published = 1', 'invoice', 'invoice_line l JOIN invoice i ON i.id = l.invoice_id']) expect(count(t), t).toBe(0)
      // The idle WAL checkpoint runs after the failed write too, without an unhandled rejection (vitest would fail).
      await new Promise((r) => setTimeout(r, 1200))
      await makeRoom(core)
      const r = await run()
      expect(r.firstNumber).toBeTruthy()
      expect(count('invoice')).toBe(r.invoiceCount)
    } finally {
      await core.cleanup()
    }
  }, 60_000)

  test.skipIf(!canMountTmpfs())('a real full disk (6 MB tmpfs): the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ribambelle-tmpfs-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', dir])
    const filler = join(dir, 'filler')
    try {
      const core = await openTestCore({ dataDir: join(dir, 'data') })
      try {
        await scenario(core, {
          async fill(c) {
            // An empty WAL: the next commits need fresh space, which the filler will have taken.
            await c.tx.exclusive(() => void c.db.pragma('wal_checkpoint(TRUNCATE)'))
            fillDisk(filler)
          },
          async room() {
            rmSync(filler)
          }
        })
      } finally {
        await core.close()
      }
    } finally {
      execFileSync('umount', [dir])
      rmdirSync(dir)
    }
  }, 60_000)
})
