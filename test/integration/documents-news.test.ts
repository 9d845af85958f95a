import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { StoredFile } from '../../src-main/documents/entities'
import { sweepStagedUploads } from '../../src-main/documents/storage'
import { Child } from '../../src-main/families/entities'
import { deliverDueMail } from '../../src-main/mail/outbox'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type SeededStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { configureSmtp, startSmtp, type TestSmtp } from '../helpers/smtp'
import { download, EXE, filesUnder, JPEG, PDF, PNG, SVG_SCRIPT, upload, uploadParts } from '../helpers/files'

let core: TestCore
let smtp: TestSmtp
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let fam: SeededFamily
let family: TestClient
let desk: TestClient
let deskUser: SeededStaff

beforeEach(async () => {
  core = await openTestCore()
  smtp = await startSmtp()
  await configureSmtp(core, smtp.port)
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  fam = await seedFamily(core, { lastName: 'Garnier' })
  family = await client(portalApp, 'portal')
  await family.loginPortal(fam.login, fam.password)
  deskUser = await seedStaff(core, 'accueil')
  desk = await client(staffApp, 'staff')
  await desk.loginStaff(deskUser.login, deskUser.password)
})
afterEach(async () => {
  await staffApp.close()
  await portalApp.close()
  await smtp.stop()
  await core.cleanup()
})

const storedCount = () => core.tx.read((m) => m.count(StoredFile))

describe('hostile uploads are refused with a clear message and leave nothing on disk', () => {
  const cases: [string, () => Promise<{ status: number; body: { error: { message: string } } }>, RegExp][] = [
    ['6 Mo + 1 octet', () => upload(portalApp, family, 'gros.pdf', Buffer.concat([PDF, Buffer.alloc(6 * 1024 * 1024 + 1 - PDF.length, 32)])), /dépasse la taille maximale de 6 Mo/],
    ['un .exe renommé .pdf', () => upload(portalApp, family, 'facture.pdf', EXE), /n’est ni un PDF, ni une image JPEG ou PNG/],
    ['un SVG avec un script', () => upload(portalApp, family, 'dessin.svg', SVG_SCRIPT, 'image/svg+xml'), /n’est ni un PDF, ni une image JPEG ou PNG/],
    ['le nom ../../x', () => upload(portalApp, family, '../../x', PDF), /chemin de dossier/],
    ['le nom CON', () => upload(portalApp, family, 'CON', PDF), /réservé par Windows/],
    ['un nom avec inversion du sens d’écriture', () => upload(portalApp, family, 'facture\u202Efdp.exe', PDF), /inverse le sens d’écriture/],
    ['un nom de 300 caractères', () => upload(portalApp, family, `${'a'.repeat(296)}.pdf`, PDF), /trop long/],
    [
      '50 parties dans une requête',
      () => uploadParts(portalApp, family, [...Array.from({ length: 49 }, (_, i) => ({ name: `f${i}`, data: 'x' })), { name: 'file', filename: 'ok.pdf', data: PDF }]),
      /trop d’éléments/
    ],
    [
      'deux fichiers dans une requête',
      () => uploadParts(portalApp, family, [{ name: 'file', filename: 'a.pdf', data: PDF }, { name: 'file', filename: 'b.pdf', data: PDF }]),
      /un seul fichier/
    ]
  ]
  for (const [label, send, message] of cases) {
    test(label, async () => {
      const r = await send()
      expect(r.status).toBeGreaterThanOrEqual(400)
      expect(r.status).toBeLessThan(500)
      expect(r.body.error.message).toMatch(message)
      expect(filesUnder(core.paths.documentsDir)).toEqual([])
      expect(await storedCount()).toBe(0)
    })
  }

  test('an upload without the CSRF token or without a session is refused', async () => {
    expect((await uploadParts(portalApp, family, [{ name: 'file', filename: 'a.pdf', data: PDF }], { csrf: false })).status).toBe(403)
    const anonymous = await client(portalApp, 'portal')
    expect((await upload(portalApp, anonymous, 'a.pdf', PDF)).status).toBe(401)
    expect(filesUnder(core.paths.documentsDir)).toEqual([])
  })

  test('a good file is stored under a random name with its hash; a PDF sent as .png keeps its content type and gets the right extension', async () => {
    const r = await upload(portalApp, family, 'scan.png', PDF)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ name: 'scan.pdf', mime: 'application/pdf' })
    const files = filesUnder(core.paths.documentsDir)
    expect(files).toHaveLength(1)
    expect(files[0]).not.toContain('scan')
    expect(files[0]).toMatch(/[0-9a-f]{32}$/)
    const row = await core.tx.read((m) => m.findOneByOrFail(StoredFile, { id: r.body.uploadId }))
    expect(row.sha256).toBe(require('node:crypto').createHash('sha256').update(PDF).digest('hex'))
    // Abandoned staged uploads are swept after a day.
    core.clock.advance(25 * 3600_000)
    // Swept inside a transaction that then fails: the row comes back, so the file must still be on disk.
    const onDisk = filesUnder(core.paths.documentsDir)
    await expect(
      core.tx.run(async () => {
        expect(await sweepStagedUploads(core)).toBe(1)
        throw new Error('later step failed')
      })
    ).rejects.toThrow('later step failed')
    expect(filesUnder(core.paths.documentsDir)).toEqual(onDisk)
    expect(await sweepStagedUploads(core)).toBe(1)
    expect(filesUnder(core.paths.documentsDir)).toEqual([])
  })
})

