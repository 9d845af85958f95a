/**
 * Paramètres → Sauvegardes and the copy to a second folder: settings
 * validated with French messages, plain and encrypted copies, encrypted
 * round trip through restore and the CLI, wrong passphrase and tampered
 * bytes refused, a missing folder reported without failing the backup, and
 * the passphrase stored nowhere.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { corePaths } from '../../src-main/core/app-core'
import { listBackups } from '../../src-main/db/backup'
import { restoreDatabase } from '../../src-main/db/restore'
import { generateFamilies } from '../../src-main/demo/generate'
import { createFamily } from '../../src-main/families/families'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { count, flipByte, runTs } from '../helpers/backups'
import { client, type TestClient } from '../helpers/http'
import { openTestCore, seedStaff, type TestCore } from '../helpers/core'

const PASSPHRASE = 'Le hérisson traverse la Garonne à vélo'
let core: TestCore
let app: FastifyInstance
let direction: TestClient
let usb: string
let encryptedCopy: string
const dirs: string[] = []

beforeAll(async () => {
  core = await openTestCore()
  await core.tx.run(async (m) => {
    for (const f of generateFamilies(60)) await createFamily(m, core, SYSTEM, f)
  })
  app = await buildStaffApp(core)
  const staff = await seedStaff(core, 'direction')
  direction = await client(app, 'staff')
  await direction.loginStaff(staff.login, staff.password)
  usb = mkdtempSync(join(tmpdir(), 'ribambelle-usb-'))
  dirs.push(usb)
}, 60_000)
afterAll(async () => {
  await app.close()
  await core.cleanup()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** The form as saved from the screen: with the version of the settings just read. */
const settings = async (over: Record<string, unknown> = {}) => ({
  daily: true,
  dailyTime: '12:30',
  atQuit: true,
  copyDir: '',
  encrypt: false,
  passphrase: '',
  version: (await direction.call('backups-settings-get', {})).body.version,
  ...over
})

/** A copy of the test database in a data directory of its own, to restore into. */
async function restoreTarget() {
  const d = mkdtempSync(join(tmpdir(), 'ribambelle-target-'))
  dirs.push(d)
  await core.db.backup(join(d, 'ribambelle.sqlite'))
  return corePaths(d)
}

