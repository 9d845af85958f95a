/**
 * Import from Noethys (#14 part 1) on the shared synthetic sample (copied to
 * test/fixtures/noethys) and on files generated with the same schema:
 * what lands where, the « informations importées » note, the refusals of bad
 * files, and that a failed commit leaves nothing behind.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { IMPORT_MAX_BYTES } from '@shared/contract/imports-shapes'
import { listBackups } from '../../src-main/db/backup'
import { searchFamilies } from '../../src-main/families/families'
import { commitImport } from '../../src-main/imports/commit'
import { previewImport } from '../../src-main/imports/preview'
import { receiveImportUpload } from '../../src-main/imports/uploads'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { importsStaffHandlers } from '../../src-main/rpc/staff-imports'
import { auditRows, openTestCore, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { count, fixture, importFile, NOC_PASSWORD, postImport, request, SAMPLE, SAMPLE_NOW, seedRegie } from '../helpers/imports'
import { generateNoethysFile } from '../helpers/noethys-file'

const tmp = mkdtempSync(join(tmpdir(), 'ribambelle-noethys-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** The sample with its parametres (or a table) changed, as another Noethys version would write it. */
function sampleWith(sql: string): Buffer {
  const path = join(tmp, `s-${Math.random().toString(16).slice(2)}.sqlite`)
  copyFileSync(join(__dirname, '..', 'fixtures', 'noethys', 'Exemple_DATA.dat'), path)
  const db = new Database(path)
  db.exec(sql)
  db.close()
  return readFileSync(path)
}

