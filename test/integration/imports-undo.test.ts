/**
 * Every import can be undone (#14 part 3): a batch with its id, who, when,
 * file and counts; undo removes exactly what it created, in one transaction
 * after a verified backup, unless something was built on it since (the
 * message says what); one audit row per batch.
 */
import { existsSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { SYSTEM } from '../../src-main/core/actor'
import { listBackups } from '../../src-main/db/backup'
import { diskPath } from '../../src-main/documents/storage'
import { getBatch, listBatches, undoBatch } from '../../src-main/imports/batches'
import { createRequest, decideRequest } from '../../src-main/requests/requests'
import { book } from '../helpers/billing'
import { auditRows, openTestCore, seedFamily, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { count, fixture, importFile, SAMPLE_NOW, seedRegie } from '../helpers/imports'

let core: TestCore
let director: SeededStaff
beforeEach(async () => {
  core = await openTestCore({ now: SAMPLE_NOW })
  director = await seedStaff(core, 'direction')
  await seedRegie(core, director.actor)
})
afterEach(() => core.cleanup())

/** Rows in every table an import writes to (and the family seeded before it). */
const TABLES = ['family', 'person', 'child', 'child_file', 'pickup_person', 'family_caf', 'sepa_mandate', 'billing_adjustment', 'stored_file', 'family_document', 'facility', 'activity_type', 'activity', 'activity_period', 'activity_group', 'unit', 'capacity', 'enrolment', 'import_item']
const snapshot = () => Object.fromEntries(TABLES.map((t) => [t, count(core, `SELECT COUNT(*) FROM ${t}`)]))
const childId = (first: string) => Number(core.db.prepare('SELECT id FROM child WHERE first_name = ?').pluck().get(first))
const unitId = () => Number(core.db.prepare('SELECT id FROM unit ORDER BY id LIMIT 1').pluck().get())

describe('undoing a batch', () => {
  test('removes everything the batch created and nothing else; one audit row; a backup first', async () => {
    await seedFamily(core, { lastName: 'Avant' })
    const before = snapshot()
    const { batch } = await importFile(core, director.actor, 'Sauvegarde.nod', fixture('sample.nod'), { options: { openingBalances: true } })
    const photos = core.db.prepare('SELECT storage_name FROM stored_file').pluck().all() as string[]
    expect(photos).toHaveLength(2)
    expect(photos.every((s) => existsSync(diskPath(core, s)))).toBe(true)

    const [listed] = await listBatches(core)
    expect(listed).toMatchObject({ id: batch.batchId, source: 'noethys', fileName: 'Sauvegarde.nod', status: 'committed', createdBy: director.actor.label, counts: { families: 5, children: 7, photos: 2, balances: 2 } })
    expect(listed.backupName).toMatch(/-avant-import\.sqlite$/)
    expect((await getBatch(core, batch.batchId)).blockers).toEqual([])

    const undone = await undoBatch(core, director.actor, batch.batchId)
    expect(undone).toMatchObject({ status: 'undone', undoneBy: director.actor.label })
    expect(snapshot()).toEqual(before)
    expect(core.db.prepare('SELECT last_name FROM person').pluck().all()).toEqual(['Avant'])
    expect(photos.some((s) => existsSync(diskPath(core, s)))).toBe(false)
    const audits = (await auditRows(core)).filter((a) => a.action.startsWith('import-'))
    expect(audits.map((a) => [a.action, a.entityId])).toEqual([
      ['import-commit', String(batch.batchId)],
      ['import-undo', String(batch.batchId)]
    ])
    expect(audits[1].after).toMatchObject({ fileName: 'Sauvegarde.nod', families: 5, activities: 1 })
    expect(listBackups(core.paths.backupDir).map((b) => b.reason)).toContain('annulation-import')
    await expect(undoBatch(core, director.actor, batch.batchId)).rejects.toMatchObject({ status: 409, message: `Le lot n° ${batch.batchId} a déjà été annulé.` })
  })

  test('a reservation blocks the undo, the screen says so, and nothing moves; once it is gone the undo goes through', async () => {
    const { batch } = await importFile(core, director.actor, 'Exemple_DATA.dat', fixture('Exemple_DATA.dat'))
    const bookingId = book(core, childId('Emma'), unitId(), '2025-10-08', 'R')
    const detail = await getBatch(core, batch.batchId)
    expect(detail.blockers).toEqual([{ label: '1 réservation ou présence', count: 1 }])
    const before = snapshot()
    await expect(undoBatch(core, director.actor, batch.batchId)).rejects.toMatchObject({
      code: 'undo_blocked',
      status: 409,
      message: `Le lot n° ${batch.batchId} ne peut plus être annulé : depuis l’import, il y a 1 réservation ou présence. Corrigez plutôt les fiches une par une.`
    })
    expect(snapshot()).toEqual(before)
    expect((await listBatches(core))[0].status).toBe('committed')
    core.db.prepare('DELETE FROM booking WHERE id = ?').run(bookingId)
    expect((await undoBatch(core, director.actor, batch.batchId)).status).toBe('undone')
  })

  test('validated and pending requests and later enrolments are listed too; another batch’s families do not block this one', async () => {
    const first = await importFile(core, director.actor, 'Exemple_DATA.dat', fixture('Exemple_DATA.dat'))
    const familyId = Number(core.db.prepare('SELECT id FROM family WHERE number = 1001').pluck().get())
    await core.tx.run(async (m) => {
      const r = await createRequest(m, core, SYSTEM, { familyId, accountId: null, type: 'file-change', summary: 'Nouvelle adresse', payload: {} })
      await decideRequest(m, core, director.actor, r, 'accepted')
      await createRequest(m, core, SYSTEM, { familyId, accountId: null, type: 'file-change', summary: 'Autre', payload: {} })
    })
    // An enrolment made by hand since, in the imported activity.
    const other = await seedFamily(core, { lastName: 'Voisin' })
    const otherChild = Number(core.db.prepare('SELECT id FROM child WHERE family_id = ?').pluck().get(other.familyId))
    const act = core.db.prepare('SELECT a.id AS activity, p.id AS period, g.id AS grp FROM activity a JOIN activity_period p ON p.activity_id = a.id JOIN activity_group g ON g.activity_id = a.id LIMIT 1').get() as { activity: number; period: number; grp: number }
    core.db.prepare(`INSERT INTO enrolment (child_id, activity_id, period_id, group_id, status, created_at) VALUES (?, ?, ?, ?, 'validated', ?)`).run(otherChild, act.activity, act.period, act.grp, SAMPLE_NOW.toISOString())
    expect((await getBatch(core, first.batch.batchId)).blockers.map((b) => b.label)).toEqual(['1 demande validée', '1 demande en attente ou refusée', '1 inscription faite depuis l’import'])

    // A spreadsheet batch: a request of its family blocks it, not the Noethys batch above.
    const sheet = await importFile(core, director.actor, 'a.csv', Buffer.from('Nom du responsable;Prénom du responsable;Nom de l’enfant;Prénom de l’enfant;Date de naissance de l’enfant\nBlanc;Eva;Blanc;Noé;2017-04-04\n'))
    const sheetFamily = Number(core.db.prepare(`SELECT family_id FROM child WHERE first_name = 'Noé'`).pluck().get())
    await core.tx.run(async (m) => decideRequest(m, core, director.actor, await createRequest(m, core, SYSTEM, { familyId: sheetFamily, accountId: null, type: 'file-change', summary: 'x', payload: {} }), 'accepted'))
    expect((await getBatch(core, sheet.batch.batchId)).blockers).toEqual([{ label: '1 demande validée', count: 1 }])
    expect((await getBatch(core, first.batch.batchId)).blockers.map((b) => b.label)).toEqual(['1 demande validée', '1 demande en attente ou refusée', '1 inscription faite depuis l’import'])
    // Noé booked in the imported activity: the reservation blocks both batches (his family's, and the activity's).
    book(core, childId('Noé'), unitId(), '2025-10-08', 'R')
    expect((await getBatch(core, sheet.batch.batchId)).blockers.map((b) => b.label)).toEqual(['1 réservation ou présence', '1 demande validée'])
    expect((await getBatch(core, first.batch.batchId)).blockers.map((b) => b.label)[0]).toBe('1 réservation ou présence')
  })
})