describe('Paramètres → Sauvegardes', () => {
  test('the defaults: a daily backup at 12:30 and one at closing, no second folder, no passphrase', async () => {
    const r = await direction.call('backups-settings-get', {})
    expect(r.body).toEqual({ daily: true, dailyTime: '12:30', atQuit: true, copyDir: '', encrypt: false, keyFingerprint: '', keySetAt: null, lastRun: null, version: 0 })
  })

  test('each bad input is refused with a French message on its field, and nothing is saved', async () => {
    const refusals: [Record<string, unknown>, string, RegExp][] = [
      [{ dailyTime: '25:00' }, 'dailyTime', /^Heure invalide : format HH:MM/],
      [{ dailyTime: '9h' }, 'dailyTime', /^Heure invalide/],
      [{ copyDir: 'sauvegardes' }, 'copyDir', /^Indiquez le chemin complet du dossier/],
      [{ copyDir: join(usb, 'absent') }, 'copyDir', /^Dossier introuvable : .*absent\. Branchez le support/],
      [{ copyDir: core.paths.backupDir }, 'copyDir', /est dans les données de Ribambelle : choisissez un autre support/],
      [{ encrypt: true }, 'encrypt', /indiquez d’abord ce dossier/],
      [{ copyDir: usb, encrypt: true }, 'passphrase', /^Choisissez une phrase de passe/],
      [{ copyDir: usb, encrypt: true, passphrase: 'trop court' }, 'passphrase', /^Phrase de passe refusée\. Le mot de passe doit contenir au moins 12 caractères/]
    ]
    mkdirSync(core.paths.backupDir, { recursive: true })
    for (const [over, field, message] of refusals) {
      const r = await direction.call('backups-settings-update', await settings(over))
      expect(r.status, JSON.stringify(over)).toBe(400)
      expect(r.body.error.fields?.[field] ?? r.body.error.message, JSON.stringify(over)).toMatch(message)
    }
    expect((await direction.call('backups-settings-get', {})).body.copyDir).toBe('')
  })

  test('the passphrase is stored nowhere: not in the settings, not in the audit; only a key it opens, and its fingerprint', async () => {
    const r = await direction.call('backups-settings-update', await settings({ copyDir: usb, encrypt: true, passphrase: PASSPHRASE, dailyTime: '18:05' }))
    expect(r.status).toBe(200)
    const got = (await direction.call('backups-settings-get', {})).body
    expect(got).toMatchObject({ copyDir: usb, encrypt: true, dailyTime: '18:05', keySetAt: core.clock.now().toISOString() })
    expect(got.keyFingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/)
    const db = Buffer.concat([readFileSync(core.paths.dbFile), readFileSync(`${core.paths.dbFile}-wal`)])
    expect(db.includes(Buffer.from(PASSPHRASE))).toBe(false)
    expect(db.includes(Buffer.from('Garonne'))).toBe(false)
    const [audit] = await core.ds.query(`SELECT after FROM audit_entry WHERE action = 'setting-update' AND entity_id = 'backups' ORDER BY id DESC LIMIT 1`)
    expect(JSON.parse(audit.after)).toMatchObject({ copyDir: usb, encrypt: true, key: '***' })
    expect((await direction.call('backups-passphrase-check', { passphrase: PASSPHRASE })).body).toEqual({ matches: true })
    expect((await direction.call('backups-passphrase-check', { passphrase: 'Le hérisson traverse la Garonne à pied' })).body).toEqual({ matches: false })
  })
})

