import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { PortalAccount } from '../../src-main/accounts/entities'
import { AuditEntry } from '../../src-main/audit/entities'
import { StoredFile } from '../../src-main/documents/entities'
import { Child, Family, Person } from '../../src-main/families/entities'
import { ChildFile, FamilyBank } from '../../src-main/families/file-entities'
import { MessageThread } from '../../src-main/messaging/entities'
import { FamilyRequest } from '../../src-main/requests/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, seedFamily, seedStaff, type SeededFamily, type SeededStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { pdfText } from '../helpers/billing-tools'
import { download, filesUnder, PDF, upload } from '../helpers/files'

let core: TestCore
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let fam: SeededFamily
let family: TestClient
let director: TestClient
let directorUser: SeededStaff

beforeEach(async () => {
  core = await openTestCore()
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  fam = await seedFamily(core, { lastName: 'Lambert', firstName: 'Nadia' })
  family = await client(portalApp, 'portal')
  await family.loginPortal(fam.login, fam.password)
  directorUser = await seedStaff(core, 'direction')
  director = await client(staffApp, 'staff')
  await director.loginStaff(directorUser.login, directorUser.password)
})
afterEach(async () => {
  await staffApp.close()
  await portalApp.close()
  await core.cleanup()
})

/** Gives the family a bit of everything: health file, bank details, a message with an attachment, a document, a request. */
async function fillFamily() {
  const childId = (await core.tx.read((m) => m.findOneByOrFail(Child, { familyId: fam.familyId }))).id
  const saved = (r: { status: number; body: unknown }) => expect(r.status, JSON.stringify(r.body)).toBe(200)
  saved(await director.call('family-file-save', { section: 'health', familyId: fam.familyId, childId, version: 0, values: { allergies: true, allergyNotes: 'Kiwi', doctorName: 'Dr Roux' } }))
  saved(await director.call('family-file-save', { section: 'bank', familyId: fam.familyId, version: 0, values: { holder: 'Nadia Lambert', iban: 'FR7630006000011234567890189', directDebit: true } }))
  // Custody notes share the child's file row with the health section saved just above.
  saved(await director.call('family-file-custody', { childId, version: 1, custodyNotes: 'Ordonnance du juge : résidence chez la mère.' }))
  saved(await director.call('family-file-save', { section: 'authorisations', familyId: fam.familyId, childId, version: 2, values: { imageRights: true, outings: 'yes' } }))
  const o = (await family.call('messages-options', {})).body
  const up = await upload(portalApp, family, 'certificat.pdf', PDF)
  await family.call('messages-send', { serviceId: o.services[0].id, themeId: o.themes[0].id, subject: 'Certificat médical', body: 'Voici le certificat de Léo.', uploadIds: [up.body.uploadId] })
  const up2 = await upload(portalApp, family, 'caf.pdf', PDF)
  await family.call('documents-send', { uploadId: up2.body.uploadId, docType: 'attestation-caf' })
  await family.call('file-request-change', { section: 'fiscal', values: { taxYear: 2025, referenceIncome: 28000, taxShares: 2, dependentChildren: 1 } })
  return childId
}

