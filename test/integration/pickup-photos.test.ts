import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { StoredFile } from '../../src-main/documents/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type TestCore } from '../helpers/core'
import { filesUnder, PDF, PNG, upload } from '../helpers/files'
import { client, type TestClient } from '../helpers/http'

/**
 * Photos of the people allowed to pick a child up (issue 15 §3): set from the
 * back-office (an upload checked by its content, JPEG or PNG of 2 Mo at most),
 * read by every staff role (the tablet shows them beside « Parti »), never by
 * the portal, and kept when the family file's list is saved again.
 */
let core: TestCore
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let fam: SeededFamily
let desk: TestClient
let anim: TestClient
let childId: number

const pickups = [
  { name: 'Mamie Jeanne', relationship: 'Grand-mère', phone: '0611111111', emergency: true },
  { name: 'Paul Durand', relationship: 'Oncle', phone: '0622222222', emergency: false }
]
const uploadAs = async (name: string, data: Buffer, mime: string) => {
  const r = await upload(staffApp, desk, name, data, mime)
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return r.body.uploadId as number
}
const list = async () => (await desk.call('pickup-photos-list', { childId })).body as { pickupId: number; name: string; hasPhoto: boolean }[]

beforeAll(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  fam = await seedFamily(core, { lastName: 'Durand' })
  const d = await seedStaff(core, 'accueil')
  const a = await seedStaff(core, 'animateur')
  desk = await client(staffApp, 'staff')
  await desk.loginStaff(d.login, d.password)
  anim = await client(staffApp, 'staff')
  await anim.loginStaff(a.login, a.password)
  const r = await desk.call('family-file-add-child', {
    familyId: fam.familyId,
    child: {
      identity: { lastName: 'Durand', firstName: 'Zoé', birthDate: '2020-02-03', sex: 'F', linkResponsable: 'Mère', livesWith: 'both' },
      health: { allergies: false, mealType: 'standard' },
      authorisations: { imageRights: false, leaveAlone: false, pickups }
    }
  })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  childId = r.body.childId
})
afterAll(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

describe('pickup persons’ photos', () => {
  test('the desk sets a PNG; every staff role reads it back byte for byte; an animateur may not change it', async () => {
    const [jeanne] = await list()
    expect((await list()).map((p) => [p.name, p.hasPhoto])).toEqual([['Mamie Jeanne', false], ['Paul Durand', false]])
    expect((await desk.call('pickup-photo-set', { pickupId: jeanne.pickupId, uploadId: await uploadAs('jeanne.png', PNG, 'image/png') })).status).toBe(200)
    expect((await list()).map((p) => p.hasPhoto)).toEqual([true, false])
    const got = await anim.call('pickup-photo-get', { pickupId: jeanne.pickupId })
    expect(got.status).toBe(200)
    expect(got.body.mime).toBe('image/png')
    expect(Buffer.from(got.body.contentBase64, 'base64').equals(PNG)).toBe(true)
    expect((await anim.call('pickup-photo-set', { pickupId: jeanne.pickupId, uploadId: null })).status).toBe(403)
    expect((await anim.call('pickup-photos-list', { childId })).status).toBe(403)
    expect((await anim.call('pickup-photo-get', { pickupId: (await list())[1].pickupId })).status).toBe(404)
  })

  test('a PDF or a photo over 2 Mo is refused in French, and the photo on file stays', async () => {
    const [jeanne] = await list()
    const pdf = await desk.call('pickup-photo-set', { pickupId: jeanne.pickupId, uploadId: await uploadAs('carte.pdf', PDF, 'application/pdf') })
    expect(pdf.status).toBe(400)
    expect(pdf.body.error.message).toBe('« carte.pdf » n’est pas une photo : envoyez une image JPEG ou PNG.')
    const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024, 0)])
    const tooBig = await desk.call('pickup-photo-set', { pickupId: jeanne.pickupId, uploadId: await uploadAs('grande.png', big, 'image/png') })
    expect(tooBig.status).toBe(400)
    expect(tooBig.body.error.message).toBe('La photo « grande.png » dépasse 2 Mo : envoyez une image plus petite.')
    const still = await anim.call('pickup-photo-get', { pickupId: jeanne.pickupId })
    expect(Buffer.from(still.body.contentBase64, 'base64').equals(PNG)).toBe(true)
  })

  test('saving the list again keeps the photo of a person still on it (by name), whatever the order', async () => {
    const file = (await desk.call('family-file-get', { familyId: fam.familyId })).body
    const version = file.children.find((c: { id: number }) => c.id === childId).versions.authorisations
    const saved = await desk.call('family-file-save', {
      section: 'authorisations',
      familyId: fam.familyId,
      childId,
      version,
      values: { imageRights: true, leaveAlone: false, pickups: [pickups[1], { ...pickups[0], name: ' mamie  jeanne ' }] }
    })
    expect(saved.status, JSON.stringify(saved.body)).toBe(200)
    const after = await list()
    expect(after.map((p) => [p.name.trim(), p.hasPhoto])).toEqual([['Paul Durand', false], ['mamie  jeanne', true]])
    expect(Buffer.from((await anim.call('pickup-photo-get', { pickupId: after[1].pickupId })).body.contentBase64, 'base64').equals(PNG)).toBe(true)
  })

  test('taking a person off the list deletes their photo, row and file, once the save is committed; a refused save keeps it', async () => {
    const files = () => filesUnder(core.paths.documentsDir).length
    const paul = (await list()).find((p) => p.name === 'Paul Durand')!
    const photo = await uploadAs('paul.png', PNG, 'image/png')
    expect((await desk.call('pickup-photo-set', { pickupId: paul.pickupId, uploadId: photo })).status).toBe(200)
    const before = files()
    const file = (await desk.call('family-file-get', { familyId: fam.familyId })).body
    const version = file.children.find((c: { id: number }) => c.id === childId).versions.authorisations
    const others = (await list()).filter((p) => p.name !== 'Paul Durand').map((p) => ({ ...pickups[0], name: p.name }))
    const save = (v: number) => desk.call('family-file-save', { section: 'authorisations', familyId: fam.familyId, childId, version: v, values: { imageRights: true, leaveAlone: false, pickups: others } })
    // A stale copy is refused: nothing committed, so the photo stays on disk and in the database.
    expect((await save(version - 1)).status).toBe(409)
    expect(files()).toBe(before)
    expect(await core.tx.read((m) => m.countBy(StoredFile, { id: photo }))).toBe(1)
    expect((await save(version)).status).toBe(200)
    expect((await list()).map((p) => p.name)).not.toContain('Paul Durand')
    expect(files()).toBe(before - 1)
    expect(await core.tx.read((m) => m.countBy(StoredFile, { id: photo }))).toBe(0)
    // The photo of the person still on the list is untouched.
    expect((await list()).filter((p) => p.hasPhoto)).toHaveLength(1)
  })

  test('replacing then removing a photo deletes the old file from disk; the portal has no way to it', async () => {
    const files = () => filesUnder(core.paths.documentsDir).length
    const jeanne = (await list()).find((p) => p.hasPhoto)!
    const before = files()
    const next = await uploadAs('jeanne2.png', PNG, 'image/png')
    expect(files()).toBe(before + 1)
    expect((await desk.call('pickup-photo-set', { pickupId: jeanne.pickupId, uploadId: next })).status).toBe(200)
    expect(files()).toBe(before)
    expect((await desk.call('pickup-photo-set', { pickupId: jeanne.pickupId, uploadId: null })).status).toBe(200)
    expect(files()).toBe(before - 1)
    expect(await core.tx.read((m) => m.countBy(StoredFile, { id: next }))).toBe(0)

    const family = await client(portalApp, 'portal')
    await family.loginPortal(fam.login, fam.password)
    expect((await family.call('pickup-photo-get', { pickupId: jeanne.pickupId })).status).toBe(404)
  })

  test('anonymising the family (3 years after it left) erases the photos from disk too', async () => {
    const [jeanne] = await list()
    expect((await desk.call('pickup-photo-set', { pickupId: jeanne.pickupId, uploadId: await uploadAs('j.png', PNG, 'image/png') })).status).toBe(200)
    const photo = (await core.tx.read((m) => m.query(`SELECT f.storage_name AS s FROM stored_file f JOIN pickup_person p ON p.photo_file_id = f.id WHERE p.id = ?`, [jeanne.pickupId])))[0].s as string
    const onDisk = () => filesUnder(core.paths.documentsDir).some((f) => f.endsWith(photo))
    expect(onDisk()).toBe(true)
    const d = await seedStaff(core, 'direction')
    const director = await client(staffApp, 'staff')
    await director.loginStaff(d.login, d.password)
    expect((await director.call('family-file-departure', { familyId: fam.familyId, leftAt: '2024-07-05', version: 0 })).status).toBe(200)
    core.clock.set(new Date('2027-07-06T08:00:00Z'))
    await director.loginStaff(d.login, d.password)
    const p = (await director.call('rgpd-anonymise-preview', { familyId: fam.familyId })).body
    expect(p.erase.find((e: { what: string }) => e.what.startsWith('Fichiers effacés')).count).toBe(1)
    expect((await director.call('rgpd-anonymise', { familyId: fam.familyId, confirmation: p.confirmation })).status).toBe(200)
    expect(onDisk()).toBe(false)
  })
})