describe('the shared sample, through the HTTP upload route', () => {
  let core: TestCore
  let app: FastifyInstance
  let director: SeededStaff
  let c: TestClient
  beforeAll(async () => {
    core = await openTestCore({ now: SAMPLE_NOW })
    app = await buildStaffApp(core)
    director = await seedStaff(core, 'direction')
    await seedRegie(core, director.actor)
    c = await client(app, 'staff')
    await c.loginStaff(director.login, director.password)
  })
  afterAll(async () => {
    await app.close()
    await core.cleanup()
  })

  let batchId: number
  test('upload, preview, commit: counts, mapping and no refusal', async () => {
    const up = await postImport(app, c, 'Exemple_DATA.dat', SAMPLE())
    expect(up.status).toBe(200)
    expect(up.body).toMatchObject({ format: 'noethys', needsPassword: false, spreadsheet: null })
    const req = { uploadId: up.body.uploadId, options: { openingBalances: true, mandates: true, skipDuplicates: true } }
    const p = await c.call('imports-preview', req)
    expect(p.status).toBe(200)
    expect(p.body.counts).toEqual({
      families: 5, persons: 7, children: 7, pickups: 1, quotients: 1, healthFiles: 3, activities: 1, groups: 2, units: 2,
      enrolments: 6, balances: 2, balanceCents: 2600, mandates: 1, photos: 0, notes: 5
    })
    expect(p.body.facts.map((f: { value: string }) => f.value).join(' ')).toContain('version 1.3.4.2')
    expect(p.body.refusedCount).toBe(0)
    expect(p.body.duplicates).toEqual([])
    expect(p.body.mapping.find((l: { to: string }) => l.to === 'Enfants').count).toBe(7)
    expect(p.body.skipped.map((s: { label: string }) => s.label)).toEqual(expect.arrayContaining(['Tarifs', 'Carnet d’adresses (table contacts)']))
    const families = count(core, 'SELECT COUNT(*) FROM family')
    expect(families).toBe(0)

    const r = await c.call('imports-commit', req)
    expect(r.status).toBe(200)
    expect(r.body.counts).toEqual(p.body.counts)
    batchId = r.body.batchId
  })

  test('families, people and the « informations importées » note', async () => {
    const fams = core.db.prepare('SELECT * FROM family ORDER BY number').all() as { id: number; number: number; notes: string; address: string; city: string }[]
    expect(fams.map((f) => f.number)).toEqual([1001, 1002, 1003, 1004, 1005])
    const martin = fams[0]
    expect(martin).toMatchObject({ address: '12 rue des Tilleuls', city: 'VILLEFICTIVE' })
    const people = core.db.prepare('SELECT role, civility, last_name, first_name, birth_date, quality, situation, address, phone_mobile, email, csp, consent_sms FROM person WHERE family_id = ? ORDER BY role DESC').all(martin.id)
    expect(people).toEqual([
      { role: 'responsable', civility: 'M.', last_name: 'MARTIN', first_name: 'Pierre', birth_date: '1985-03-14', quality: 'Père', situation: 'Marié(e)', address: '12 rue des Tilleuls', phone_mobile: '06 39 98 00 01', email: 'pierre.martin@example.org', csp: 'Cadre', consent_sms: 1 },
      // Sophie's address comes from adresse_auto (Pierre's).
      { role: 'conjoint', civility: 'Mme', last_name: 'MARTIN', first_name: 'Sophie', birth_date: '1987-11-02', quality: 'Mère', situation: 'Marié(e)', address: '12 rue des Tilleuls', phone_mobile: '06 39 98 00 02', email: 'sophie.martin@example.org', csp: 'Employé', consent_sms: 0 }
    ])
    expect(martin.notes).toMatch(/^Informations importées \(Noethys, fichier « Exemple_DATA\.dat », lot n° \d+, le 06\/10\/2025\) :/)
    for (const line of ['nom de naissance LAURENT', 'e-mail professionnel p.martin@example.com', 'Caisse : CAF de la Moselle', 'Dossier Noethys n° 1', 'Mémo de la famille : Famille exemple (synthétique)', 'facturation.martin@example.org', 'la famille doit 10,00']) {
      expect(martin.notes).toContain(line)
    }
    const caf = core.db.prepare('SELECT allocataire_name, regime, allocataire_number, quotient, quotient_valid_until FROM family_caf WHERE family_id = ?').get(martin.id)
    expect(caf).toEqual({ allocataire_name: 'MARTIN Pierre', regime: 'general', allocataire_number: '1234567', quotient: 742, quotient_valid_until: '2025-12-31' })
    // The MSA number keeps its letters and digits; the raw value is in the note.
    expect(core.db.prepare('SELECT regime, allocataire_number FROM family_caf WHERE family_id = ?').get(fams[3].id)).toEqual({ regime: 'msa', allocataire_number: 'MSA889900' })
    expect(fams[3].notes).toContain('N° allocataire tel que saisi dans Noethys : MSA-889900')
  })

  test('a child attached to two families belongs to both households (issue 16): the first holds her enrolment, both notes say so', () => {
    const lea = core.db.prepare(`SELECT c.*, f.number FROM child c JOIN family f ON f.id = c.family_id WHERE first_name = 'Léa'`).all() as { id: number; number: number; sex: string }[]
    expect(lea).toHaveLength(1)
    expect(lea[0]).toMatchObject({ number: 1003, sex: 'F' })
    const second = core.db.prepare('SELECT f.number FROM child_household h JOIN family f ON f.id = h.family_id WHERE h.child_id = ?').pluck().all(lea[0].id)
    expect(second).toEqual([1002])
    const notes = (n: number) => core.db.prepare('SELECT notes FROM family WHERE number = ?').pluck().get(n) as string
    expect(notes(1002)).toContain('BERNARD Léa (née le 11/02/2018) est aussi rattachée à la famille du dossier Noethys n° 3 (PETIT Camille) : elle est l’enfant des deux foyers, avec un dossier commun (identité, santé, autorisations).')
    expect(notes(1003)).toContain('BERNARD Léa est aussi rattachée dans Noethys au dossier Noethys n° 2 (BERNARD Julien) ; son second foyer est la famille du dossier Noethys n° 2 (BERNARD Julien), avec un dossier commun.')
  })

  test('health, schooling, links and the grandmother allowed to pick up', () => {
    const emma = core.db.prepare(`SELECT c.school, c.grade, f.* FROM child c JOIN child_file f ON f.child_id = c.id WHERE c.first_name = 'Emma'`).get() as Record<string, unknown>
    expect(emma).toMatchObject({ school: 'Ecole des Tilleuls', grade: 'PS', allergies: 1, doctor_name: 'GIRARD Anne', doctor_phone: '03 99 00 10 10', link_responsable: 'Père', link_conjoint: 'Mère' })
    expect(emma.allergy_notes).toBe('Allergie arachide — Allergie alimentaire aux arachides (fictif) — traitement : Trousse PAI avec antihistaminique')
    expect(emma.health_notes).toBe('Sieste : Fait la sieste')
    expect(JSON.parse(core.db.prepare(`SELECT vaccines FROM child_file f JOIN child c ON c.id = f.child_id WHERE c.first_name = 'Hugo'`).pluck().get() as string)).toEqual([
      { name: '5. DTpolio - 2ème rappel (à 6 ans)', date: '2023-07-10' }
    ])
    expect(core.db.prepare(`SELECT p.name, p.relationship, p.phone, p.emergency FROM pickup_person p JOIN child c ON c.id = p.child_id WHERE c.first_name = 'Manon'`).all()).toEqual([
      { name: 'LEROY Monique', relationship: 'grand-mère', phone: '03 99 00 40 15', emergency: 0 }
    ])
  })

  test('activity, groups, units and enrolments with their group; the mandate; the opening balances', () => {
    expect(core.db.prepare('SELECT a.name, a.opening_rule, t.kind, f.name AS facility FROM activity a JOIN activity_type t ON t.id = a.activity_type_id JOIN facility f ON f.id = t.facility_id').all()).toEqual([
      { name: 'Accueil de loisirs du mercredi', opening_rule: 'wednesdays', kind: 'mercredi', facility: 'Importé de Noethys' }
    ])
    expect(core.db.prepare('SELECT name, start_date, end_date FROM activity_period').get()).toEqual({ name: 'Du 01/09/2025 au 03/07/2026', start_date: '2025-09-01', end_date: '2026-07-03' })
    expect(core.db.prepare('SELECT name, places FROM activity_group ORDER BY id').all()).toEqual([
      { name: 'Maternels (3-5 ans)', places: 24 },
      { name: 'Elémentaires (6-11 ans)', places: 36 }
    ])
    expect(core.db.prepare('SELECT name, start_time, end_time FROM unit ORDER BY sort').all()).toEqual([
      { name: 'Journée', start_time: '08:30', end_time: '17:30' },
      { name: 'Repas', start_time: '11:45', end_time: '13:30' }
    ])
    expect(count(core, 'SELECT COUNT(*) FROM capacity')).toBe(4)
    const enrolments = core.db.prepare(`SELECT c.first_name, g.name AS grp, e.status FROM enrolment e JOIN child c ON c.id = e.child_id JOIN activity_group g ON g.id = e.group_id ORDER BY c.id`).all()
    expect(enrolments).toEqual([
      { first_name: 'Lucas', grp: 'Elémentaires (6-11 ans)', status: 'validated' },
      { first_name: 'Emma', grp: 'Maternels (3-5 ans)', status: 'validated' },
      { first_name: 'Léa', grp: 'Elémentaires (6-11 ans)', status: 'validated' },
      { first_name: 'Hugo', grp: 'Elémentaires (6-11 ans)', status: 'validated' },
      { first_name: 'Chloé', grp: 'Maternels (3-5 ans)', status: 'waiting' },
      { first_name: 'Manon', grp: 'Maternels (3-5 ans)', status: 'validated' }
    ])
    expect(core.db.prepare('SELECT f.number, s.rum, s.holder, s.iban, s.bic, s.signed_on, s.sequence_type, s.status FROM sepa_mandate s JOIN family f ON f.id = s.family_id').all()).toEqual([
      { number: 1004, rum: 'RUM-F000004-01', holder: 'DUBOIS Nicolas', iban: 'FR7699999000010001234567809', bic: 'FICTFRPPXXX', signed_on: '2025-09-02', sequence_type: 'FRST', status: 'active' }
    ])
    // Σ reglements − Σ prestations: family 1 owes 10 €, family 4 owes 16 € (NOTES §5).
    expect(core.db.prepare('SELECT f.number, a.amount_cents, a.month, a.label, a.invoice_id FROM billing_adjustment a JOIN family f ON f.id = a.family_id ORDER BY f.number').all()).toEqual([
      { number: 1001, amount_cents: 1000, month: '2025-10', label: 'Solde repris de l’ancien logiciel', invoice_id: null },
      { number: 1004, amount_cents: 1600, month: '2025-10', label: 'Solde repris de l’ancien logiciel', invoice_id: null }
    ])
  })

  test('one audit row for the batch, a verified backup before it, and the families found by name', async () => {
    const audits = await auditRows(core)
    expect(audits.filter((a) => a.action === 'import-commit')).toHaveLength(1)
    expect(audits.filter((a) => a.action !== 'import-commit' && !['staff-create', 'regie-create', 'login'].includes(a.action))).toEqual([])
    const row = audits.find((a) => a.action === 'import-commit')!
    expect(row).toMatchObject({ actorId: director.id, entity: 'import_batch', entityId: String(batchId) })
    expect(JSON.stringify(row.after)).not.toContain('FR59')
    expect(listBackups(core.paths.backupDir).map((b) => b.reason)).toContain('avant-import')
    const found = await searchFamilies(core, { query: 'dubois hugo', limit: 10, offset: 0 })
    expect(found.items.map((f) => f.number)).toEqual([1004])
    expect((await searchFamilies(core, { query: '06 39 98 00 13', limit: 10, offset: 0 })).items.map((f) => f.number)).toEqual([1005])
  })

  test('the same file again: every family is a likely duplicate, and is left out unless asked', async () => {
    const up = await postImport(app, c, 'Exemple_DATA.dat', SAMPLE())
    const p = await c.call('imports-preview', { uploadId: up.body.uploadId })
    expect(p.body.duplicates).toHaveLength(5)
    expect(p.body.issues).toContainEqual({ row: null, ref: 'Activité « Accueil de loisirs du mercredi »', message: 'Une activité de ce nom existe déjà dans Ribambelle.', effect: 'activité et ses inscriptions non importées', level: 'warning' })
    expect(p.body.duplicates[0]).toMatchObject({ ref: 'Famille Noethys n° 1 (MARTIN Pierre)', match: 'MARTIN Pierre, né(e) le 14/03/1985', familyNumber: 1001, familyName: 'MARTIN Pierre' })
    expect(p.body.counts).toMatchObject({ families: 0, activities: 0, enrolments: 0 })
    const r = await c.call('imports-commit', { uploadId: up.body.uploadId })
    expect(r.status).toBe(409)
    expect(r.body.error.message).toBe('Rien à importer : toutes les familles du fichier semblent déjà être dans Ribambelle.')
    expect(count(core, 'SELECT COUNT(*) FROM family')).toBe(5)
  })

  test('a 50 MB file is refused with a 413 and a French message, over HTTP and over the procedure', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 0x41)
    const r = await postImport(app, c, 'familles.csv', big)
    expect(r.status).toBe(413)
    expect(r.body.error.message).toMatch(/^Le fichier « familles\.csv » dépasse 40 Mo, la taille maximale d’un import\./)
    // The Electron window sends files through the procedure (IPC has no HTTP body limit): same refusal.
    await expect(
      importsStaffHandlers['imports-upload']({ name: 'gros.nod', contentBase64: Buffer.alloc(IMPORT_MAX_BYTES + 10).toString('base64') }, { core, actor: director.actor } as never)
    ).rejects.toMatchObject({ status: 413, message: expect.stringContaining('« gros.nod » dépasse 40 Mo') })
    expect(count(core, 'SELECT COUNT(*) FROM import_upload')).toBe(1)
  })

  test('only the direction imports; another director cannot use someone else’s upload', async () => {
    const desk = await seedStaff(core, 'accueil')
    const d = await client(app, 'staff')
    await d.loginStaff(desk.login, desk.password)
    expect((await postImport(app, d, 'Exemple_DATA.dat', SAMPLE())).status).toBe(403)
    const other = await seedStaff(core, 'direction')
    const o = await client(app, 'staff')
    await o.loginStaff(other.login, other.password)
    const mine = await postImport(app, c, 'Exemple_DATA.dat', SAMPLE())
    const r = await o.call('imports-preview', { uploadId: mine.body.uploadId })
    expect(r.status).toBe(404)
  })
})