describe('documents', () => {
  test('"Mes envois": a family sends a justificatif; staff refuse it with a reason then accept a new one; the family sees each status', async () => {
    const up = await upload(portalApp, family, 'attestation.jpg', JPEG, 'image/jpeg')
    const sent = await family.call('documents-send', { uploadId: up.body.uploadId, docType: 'justificatif-domicile' })
    expect(sent.status).toBe(200)
    const queue = (await desk.call('documents-staff-list', { origin: 'family', status: 'received' })).body
    expect(queue.items.map((d: { title: string; familyNumber: number }) => [d.title, d.familyNumber])).toEqual([['Justificatif de domicile', fam.number]])
    expect((await desk.call('documents-decide', { documentId: sent.body.documentId, status: 'refused', reason: '' })).status).toBe(400)
    expect((await desk.call('documents-decide', { documentId: sent.body.documentId, status: 'refused', reason: 'Document illisible.' })).status).toBe(200)
    const mine = (await family.call('documents-mine', {})).body
    expect(mine[0]).toMatchObject({ status: 'refused', statusReason: 'Document illisible.', origin: 'family' })
    const up2 = await upload(portalApp, family, 'attestation-2.pdf', PDF)
    const sent2 = await family.call('documents-send', { uploadId: up2.body.uploadId, docType: 'justificatif-domicile', title: 'Attestation d’assurance habitation' })
    expect((await desk.call('documents-decide', { documentId: sent2.body.documentId, status: 'accepted' })).status).toBe(200)
    const after = (await family.call('documents-mine', {})).body
    expect(after.map((d: { title: string; status: string }) => [d.title, d.status])).toEqual([
      ['Attestation d’assurance habitation', 'accepted'],
      ['Justificatif de domicile', 'refused']
    ])
    await deliverDueMail(core)
    const mails = await smtp.waitFor(2)
    expect(mails[0].text).toContain('Motif : Document illisible.')
    expect(mails[1].subject).toContain('Document accepté')
    // The family downloads its own document, served as an attachment that no browser runs.
    const dl = await download(portalApp, family, `/api/portal/files/document/${sent.body.documentId}`)
    expect(dl.status).toBe(200)
    expect(dl.headers['content-type']).toBe('image/jpeg')
    expect(dl.headers['content-disposition']).toMatch(/^attachment;/)
    expect(dl.headers['x-content-type-options']).toBe('nosniff')
    expect(dl.headers['content-security-policy']).toMatch(/^sandbox/)
  })

  test('personal documents: staff attach one to a child; the family is told and downloads it', async () => {
    const childId = (await core.tx.read((m) => m.findOneByOrFail(Child, { familyId: fam.familyId }))).id
    const up = await upload(staffApp, desk, 'attestation-fiscale-2025.pdf', PDF)
    const r = await desk.call('documents-attach', { familyId: fam.familyId, childId, uploadId: up.body.uploadId, title: 'Attestation fiscale 2025', docType: 'attestation' })
    expect(r.status).toBe(200)
    const mine = (await family.call('documents-mine', {})).body
    expect(mine[0]).toMatchObject({ origin: 'staff', title: 'Attestation fiscale 2025', childName: 'Léo', status: 'sent' })
    expect((await download(portalApp, family, `/api/portal/files/document/${r.body.documentId}`)).status).toBe(200)
    await deliverDueMail(core)
    expect((await smtp.waitFor(1))[0].subject).toContain('Un nouveau document vous attend')
  })

  test('"Téléchargements": a document for a school reaches its families only, within its validity period', async () => {
    const other = await seedFamily(core, { lastName: 'Hors' })
    await core.tx.run((m) => m.update(Child, { familyId: fam.familyId }, { school: 'École Jules Ferry', grade: 'CP' }))
    const up = await upload(staffApp, desk, 'menus-septembre.pdf', PDF)
    const pub = await desk.call('documents-publish', {
      uploadId: up.body.uploadId,
      category: 'menus',
      title: 'Menus de septembre',
      audience: { kind: 'school', school: 'École Jules Ferry', grade: '' },
      validFrom: '2026-09-01',
      validUntil: '2026-09-30'
    })
    expect(pub.status).toBe(200)
    const list = (await desk.call('documents-published-list', {})).body
    expect(list[0]).toMatchObject({ title: 'Menus de septembre', audienceLabel: 'École Jules Ferry', recipients: 1 })
    const downloads = (await family.call('documents-downloads', {})).body
    expect(downloads.map((d: { title: string; category: string }) => [d.title, d.category])).toEqual([['Menus de septembre', 'menus']])
    expect((await download(portalApp, family, `/api/portal/files/published/${pub.body.documentId}`)).status).toBe(200)
    const otherClient = await client(portalApp, 'portal')
    await otherClient.loginPortal(other.login, other.password)
    expect((await otherClient.call('documents-downloads', {})).body).toEqual([])
    expect((await download(portalApp, otherClient, `/api/portal/files/published/${pub.body.documentId}`)).status).toBe(404)
    // After its validity, it is no longer offered nor served.
    core.clock.set(new Date('2026-10-02T08:00:00Z'))
    await family.loginPortal(fam.login, fam.password)
    await desk.loginStaff(deskUser.login, deskUser.password)
    expect((await family.call('documents-downloads', {})).body).toEqual([])
    expect((await download(portalApp, family, `/api/portal/files/published/${pub.body.documentId}`)).status).toBe(404)
    expect((await desk.call('documents-published-delete', { id: pub.body.documentId })).status).toBe(200)
    expect(filesUnder(core.paths.documentsDir)).toEqual([])
  })
})

