import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Person } from '../../src-main/families/entities'
import { deliverDueMail } from '../../src-main/mail/outbox'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { configureSmtp, startSmtp, type TestSmtp } from '../helpers/smtp'
import { download, PDF, PNG, upload } from '../helpers/files'

let core: TestCore
let smtp: TestSmtp
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let fam: SeededFamily
let family: TestClient
let desk: TestClient

beforeEach(async () => {
  core = await openTestCore()
  smtp = await startSmtp()
  await configureSmtp(core, smtp.port)
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  fam = await seedFamily(core, { lastName: 'Moreau', firstName: 'Inès' })
  family = await client(portalApp, 'portal')
  await family.loginPortal(fam.login, fam.password)
  const s = await seedStaff(core, 'accueil', { displayName: 'Sophie Accueil' })
  desk = await client(staffApp, 'staff')
  await desk.loginStaff(s.login, s.password)
})
afterEach(async () => {
  await staffApp.close()
  await portalApp.close()
  await smtp.stop()
  await core.cleanup()
})

async function options() {
  const o = (await family.call('messages-options', {})).body
  return { service: (label: string) => o.services.find((s: { label: string }) => s.label === label).id, theme: (label: string) => o.themes.find((t: { label: string }) => t.label === label).id, o }
}

describe('messaging between a family and the structure', () => {
  test('the Service and Thème lists are seeded from the 003 guide', async () => {
    const { o } = await options()
    expect(o.services.map((s: { label: string }) => s.label)).toEqual([
      'ALAE - Restauration',
      'Centres de Loisirs',
      'Crèche - Petite Enfance',
      'Données du Dossier Famille',
      'PAI - Allergie - MDPH',
      'Règlement - Facture',
      'Scolarité'
    ])
    expect(o.themes.map((t: { label: string }) => t.label)).toEqual(['Informations', 'Modifications', 'Réclamations'])
  })

  test('a family writes with an attachment and asks for a confirmation; staff see it unread, reply; the family sees "1 nouveau message" and reads the reply', async () => {
    const { service, theme } = await options()
    const up = await upload(portalApp, family, 'justificatif domicile.pdf', PDF)
    expect(up.status).toBe(200)
    expect(up.body).toMatchObject({ name: 'justificatif domicile.pdf', mime: 'application/pdf', size: PDF.length })
    // Objet and message are mandatory.
    const empty = await family.call('messages-send', { serviceId: service('Données du Dossier Famille'), themeId: theme('Modifications'), subject: '  ', body: '' })
    expect(empty.status).toBe(400)
    expect(Object.keys(empty.body.error.fields).sort()).toEqual(['body', 'subject'])
    const sent = await family.call('messages-send', {
      serviceId: service('Données du Dossier Famille'),
      themeId: theme('Modifications'),
      subject: 'Actualisation',
      body: 'Bonjour, voici le justificatif de domicile.',
      confirmByEmail: true,
      uploadIds: [up.body.uploadId]
    })
    expect(sent.status).toBe(200)
    // The upload is now attached: it cannot be attached again.
    const again = await family.call('messages-send', { serviceId: service('Scolarité'), themeId: theme('Informations'), subject: 'x', body: 'y', uploadIds: [up.body.uploadId] })
    expect(again.status).toBe(404)

    const unread = (await desk.call('messages-staff-unread', {})).body
    expect(unread.total).toBe(1)
    expect(unread.byService).toEqual([{ serviceId: service('Données du Dossier Famille'), label: 'Données du Dossier Famille', unread: 1 }])
    const inbox = (await desk.call('messages-staff-list', { folder: 'inbox' })).body
    expect(inbox.items[0]).toMatchObject({ subject: 'Actualisation', unread: 1, hasAttachments: true, familyNumber: fam.number })
    const thread = (await desk.call('messages-staff-thread', { threadId: sent.body.threadId })).body
    const att = thread.messages[0].attachments[0]
    const dl = await download(staffApp, desk, `/api/staff/files/attachment/${att.id}`)
    expect(dl.status).toBe(200)
    expect(Buffer.compare(dl.raw, PDF)).toBe(0)

    const reply = await desk.call('messages-staff-reply', { threadId: sent.body.threadId, body: 'Bien reçu, merci. Votre dossier est à jour.' })
    expect(reply.status).toBe(200)
    expect((await desk.call('messages-staff-unread', {})).body.total).toBe(0)

    expect((await family.call('home-get', {})).body.unreadMessages).toBe(1)
    expect((await family.call('messages-unread', {})).body.count).toBe(1)
    const famInbox = (await family.call('messages-list', { folder: 'inbox' })).body
    expect(famInbox.map((t: { subject: string; unread: number }) => [t.subject, t.unread])).toEqual([['Actualisation', 1]])
    const famThread = (await family.call('messages-thread', { threadId: sent.body.threadId })).body
    expect(famThread.messages.map((x: { authorKind: string; body: string }) => [x.authorKind, x.body])).toEqual([
      ['family', 'Bonjour, voici le justificatif de domicile.'],
      ['staff', 'Bien reçu, merci. Votre dossier est à jour.']
    ])
    expect((await family.call('messages-mark-read', { threadId: sent.body.threadId })).status).toBe(200)
    expect((await family.call('home-get', {})).body.unreadMessages).toBe(0)

    await deliverDueMail(core)
    const mails = await smtp.waitFor(2)
    expect(mails[0].subject).toContain('Nous avons bien reçu votre message')
    expect(mails[1].subject).toContain('Re : Actualisation')
    expect(mails[1].text).toContain('Bien reçu, merci.')
  })

  test('a reply is e-mailed only to a family that consented; folders move; staff assign a thread to a service', async () => {
    await core.tx.run((m) => m.update(Person, { familyId: fam.familyId, role: 'responsable' }, { consentEmail: false }))
    const { service, theme } = await options()
    const t = (await family.call('messages-send', { serviceId: service('Scolarité'), themeId: theme('Informations'), subject: 'Question', body: 'Rentrée ?' })).body.threadId
    await desk.call('messages-staff-reply', { threadId: t, body: 'Le 1er septembre.' })
    await deliverDueMail(core)
    expect(smtp.messages).toHaveLength(0)

    expect((await desk.call('messages-staff-assign', { threadId: t, serviceId: service('ALAE - Restauration') })).status).toBe(200)
    expect((await desk.call('messages-staff-list', { folder: 'inbox', serviceId: service('ALAE - Restauration') })).body.total).toBe(1)
    expect((await desk.call('messages-staff-move', { threadId: t, folder: 'archived' })).status).toBe(200)
    expect((await desk.call('messages-staff-list', { folder: 'inbox' })).body.total).toBe(0)
    expect((await desk.call('messages-staff-list', { folder: 'archived' })).body.total).toBe(1)

    expect((await family.call('messages-move', { threadId: t, folder: 'deleted' })).status).toBe(200)
    expect((await family.call('messages-list', { folder: 'inbox' })).body).toEqual([])
    expect((await family.call('messages-list', { folder: 'deleted' })).body).toHaveLength(1)
    // A family answer brings the thread back into the staff inbox.
    await family.call('messages-reply', { threadId: t, body: 'Merci !' })
    expect((await desk.call('messages-staff-list', { folder: 'inbox' })).body.total).toBe(1)
  })

  test('staff message every family: one private thread each, e-mails through the outbox with progress; families who refused e-mail get none', async () => {
    const other = await seedFamily(core, { lastName: 'Petit' })
    const noMail = await seedFamily(core, { lastName: 'Sanmail' })
    await core.tx.run((m) => m.update(Person, { familyId: noMail.familyId, role: 'responsable' }, { consentEmail: false }))
    const img = await upload(staffApp, desk, 'menu.png', PNG, 'image/png')
    expect(img.status).toBe(200)
    const preview = await desk.call('messages-audience-preview', { audience: { kind: 'all' } })
    expect(preview.body).toEqual({ count: 3, label: 'Toutes les familles' })
    const sent = await desk.call('messages-staff-compose', { audience: { kind: 'all' }, subject: 'Fermeture exceptionnelle', body: 'La structure sera fermée le 11 novembre.', uploadIds: [img.body.uploadId] })
    expect(sent.status).toBe(200)
    expect(sent.body).toMatchObject({ recipients: 3, emails: 2 })
    let progress = (await desk.call('messages-broadcast-progress', { broadcastId: sent.body.broadcastId })).body
    expect(progress).toMatchObject({ recipients: 3, emails: 2, sent: 0, pending: 2 })
    await deliverDueMail(core)
    progress = (await desk.call('messages-broadcast-progress', { broadcastId: sent.body.broadcastId })).body
    expect(progress).toMatchObject({ sent: 2, pending: 0, failed: 0 })
    expect(smtp.messages.map((x) => x.to[0]).sort()).toEqual([fam.login, other.login].sort())

    const otherClient = await client(portalApp, 'portal')
    await otherClient.loginPortal(other.login, other.password)
    const a = (await family.call('messages-list', { folder: 'inbox' })).body
    const b = (await otherClient.call('messages-list', { folder: 'inbox' })).body
    expect(a).toHaveLength(1)
    expect(b).toHaveLength(1)
    expect(a[0].id).not.toBe(b[0].id)
    // Each family downloads the shared attachment through its own thread.
    const att = (await otherClient.call('messages-thread', { threadId: b[0].id })).body.messages[0].attachments[0]
    const dl = await download(portalApp, otherClient, `/api/portal/files/attachment/${att.id}`)
    expect(dl.status).toBe(200)
    expect(dl.headers['content-disposition']).toBe(`attachment; filename="menu.png"; filename*=UTF-8''menu.png`)
    // A reply from one family is private to it.
    await otherClient.call('messages-reply', { threadId: b[0].id, body: 'Bien noté' })
    expect((await family.call('messages-thread', { threadId: a[0].id })).body.messages).toHaveLength(1)
    expect((await desk.call('messages-staff-list', { folder: 'sent' })).body.total).toBe(1)
  })

  test('the Service and Thème lists are configurable; a deactivated service is offered no more', async () => {
    const director = await seedStaff(core, 'direction')
    const d = await client(staffApp, 'staff')
    await d.loginStaff(director.login, director.password)
    const o = (await d.call('messages-options-get', {})).body
    const items = o.services.map((s: { id: number; label: string }) => ({ id: s.id, label: s.label, active: s.label !== 'Crèche - Petite Enfance' }))
    items.push({ id: null, label: 'Actualisation Dossier Famille', active: true })
    expect((await desk.call('messages-options-save', { kind: 'service', items, version: 0 })).status).toBe(403)
    expect((await d.call('messages-options-save', { kind: 'service', items, version: 0 })).status).toBe(200)
    const labels = (await family.call('messages-options', {})).body.services.map((s: { label: string }) => s.label)
    expect(labels).not.toContain('Crèche - Petite Enfance')
    expect(labels.at(-1)).toBe('Actualisation Dossier Famille')
  })
})