describe('backups (.nod, .noc) and the photos file', () => {
  let core: TestCore
  let director: SeededStaff
  beforeAll(async () => {
    core = await openTestCore({ now: SAMPLE_NOW })
    director = await seedStaff(core, 'direction')
  })
  afterAll(() => core.cleanup())

  test('a .noc opens with its password only; a wrong one is said, nothing read', async () => {
    const up = await receiveImportUpload(core, director.actor, 'Sauvegarde.noc', fixture('sample.noc'))
    expect(up).toMatchObject({ format: 'noethys-encrypted', needsPassword: true })
    await expect(previewImport(core, director.actor, request(up.uploadId))).rejects.toMatchObject({ code: 'password_required', message: 'Cette sauvegarde est chiffrée (.noc) : saisissez le mot de passe choisi dans Noethys.' })
    await expect(previewImport(core, director.actor, request(up.uploadId, { password: 'cle-de-test-noethys' }))).rejects.toMatchObject({
      code: 'wrong_password',
      message: expect.stringMatching(/^Mot de passe incorrect pour cette sauvegarde chiffrée \(\.noc\) : rien n’a été lu\./)
    })
    const p = await previewImport(core, director.actor, request(up.uploadId, { password: NOC_PASSWORD }))
    expect(p.counts).toMatchObject({ families: 5, children: 7, photos: 2 })
  })

  test('a .nod brings its photos: JPEG and PNG become the children’s documents, anything else is refused', async () => {
    const { preview, batch } = await importFile(core, director.actor, 'Sauvegarde.nod', fixture('sample.nod'))
    expect(preview.counts.photos).toBe(2)
    expect(preview.issues).toEqual([{ row: null, ref: 'Famille Noethys n° 5 (LEROY Nathalie)', message: 'Photo de LEROY Manon : ni JPEG ni PNG.', effect: 'photo non importée', level: 'refused' }])
    expect(batch.counts.photos).toBe(2)
    const docs = core.db.prepare(`SELECT c.first_name, d.title, s.mime, d.origin FROM family_document d JOIN child c ON c.id = d.child_id JOIN stored_file s ON s.id = d.file_id ORDER BY c.id`).all()
    expect(docs).toEqual([
      { first_name: 'Lucas', title: 'Photo de Lucas (reprise de Noethys)', mime: 'image/jpeg', origin: 'staff' },
      { first_name: 'Emma', title: 'Photo de Emma (reprise de Noethys)', mime: 'image/png', origin: 'staff' }
    ])
  })

  test('refusals in French: legacy .noc, network backup, photos file alone, unknown or missing version, not Noethys', async () => {
    const refused = (name: string, data: Buffer) => receiveImportUpload(core, director.actor, name, data).then(
      () => 'accepted',
      (e) => e.message as string
    )
    const legacy = await receiveImportUpload(core, director.actor, 'vieille.noc', fixture('sample-legacy.noc'))
    await expect(previewImport(core, director.actor, request(legacy.uploadId, { password: 'x' }))).rejects.toThrow(/ancienne version de Noethys \(format d’avant 2019\)/)
    expect(await refused('reseau.nod', fixture('network.nod'))).toMatch(/^Cette sauvegarde vient d’un fichier Noethys en mode réseau \(MySQL\)/)
    const photos = await receiveImportUpload(core, director.actor, 'Exemple_PHOTOS.dat', fixture('Exemple_PHOTOS.dat'))
    expect(photos.format).toBe('noethys-photos')
    await expect(previewImport(core, director.actor, request(photos.uploadId))).rejects.toThrow(/^Ce fichier est celui des photos de Noethys/)
    expect(await refused('x_DATA.dat', sampleWith(`UPDATE parametres SET parametre = '2.0.1.0' WHERE nom = 'version'`))).toBe(
      'Ce fichier vient de Noethys 2.0.1.0, plus récent que les versions que Ribambelle sait lire (1.0 à 1.3). Ses tables ont pu changer : l’import est refusé plutôt que de mal lire vos données.'
    )
    expect(await refused('x_DATA.dat', sampleWith(`UPDATE parametres SET parametre = 'beta' WHERE nom = 'version'`))).toBe('Version de Noethys inconnue : « beta ». Ribambelle lit les fichiers des versions 1.0 à 1.3.')
    expect(await refused('x_DATA.dat', sampleWith(`DELETE FROM parametres WHERE nom = 'version'`))).toMatch(/^Ce fichier Noethys n’indique pas sa version/)
    expect(await refused('x_DATA.dat', sampleWith('DROP TABLE rattachements'))).toBe('Cette base SQLite n’est pas un fichier de données Noethys : les tables rattachements sont absentes.')
    const truncated = SAMPLE().subarray(0, 8192)
    expect(await refused('x_DATA.dat', truncated)).toMatch(/endommagé|incomplet|absentes/)
    expect(count(core, 'SELECT COUNT(*) FROM import_upload WHERE format NOT IN (\'noethys-encrypted\', \'noethys-photos\', \'noethys-backup\')')).toBe(0)
  })
})