describe('RGPD', () => {
  test('the family downloads all its data as JSON and as PDF (without custody notes); the export is audited', async () => {
    await fillFamily()
    const json = await download(portalApp, family, '/api/portal/files/export.json')
    expect(json.status).toBe(200)
    expect(json.headers['content-disposition']).toContain(`mes-donnees-famille-${fam.number}.json`)
    const data = JSON.parse(json.text)
    expect(data.family.number).toBe(fam.number)
    expect(data.file.responsable).toMatchObject({ lastName: 'Lambert', firstName: 'Nadia', email: fam.login })
    expect(data.file.bank.iban).toBe('FR7630006000011234567890189')
    expect(data.file.children[0].health).toMatchObject({ allergies: true, allergyNotes: 'Kiwi' })
    expect(data.file.children[0]).not.toHaveProperty('custodyNotes')
    expect(data.file.children[0].authorisations).toMatchObject({ imageRights: true, outings: 'yes', emergencyCare: '' })
    expect(json.text).not.toContain('Ordonnance')
    expect(data.accounts).toEqual([expect.objectContaining({ login: fam.login, status: 'active' })])
    expect(json.text).not.toContain('passwordHash')
    expect(data.messages[0]).toMatchObject({ subject: 'Certificat médical', messages: [expect.objectContaining({ body: 'Voici le certificat de Léo.', attachments: ['certificat.pdf'] })] })
    expect(data.documents[0]).toMatchObject({ type: 'attestation-caf', fileName: 'caf.pdf' })
    expect(data.requests[0].details.referenceIncome).toMatchObject({ after: 28000 })

    const pdf = await download(portalApp, family, '/api/portal/files/export.pdf')
    expect(pdf.status).toBe(200)
    expect(pdf.headers['content-type']).toBe('application/pdf')
    const text = pdfText(pdf.raw)
    expect(text).toContain(`Données personnelles — famille N° ${fam.number}`)
    expect(text).toContain('Kiwi')
    // Consents as the family reads them, never their stored codes.
    expect(text.replace(/\s+/g, ' ')).toMatch(/Autorise les sorties et le transport Oui/)
    // (the label wraps in its column: pdftotext may put the value between its two lines)
    expect(text.replace(/\s+/g, ' ')).toMatch(/Autorise les soins d’urgence et (l’hospitalisation )?Non renseigné/)
    expect(text).toContain('Certificat médical')
    expect(text).not.toContain('Ordonnance')
    const audits = await core.tx.read((m) => m.findBy(AuditEntry, { action: 'rgpd-export' }))
    expect(audits.map((a) => JSON.parse(a.after!).format)).toEqual(['json', 'pdf'])
  })

  test('anonymisation: refused before 3 years after departure; the preview lists what goes; confirming erases exactly that and the files', async () => {
    const childId = await fillFamily()
    const other = await seedFamily(core, { lastName: 'Voisin' })
    expect(filesUnder(core.paths.documentsDir)).toHaveLength(2)

    let p = (await director.call('rgpd-anonymise-preview', { familyId: fam.familyId })).body
    expect(p.allowed).toBe(false)
    expect(p.blocker).toContain('date de départ')
    expect((await director.call('family-file-departure', { familyId: fam.familyId, leftAt: '2024-07-05', version: 0 })).status).toBe(200)
    p = (await director.call('rgpd-anonymise-preview', { familyId: fam.familyId })).body
    expect(p.allowed).toBe(false)
    expect(p.blocker).toContain('possible à partir du 05/07/2027')
    expect((await director.call('rgpd-anonymise', { familyId: fam.familyId, confirmation: p.confirmation })).status).toBe(409)

    // Three years and more later.
    core.clock.set(new Date('2027-07-06T08:00:00Z'))
    await director.loginStaff(directorUser.login, directorUser.password)
    const desk = await client(staffApp, 'staff')
    const deskUser = await seedStaff(core, 'accueil')
    await desk.loginStaff(deskUser.login, deskUser.password)
    expect((await desk.call('rgpd-anonymise-preview', { familyId: fam.familyId })).status).toBe(403)
    p = (await director.call('rgpd-anonymise-preview', { familyId: fam.familyId })).body
    expect(p.allowed).toBe(true)
    const count = (what: string) => p.erase.find((e: { what: string }) => e.what.startsWith(what)).count
    expect(count('Responsable et conjoint')).toBe(1)
    expect(count('Fiches sanitaires')).toBe(1)
    expect(count('Coordonnées bancaires')).toBe(1)
    expect(count('Conversations')).toBe(1)
    expect(count('Documents de la famille')).toBe(1)
    expect(count('Fichiers effacés')).toBe(2)
    expect(p.keep.join(' ')).toContain('factures')

    // A stale confirmation (data changed since the preview) is refused.
    expect((await director.call('family-file-save', { section: 'fiscal', familyId: fam.familyId, version: 0, values: { taxYear: 2026 } })).status).toBe(200)
    const stale = await director.call('rgpd-anonymise', { familyId: fam.familyId, confirmation: p.confirmation })
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('stale_preview')
    p = (await director.call('rgpd-anonymise-preview', { familyId: fam.familyId })).body
    expect((await director.call('rgpd-anonymise', { familyId: fam.familyId, confirmation: p.confirmation })).status).toBe(200)

    const after = await core.tx.read(async (m) => ({
      family: await m.findOneByOrFail(Family, { id: fam.familyId }),
      person: await m.findOneByOrFail(Person, { familyId: fam.familyId, role: 'responsable' }),
      child: await m.findOneByOrFail(Child, { id: childId }),
      health: await m.countBy(ChildFile, { childId }),
      bank: await m.countBy(FamilyBank, { familyId: fam.familyId }),
      accounts: await m.countBy(PortalAccount, { familyId: fam.familyId }),
      threads: await m.countBy(MessageThread, { familyId: fam.familyId }),
      files: await m.count(StoredFile),
      requests: await m.findBy(FamilyRequest, { familyId: fam.familyId }),
      otherPerson: await m.findOneByOrFail(Person, { familyId: other.familyId, role: 'responsable' })
    }))
    expect(after.family).toMatchObject({ number: fam.number, address: '', status: 'archived' })
    expect(after.person).toMatchObject({ lastName: 'Anonyme', firstName: '', email: '', phoneMobile: '' })
    expect(after.child).toMatchObject({ lastName: 'Anonyme', firstName: 'Enfant 1', birthDate: '2018-01-01' })
    expect([after.health, after.bank, after.accounts, after.threads, after.files]).toEqual([0, 0, 0, 0, 0])
    expect(after.requests.every((r) => r.summary === 'Demande anonymisée' && Object.keys(r.payload).length === 0)).toBe(true)
    expect(after.otherPerson.lastName).toBe('Voisin')
    expect(filesUnder(core.paths.documentsDir)).toEqual([])
    // No personal value of the family is left in the audit log.
    const audit = (await core.tx.read((m) => m.find(AuditEntry))).map((a) => `${a.actorLabel} ${a.before ?? ''} ${a.after ?? ''}`).join('\n')
    for (const s of ['Lambert', 'Nadia', fam.login, 'Kiwi', 'FR76', 'Certificat médical']) expect(audit).not.toContain(s)
    // The old session is gone with the account.
    expect((await family.call('file-get', {})).status).toBe(401)
    // And it cannot happen twice.
    expect((await director.call('rgpd-anonymise-preview', { familyId: fam.familyId })).body.blocker).toContain('déjà été anonymisée')
  })
})