describe('the copy to a second folder', () => {
  test('an encrypted copy: verified, unreadable without the passphrase, restorable with it', async () => {
    const r = await direction.call('backups-create', {})
    expect(r.status).toBe(200)
    expect(r.body.copy).toEqual({ ok: true, name: `${r.body.name}.enc`, message: `Copie chiffrée faite dans ${usb}.` })
    encryptedCopy = join(usb, r.body.copy.name)
    expect(readdirSync(usb)).toEqual([r.body.copy.name])
    const bytes = readFileSync(encryptedCopy)
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('RIBBKENC')
    expect(bytes.includes(Buffer.from('SQLite format 3'))).toBe(false)
    // Long needles only: a 3-letter surname turns up in 200 KB of random bytes one run in a hundred.
    expect(bytes.includes(Buffer.from('CREATE TABLE family'))).toBe(false)
    const email = (await core.ds.query(`SELECT email FROM person WHERE email <> '' LIMIT 1`))[0].email
    expect(email.length).toBeGreaterThan(15)
    expect(bytes.includes(Buffer.from(email))).toBe(false)
    // (the same needles are in the plain backup: the check can fail)
    const plain = readFileSync(listBackups(core.paths.backupDir).find((b) => b.name === r.body.name)!.file)
    expect(plain.includes(Buffer.from(email)) && plain.includes(Buffer.from('CREATE TABLE family'))).toBe(true)
    expect(listBackups(usb)).toEqual([expect.objectContaining({ name: r.body.copy.name, encrypted: true, reason: 'manuelle' })])

    const target = await restoreTarget()
    await core.ds.query(`UPDATE family SET notes = 'après la copie'`)
    const restored = await restoreDatabase(target, encryptedCopy, { passphrase: async () => PASSPHRASE })
    expect(restored.counts.family).toBe(60)
    expect(count(target.dbFile, 'SELECT COUNT(*) FROM family')).toBe(60)
  })

  test('a wrong passphrase is refused in French, and the database is untouched', async () => {
    const target = await restoreTarget()
    const before = readFileSync(target.dbFile)
    const err = await restoreDatabase(target, encryptedCopy, { passphrase: async () => 'Le hérisson traverse la Garonne en bus' }).catch((e) => e)
    expect(err.code).toBe('backup_wrong_passphrase')
    expect(err.message).toMatch(/^Phrase de passe incorrecte pour la copie chiffrée ribambelle-.*\.sqlite\.enc\. Vérifiez-la/)
    expect(readFileSync(target.dbFile).equals(before)).toBe(true)
    expect(readdirSync(target.dataDir).filter((n) => n.includes('tmp'))).toEqual([])
  })

  for (const [where, offset] of [
    ['a byte of the encrypted data', 4096],
    ['a byte of the authentication tag', -1],
    ['a byte of the file’s own public key', 170],
    ['a byte of the encrypted private key', 120]
  ] as const) {
    test(`${where} changed: refused as modified, nothing restored`, async () => {
      const tampered = join(usb, `modifiee-${offset}.sqlite.enc`)
      copyFileSync(encryptedCopy, tampered)
      flipByte(tampered, offset)
      const target = await restoreTarget()
      const before = readFileSync(target.dbFile)
      const err = await restoreDatabase(target, tampered, { passphrase: async () => PASSPHRASE }).catch((e) => e)
      expect(err.code).toBe('backup_tampered')
      expect(err.message).toBe(
        `La copie chiffrée modifiee-${offset}.sqlite.enc a été modifiée ou est abîmée : son contenu ne correspond plus à son code d’authentification. Rien n’a été restauré.`
      )
      expect(readFileSync(target.dbFile).equals(before)).toBe(true)
      expect(readdirSync(target.dataDir).filter((n) => n.includes('tmp'))).toEqual([])
      rmSync(tampered)
    })
  }

  test('db:restore asks the passphrase (read from stdin when it is not a terminal)', async () => {
    const target = await restoreTarget()
    const cli = (stdin: string) => runTs('src-main/cli.ts', ['restore', encryptedCopy, '--data-dir', target.dataDir], { stdin })
    const wrong = await cli('pas la bonne phrase du tout\n')
    expect(wrong.code).toBe(1)
    expect(wrong.err.trim()).toMatch(/^Erreur : Phrase de passe incorrecte pour la copie chiffrée/)
    const ok = await cli(`${PASSPHRASE}\n`)
    expect(ok.code, ok.err).toBe(0)
    expect(ok.out).toContain('60 familles')
    const list = await runTs('src-main/cli.ts', ['backups', '--from', usb])
    expect(list.out).toMatch(/\.sqlite\.enc\t\d+ octets\tchiffrée/)
  }, 60_000)

  test('a plain copy is byte for byte the verified backup', async () => {
    expect((await direction.call('backups-settings-update', await settings({ copyDir: usb }))).status).toBe(200)
    core.clock.advance(1000)
    const r = await direction.call('backups-create', {})
    expect(r.body.copy).toMatchObject({ ok: true, name: r.body.name })
    const local = listBackups(core.paths.backupDir).find((b) => b.name === r.body.name)!
    expect(readFileSync(join(usb, r.body.name)).equals(readFileSync(local.file))).toBe(true)
  })

  test('a missing second folder (USB key unplugged) is reported, the local backup stands, and the folder is not created', async () => {
    const key = mkdtempSync(join(tmpdir(), 'ribambelle-key-'))
    expect((await direction.call('backups-settings-update', await settings({ copyDir: key }))).status).toBe(200)
    rmSync(key, { recursive: true })
    core.clock.advance(1000)
    const r = await direction.call('backups-create', {})
    expect(r.status).toBe(200)
    expect(r.body.copy).toEqual({
      ok: false,
      name: null,
      message: `Second dossier introuvable : ${key} (clé USB débranchée ou partage réseau indisponible ?). La sauvegarde est faite sur cet ordinateur, pas sa copie.`
    })
    expect(listBackups(core.paths.backupDir)[0].name).toBe(r.body.name)
    expect(existsSync(key)).toBe(false)
  })
})