describe('generated files with the same schema', () => {
  test('2,000 families: everything counted lands, balances reconcile, nothing refused', async () => {
    const core = await openTestCore({ now: new Date('2026-10-05T08:00:00Z') })
    try {
      const director = await seedStaff(core, 'direction')
      await seedRegie(core, director.actor)
      const path = join(tmp, 'gen_DATA.dat')
      const facts = generateNoethysFile(path, { families: 2000, year: 2026 })
      const { preview, batch } = await importFile(core, director.actor, 'gen_DATA.dat', readFileSync(path), { options: { openingBalances: true } })
      expect(preview.refusedCount).toBe(0)
      expect(batch.counts).toMatchObject({ families: facts.families, persons: facts.persons, children: facts.children, mandates: facts.mandates, enrolments: facts.enrolments, activities: 1 })
      expect(count(core, 'SELECT COUNT(*) FROM family')).toBe(facts.families)
      expect(count(core, 'SELECT COUNT(*) FROM child')).toBe(facts.children)
      expect(count(core, 'SELECT COUNT(*) FROM enrolment')).toBe(facts.enrolments)
      const owed = [...facts.owed.values()].reduce((s, v) => s + v, 0)
      expect(count(core, 'SELECT SUM(amount_cents) FROM billing_adjustment')).toBe(owed)
      expect(batch.counts.balances).toBe(facts.owed.size)
      // Family numbers continue the sequence, without gap, and createFamily goes on after them.
      expect(count(core, 'SELECT MAX(number) - MIN(number) + 1 FROM family')).toBe(facts.families)
      expect(count(core, `SELECT value FROM counter WHERE name = 'family'`)).toBe(1000 + facts.families)
    } finally {
      await core.cleanup()
    }
  }, 120_000)

  test('an older file (columns added by later versions missing) imports the same way', async () => {
    const core = await openTestCore({ now: new Date('2026-10-05T08:00:00Z') })
    try {
      const director = await seedStaff(core, 'direction')
      const path = join(tmp, 'old_DATA.dat')
      const facts = generateNoethysFile(path, {
        families: 50,
        version: '1.1.5.2',
        dropColumns: [['familles', 'etat'], ['individus', 'etat'], ['quotients', 'IDtype_quotient'], ['quotients', 'revenu'], ['familles', 'allocataire'], ['mandats', 'sequence'], ['inscriptions', 'statut']]
      })
      const { preview, batch } = await importFile(core, director.actor, 'old_DATA.dat', readFileSync(path))
      expect(preview.refusedCount).toBe(0)
      expect(batch.counts).toMatchObject({ families: facts.families, children: facts.children, enrolments: facts.enrolments, mandates: facts.mandates })
      expect(count(core, `SELECT COUNT(*) FROM family_caf WHERE allocataire_name = '' AND quotient IS NOT NULL`)).toBeGreaterThan(0)
      // No `sequence` column: the mandates are taken as recurrent, and the note says why.
      expect(count(core, `SELECT COUNT(*) FROM sepa_mandate WHERE sequence_type = 'RCUR'`)).toBe(facts.mandates)
    } finally {
      await core.cleanup()
    }
  })

  test('anomalies: refused rows with their French reason, raw values kept in the note, the rest imported', async () => {
    const core = await openTestCore({ now: new Date('2026-10-05T08:00:00Z') })
    try {
      const director = await seedStaff(core, 'direction')
      const path = join(tmp, 'bad_DATA.dat')
      // 620 families: the anomalies' family comes after the first 500 read together, so Tom's two families are read apart.
      const facts = generateNoethysFile(path, { families: 620, anomalies: true })
      const { preview } = await importFile(core, director.actor, 'bad_DATA.dat', readFileSync(path))
      const messages = preview.issues.map((i) => `${i.ref} | ${i.message} | ${i.effect}`)
      expect(messages).toEqual(
        expect.arrayContaining([
          'Famille Noethys n° 621 (ANOMALIE Agathe) | ANOMALIE Agathe — Date de naissance : « 1985-02-31 » n’est pas une date qui existe (jour ou mois impossible). | valeur non importée, gardée dans la note',
          'Famille Noethys n° 621 (ANOMALIE Agathe) | ANOMALIE Agathe — E-mail : Adresse e-mail invalide. | valeur non importée, gardée dans la note',
          'Famille Noethys n° 621 (ANOMALIE Agathe) | ANOMALIE Zoé — Date de naissance : « 2015-02-31 » n’est pas une date qui existe (jour ou mois impossible). | enfant non importé, gardé dans la note',
          expect.stringMatching(/^Famille Noethys n° 621 \(ANOMALIE Agathe\) \| Quotient n° \d+ — Quotient familial : -40 est hors des bornes \(0 à 100 000\)\. \| période de QF non importée, gardée dans la note$/),
          'Famille Noethys n° 621 (ANOMALIE Agathe) | Mandat SEPA RUM-ANOMALIE — IBAN invalide : la clé de contrôle ne correspond pas (vérifiez chaque caractère). | mandat non importé, gardé dans la note',
          'Famille Noethys n° 623 | Aucun représentant rattaché : une famille Ribambelle a au moins un responsable. | famille non importée'
        ])
      )
      expect(preview.skipped).toEqual(expect.arrayContaining([expect.objectContaining({ label: 'Dossiers effacés (RGPD)', count: 1 }), expect.objectContaining({ label: 'Rattachements sans individu', count: 1 })]))
      expect(preview.counts.families).toBe(facts.families + 1)
      const note = core.db.prepare(`SELECT notes FROM family f JOIN person p ON p.family_id = f.id WHERE p.first_name = 'Agathe'`).pluck().get() as string
      expect(note).toContain('ANOMALIE Agathe : e-mail non reprise (« agathe.anomalie@@example ») — E-mail : Adresse e-mail invalide.')
      expect(note).toContain('Enfant non repris : ANOMALIE Zoé, date de naissance « 2015-02-31 »')
      expect(note).toContain('Mandat non repris : RUM RUM-ANOMALIE, IBAN FR76 **** **** 0099')
      expect(note).not.toContain('FR7699999000010000000000099')
      // Tom, attached to two families, is in the first one (no enrolment says otherwise).
      expect(core.db.prepare(`SELECT f.number FROM child c JOIN family f ON f.id = c.family_id WHERE c.first_name = 'Tom' AND c.last_name = 'ANOMALIE'`).pluck().all()).toEqual([1001])
      expect(core.db.prepare(`SELECT email, birth_date FROM person WHERE first_name = 'Agathe'`).get()).toEqual({ email: '', birth_date: null })
    } finally {
      await core.cleanup()
    }
  })
})