describe('news', () => {
  test('staff write a news item with an image; the portal shows current items only, newest first', async () => {
    const img = await upload(staffApp, desk, 'kermesse.png', PNG, 'image/png')
    const a = await desk.call('news-save', { title: 'Kermesse', body: 'Samedi 26 septembre, venez nombreux !', imageUploadId: img.body.uploadId, audience: { kind: 'all' }, publishFrom: '2026-09-01', publishUntil: '2026-09-27' })
    expect(a.status).toBe(200)
    const b = await desk.call('news-save', { title: 'Inscriptions Toussaint', body: 'Ouvertes du 1er au 10 octobre.', audience: { kind: 'all' }, publishFrom: '2026-09-05', publishUntil: null })
    expect(b.status).toBe(200)
    await desk.call('news-save', { title: 'Plus tard', body: 'Pas encore publiée.', audience: { kind: 'all' }, publishFrom: '2026-12-01', publishUntil: null })
    const bad = await desk.call('news-save', { title: 'X', body: 'Y', audience: { kind: 'all' }, publishFrom: '2026-09-10', publishUntil: '2026-09-01' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields.publishUntil).toBe('La date de fin doit suivre la date de publication.')

    const list = (await family.call('news-list', {})).body
    expect(list.map((n: { title: string }) => n.title)).toEqual(['Inscriptions Toussaint', 'Kermesse'])
    expect(list[1].hasImage).toBe(true)
    const image = await download(portalApp, family, `/api/portal/files/news-image/${a.body.id}`)
    expect(image.status).toBe(200)
    expect(image.headers['content-type']).toBe('image/png')
    expect((await family.call('news-list', { limit: 1 })).body.map((n: { title: string }) => n.title)).toEqual(['Inscriptions Toussaint'])
    core.clock.set(new Date('2026-09-28T08:00:00Z'))
    await family.loginPortal(fam.login, fam.password)
    await desk.loginStaff(deskUser.login, deskUser.password)
    expect((await family.call('news-list', {})).body.map((n: { title: string }) => n.title)).toEqual(['Inscriptions Toussaint'])
    expect((await download(portalApp, family, `/api/portal/files/news-image/${a.body.id}`)).status).toBe(404)
    // Replacing the image removes the old file.
    const img2 = await upload(staffApp, desk, 'kermesse2.jpg', JPEG, 'image/jpeg')
    expect((await desk.call('news-save', { id: a.body.id, version: 0, title: 'Kermesse', body: 'Reportée.', imageUploadId: img2.body.uploadId, audience: { kind: 'all' }, publishFrom: '2026-09-01', publishUntil: '2026-10-27' })).status).toBe(200)
    expect(filesUnder(core.paths.documentsDir)).toHaveLength(1)
    // A PDF is no illustration.
    const pdf = await upload(staffApp, desk, 'x.pdf', PDF)
    expect((await desk.call('news-save', { title: 'X', body: 'Y', imageUploadId: pdf.body.uploadId, audience: { kind: 'all' }, publishFrom: '2026-09-01' })).status).toBe(400)
  })
})
