/**
 * #3 at commune scale, on a copy of the 20,000-family database:
 * - a message to every family (one thread each, e-mails queued in the outbox), in one transaction;
 * - the staff inbox, unread counts and a family's unread count once threads exist;
 * - loading a whole family file; a change request filed then accepted;
 * - the upload check (file-type sniffing + SHA-256) of a 6 Mo PDF.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/family-file.ts
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openCore } from '../src-main/core/app-core'
import type { Actor } from '../src-main/core/actor'
import { checkUpload } from '../src-main/documents/storage'
import { acceptFileChange, requestFileChange } from '../src-main/families/change-requests'
import { loadFamilyFile } from '../src-main/families/file'
import { composeAsStaff, familyUnreadCount, listStaffThreads, sendFamilyMessage, staffUnreadCounts } from '../src-main/messaging/messaging'
import { openBenchCore, printRow, time } from './lib'

async function main() {
  const source = await openBenchCore()
  const dir = mkdtempSync(join(tmpdir(), 'rb-bench-ff-'))
  await source.db.backup(join(dir, 'ribambelle.sqlite'))
  await source.close()
  const core = await openCore({ dataDir: dir, log: () => {} })
  // A database migrated before 0002's message index changed keeps the old one: align the copy.
  core.db.exec(`DROP INDEX IF EXISTS message_thread_idx; CREATE INDEX message_thread_idx ON message(thread_id, author_kind, read_at)`)
  const staff = { kind: 'staff', id: 1, label: 'Bench', role: 'direction' } as Extract<Actor, { kind: 'staff' }>
  await core.db.prepare(`INSERT OR IGNORE INTO staff_user (id, login, display_name, role, password_hash, created_at) VALUES (1, 'bench', 'Bench', 'direction', 'x', ?)`).run(new Date().toISOString())
  const families = (core.db.prepare(`SELECT id FROM family WHERE status = 'active' ORDER BY id`).all() as { id: number }[]).map((r) => r.id)
  console.log(`${families.length} active families`)

  const [ms, r] = await time(() => composeAsStaff(core, staff, { audience: { kind: 'all' }, serviceId: null, subject: 'Fermeture le 11 novembre', body: 'La structure sera fermée.', sendEmail: true, uploadIds: [] }))
  console.log(`Message to all families: ${r.recipients} threads, ${r.emails} e-mails queued in ${(ms / 1000).toFixed(1)} s (${Math.round(r.recipients / (ms / 1000))} families/s)`)

  // 500 families write to the structure.
  for (const familyId of families.slice(0, 500)) {
    const fam = { kind: 'family', id: 0, familyId, label: `famille ${familyId}` } as Extract<Actor, { kind: 'family' }>
    await sendFamilyMessage(core, fam, { serviceId: 1 + (familyId % 7), themeId: 1, subject: 'Question', body: 'Bonjour', confirmByEmail: false, uploadIds: [] })
  }
  const inbox: number[] = []
  const unread: number[] = []
  const famUnread: number[] = []
  for (let i = 0; i < 30; i++) {
    inbox.push((await time(() => listStaffThreads(core, { folder: 'inbox', limit: 50, offset: 0 })))[0])
    unread.push((await time(() => staffUnreadCounts(core)))[0])
    famUnread.push((await time(() => core.tx.read((m) => familyUnreadCount(m, families[i * 100]))))[0])
  }
  printRow('staff inbox (first 50 threads)', inbox)
  printRow('staff unread counts by service', unread)
  printRow('family unread count (home)', famUnread)

  const file: number[] = []
  for (let i = 0; i < 200; i++) file.push((await time(() => core.tx.read((m) => loadFamilyFile(m, core, families[(i * 97) % families.length], 'accueil'))))[0])
  printRow('load a whole family file', file)

  const cycle: number[] = []
  for (let i = 0; i < 100; i++) {
    const familyId = families[(i * 131) % families.length]
    const accountId = Number(
      core.db.prepare(`INSERT INTO portal_account (family_id, login, password_hash, status, created_at) VALUES (?, ?, 'x', 'active', ?)`).run(familyId, `bench${i}@exemple.fr`, new Date().toISOString()).lastInsertRowid
    )
    const fam = { kind: 'family', id: accountId, familyId, label: 'f' } as Extract<Actor, { kind: 'family' }>
    cycle.push(
      (
        await time(async () => {
          const id = await requestFileChange(core, fam, { section: 'fiscal', values: { taxYear: 2025, referenceIncome: 20_000 + i, taxShares: 2, dependentChildren: 1 } })
          await acceptFileChange(core, staff, id)
        })
      )[0]
    )
  }
  printRow('change request filed + accepted', cycle)

  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(6 * 1024 * 1024 - 9, 32)])
  const check: number[] = []
  for (let i = 0; i < 20; i++) check.push((await time(() => checkUpload('scan.pdf', pdf)))[0])
  printRow('upload check of a 6 Mo PDF', check)

  await core.close()
  rmSync(dir, { recursive: true, force: true })
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