describe('a failed commit leaves nothing', () => {
  test('disk full in the middle of the transaction: French message, no row of the batch, and the same import goes through later', async () => {
    const core = await openTestCore({ now: new Date('2026-10-05T08:00:00Z') })
    try {
      const director = await seedStaff(core, 'direction')
      const path = join(tmp, 'full_DATA.dat')
      generateNoethysFile(path, { families: 300 })
      const up = await receiveImportUpload(core, director.actor, 'full_DATA.dat', readFileSync(path))
      const req = request(up.uploadId)
      await previewImport(core, director.actor, req)
      const tables = ['family', 'person', 'child', 'enrolment', 'activity', 'sepa_mandate', 'import_batch', 'import_item', 'audit_entry']
      const snapshot = () => Object.fromEntries(tables.map((t) => [t, count(core, `SELECT COUNT(*) FROM ${t}`)]))
      const before = snapshot()
      // No free page left, and the file may not grow: the batch's rows cannot be written.
      core.db.exec('VACUUM')
      core.db.pragma(`max_page_count = ${Number(core.db.pragma('page_count', { simple: true }))}`)
      await expect(commitImport(core, director.actor, req)).rejects.toMatchObject({
        code: 'disk_full',
        status: 503,
        message: 'Le disque de l’ordinateur est plein : rien n’a été enregistré. Libérez de la place puis réessayez.'
      })
      core.db.pragma('max_page_count = 1073741823')
      expect(snapshot()).toEqual(before)
      const ok = await commitImport(core, director.actor, req)
      expect(ok.counts.families).toBe(300)
    } finally {
      await core.cleanup()
    }
  })
})
