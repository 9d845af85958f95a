import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { EMAIL_STAFF_ONLY } from '@shared/contract/family-file-shapes'
import { Child, Person } from '../../src-main/families/entities'
import { ChildFile, FamilyBank, PickupPersonRow, RequestSecret } from '../../src-main/families/file-entities'
import { deliverDueMail } from '../../src-main/mail/outbox'
import { AuditEntry } from '../../src-main/audit/entities'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { auditRows, openTestCore, seedFamily, seedStaff, type SeededFamily, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { configureSmtp, startSmtp, type TestSmtp } from '../helpers/smtp'

const IBAN = 'FR7630006000011234567890189'

let core: TestCore
let smtp: TestSmtp
let staffApp: FastifyInstance
let portalApp: FastifyInstance
let fam: SeededFamily
let family: TestClient
let desk: TestClient

async function staffClient(role: 'direction' | 'accueil' | 'comptable' | 'animateur') {
  const s = await seedStaff(core, role)
  const c = await client(staffApp, 'staff')
  await c.loginStaff(s.login, s.password)
  return c
}

beforeEach(async () => {
  core = await openTestCore()
  smtp = await startSmtp()
  await configureSmtp(core, smtp.port)
  staffApp = await buildStaffApp(core)
  portalApp = await buildPortalApp(core)
  fam = await seedFamily(core, { lastName: 'Durand', firstName: 'Alice' })
  family = await client(portalApp, 'portal')
  await family.loginPortal(fam.login, fam.password)
  desk = await staffClient('accueil')
})
afterEach(async () => {
  await staffApp.close()
  await portalApp.close()
  await smtp.stop()
  await core.cleanup()
})

const childId = async () => (await core.tx.read((m) => m.findOneByOrFail(Child, { familyId: fam.familyId }))).id

async function responsableValues(over: Record<string, unknown> = {}) {
  const file = (await family.call('file-get', {})).body
  const { id: _id, role: _role, email: _email, ...values } = file.responsable
  return { ...values, ...over }
}

describe('change requests (portal → validation queue → file)', () => {
  test('a family asks to change its phone and its CAF number; staff accept one and refuse the other; both outcomes are e-mailed, audited and listed in "Mes demandes"', async () => {
    const phone = await family.call('file-request-change', { section: 'responsable', values: await responsableValues({ phoneMobile: '0698765432' }) })
    expect(phone.status).toBe(200)
    const caf = await family.call('file-request-change', { section: 'caf', values: { regime: 'general', allocataireNumber: '1234567', allocataireName: 'Alice Durand' } })
    expect(caf.status).toBe(200)

    // The file is unchanged until staff decide; the home counts two pending requests.
    expect((await family.call('file-get', {})).body.responsable.phoneMobile).toBe('06 12 34 56 78')
    expect((await family.call('home-get', {})).body.pendingRequests).toBe(2)

    const queue = await desk.call('file-changes-list', { status: 'pending' })
    expect(queue.status).toBe(200)
    expect(queue.body.total).toBe(2)
    const phoneItem = queue.body.items.find((i: { id: number }) => i.id === phone.body.requestId)
    // Only the changed field, normalised, with its value at request time.
    expect(phoneItem.changes).toEqual([{ field: 'phoneMobile', label: 'Téléphone portable', before: '06 12 34 56 78', after: '06 98 76 54 32', current: '06 12 34 56 78', stale: false }])
    const cafItem = queue.body.items.find((i: { id: number }) => i.id === caf.body.requestId)
    expect(cafItem.changes.map((c: { field: string }) => c.field).sort()).toEqual(['allocataireName', 'allocataireNumber', 'regime'])

    expect((await desk.call('file-changes-accept', { requestId: phone.body.requestId })).status).toBe(200)
    const refused = await desk.call('file-changes-refuse', { requestId: caf.body.requestId, reason: 'Merci de joindre l’attestation CAF.' })
    expect(refused.status).toBe(200)
    // A second decision on the same request is refused.
    expect((await desk.call('file-changes-accept', { requestId: caf.body.requestId })).status).toBe(409)

    const file = (await family.call('file-get', {})).body
    expect(file.responsable.phoneMobile).toBe('06 98 76 54 32')
    expect(file.caf.allocataireNumber).toBe('')

    const applied = (await auditRows(core, 'file-update-responsable')).at(-1)!
    expect(applied.before.phoneMobile).toBe('06 12 34 56 78')
    expect(applied.after.phoneMobile).toBe('06 98 76 54 32')
    expect(applied.after.requestId).toBe(phone.body.requestId)

    const mine = await family.call('requests-mine', {})
    expect(mine.status).toBe(200)
    const byId = new Map(mine.body.items.map((i: { id: number }) => [i.id, i]))
    expect(byId.get(phone.body.requestId)).toMatchObject({ status: 'accepted', categoryLabel: 'Responsable' })
    expect(byId.get(caf.body.requestId)).toMatchObject({ status: 'refused', reason: 'Merci de joindre l’attestation CAF.', categoryLabel: 'CAF' })
    const onlyCaf = await family.call('requests-mine', { category: 'caf' })
    expect(onlyCaf.body.items.map((i: { id: number }) => i.id)).toEqual([caf.body.requestId])
    // A period before the requests shows none.
    expect((await family.call('requests-mine', { from: '2026-01-01', to: '2026-01-31' })).body.items).toEqual([])

    await deliverDueMail(core)
    const mails = await smtp.waitFor(2)
    expect(mails.map((x) => x.to[0])).toEqual([fam.login, fam.login])
    expect(mails[0].subject).toContain('Votre demande de modification est acceptée')
    expect(mails[0].text).toContain('Téléphone portable')
    expect(mails[1].subject).toContain('n’a pas été acceptée')
    expect(mails[1].text).toContain('Motif : Merci de joindre l’attestation CAF.')
  })

  test('the e-mail address cannot be changed from the portal, only by staff', async () => {
    const r = await family.call('file-request-change', { section: 'responsable', values: await responsableValues({ email: 'autre@exemple.fr' }) })
    expect(r.status).toBe(400)
    expect(r.body.error.message).toContain(EMAIL_STAFF_ONLY)
    const staffEdit = await desk.call('family-file-save', {
      section: 'responsable',
      familyId: fam.familyId,
      version: 0,
      values: { ...(await responsableValues()), email: 'nouvelle@exemple.fr' }
    })
    expect(staffEdit.status).toBe(200)
    expect((await core.tx.read((m) => m.findOneByOrFail(Person, { familyId: fam.familyId, role: 'responsable' }))).email).toBe('nouvelle@exemple.fr')
    const row = (await auditRows(core, 'file-update-responsable')).at(-1)!
    expect(row.actorKind).toBe('staff')
    expect([row.before.email, row.after.email]).toEqual([fam.login, 'nouvelle@exemple.fr'])
  })

  test('phones and postcodes are validated with a clear French message, and nothing is filed', async () => {
    const badPhone = await family.call('file-request-change', { section: 'responsable', values: await responsableValues({ phoneHome: '12345' }) })
    expect(badPhone.status).toBe(400)
    expect(badPhone.body.error.fields['values.phoneHome']).toMatch(/Numéro de téléphone invalide/)
    const badCp = await family.call('file-request-change', { section: 'responsable', values: await responsableValues({ postalCode: '99999' }) })
    expect(badCp.status).toBe(400)
    expect(badCp.body.error.fields['values.postalCode']).toMatch(/Code postal invalide/)
    // +33 and dotted forms are accepted and stored normalised.
    const ok = await family.call('file-request-change', { section: 'responsable', values: await responsableValues({ phoneWork: '+33 5.61.00.00.01' }) })
    expect(ok.status).toBe(200)
    const q = await desk.call('file-changes-list', { status: 'pending' })
    expect(q.body.items[0].changes[0]).toMatchObject({ field: 'phoneWork', after: '05 61 00 00 01' })
    expect(q.body.total).toBe(1)
    // Sending the same values again changes nothing and is refused as such.
    const none = await family.call('file-request-change', { section: 'responsable', values: await responsableValues() })
    expect(none.status).toBe(400)
    expect(none.body.error.code).toBe('no_change')
  })

  test('bank details: the IBAN is checked, kept out of payloads and audit, masked on the portal and for animateurs', async () => {
    const bad = await family.call('file-request-change', { section: 'bank', values: { holder: 'Alice Durand', iban: 'FR7630006000011234567890188', directDebit: true } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields['values.iban']).toMatch(/clé de contrôle/)
    const r = await family.call('file-request-change', { section: 'bank', values: { holder: 'Alice Durand', bankName: 'Banque Test', iban: 'fr76 3000 6000 0112 3456 7890 189', bic: 'BNPAFRPP', directDebit: true } })
    expect(r.status).toBe(200)

    // Generic request list (open to every role) shows a masked IBAN only.
    const animateur = await staffClient('animateur')
    const generic = await animateur.call('requests-list', { type: 'file-change' })
    expect(JSON.stringify(generic.body)).not.toContain('30006000011234567890')
    expect((await animateur.call('file-changes-list', {})).status).toBe(403)
    const forDesk = await desk.call('file-changes-list', { status: 'pending' })
    expect(forDesk.body.items[0].changes.find((c: { field: string }) => c.field === 'iban').after).toBe(IBAN)
    expect(await core.tx.read((m) => m.countBy(RequestSecret, {}))).toBe(1)

    expect((await desk.call('file-changes-accept', { requestId: r.body.requestId })).status).toBe(200)
    expect((await core.tx.read((m) => m.findOneByOrFail(FamilyBank, { familyId: fam.familyId }))).iban).toBe(IBAN)
    expect(await core.tx.read((m) => m.countBy(RequestSecret, {}))).toBe(0)

    const audits = await core.tx.read((m) => m.find(AuditEntry))
    expect(audits.map((a) => `${a.before ?? ''}${a.after ?? ''}`).join('\n')).not.toContain('30006000011234567890')

    expect((await desk.call('family-file-get', { familyId: fam.familyId })).body.bank.iban).toBe(IBAN)
    const seenByAnimateur = (await animateur.call('family-file-get', { familyId: fam.familyId })).body
    expect(seenByAnimateur.bank).toBeNull()
    expect(JSON.stringify(seenByAnimateur)).not.toContain('30006000011234567890')
    const portal = (await family.call('file-get', {})).body
    expect(portal.bank).toMatchObject({ iban: 'FR76 **** **** 0189', ibanMasked: true, directDebit: true })

    // The portal keeps the IBAN on file when it sends an empty one (it never shows it in full).
    const holder = await family.call('file-request-change', { section: 'bank', values: { holder: 'Alice et Marc Durand', bankName: 'Banque Test', iban: '', bic: 'BNPAFRPP', directDebit: true } })
    expect(holder.status).toBe(200)
    await desk.call('file-changes-accept', { requestId: holder.body.requestId })
    expect(await core.tx.read((m) => m.findOneByOrFail(FamilyBank, { familyId: fam.familyId }))).toMatchObject({ iban: IBAN, holder: 'Alice et Marc Durand' })
  })

  test('custody notes are seen and written by the direction only', async () => {
    const id = await childId()
    const director = await staffClient('direction')
    expect((await desk.call('family-file-custody', { childId: id, custodyNotes: 'x', version: 0 })).status).toBe(403)
    expect((await director.call('family-file-custody', { childId: id, version: 0, custodyNotes: 'Jugement du 02/03/2025 : le père ne peut pas venir chercher l’enfant.' })).status).toBe(200)
    expect((await director.call('family-file-get', { familyId: fam.familyId })).body.children[0].custodyNotes).toContain('Jugement')
    expect((await desk.call('family-file-get', { familyId: fam.familyId })).body.children[0].custodyNotes).toBeNull()
    expect((await family.call('file-get', {})).body.children[0].custodyNotes).toBeNull()
  })

  test('health and authorisations of a child; the stale flag shows a file changed since the request', async () => {
    const id = await childId()
    const health = {
      allergies: true,
      allergyNotes: 'Arachide',
      pai: false,
      mealType: 'sans-porc',
      vaccines: [{ name: 'DTP', date: '2024-05-02' }],
      doctorName: 'Dr Martin',
      doctorPhone: '05 61 22 33 44',
      glasses: true
    }
    const allergiesWithoutNotes = await family.call('file-request-change', { section: 'health', childId: id, values: { ...health, allergyNotes: '' } })
    expect(allergiesWithoutNotes.status).toBe(400)
    expect(allergiesWithoutNotes.body.error.fields['values.allergyNotes']).toBe('Allergies : précisez lesquelles.')
    const h = await family.call('file-request-change', { section: 'health', childId: id, values: health })
    expect(h.status).toBe(200)
    // A file that predates the consents: nobody answered, so nothing is assumed.
    expect((await family.call('file-get', {})).body.children[0].authorisations).toMatchObject({ outings: '', emergencyCare: '' })
    const badConsent = await family.call('file-request-change', { section: 'authorisations', childId: id, values: { imageRights: true, outings: 'peut-être' } })
    expect(badConsent.status).toBe(400)
    const a = await family.call('file-request-change', {
      section: 'authorisations',
      childId: id,
      values: { imageRights: true, leaveAlone: false, outings: 'yes', emergencyCare: 'no', pickups: [{ name: 'Mamie Jeanne', relationship: 'Grand-mère', phone: '0611111111', emergency: true }] }
    })
    expect(a.status).toBe(200)
    // Staff change the doctor directly in the meantime.
    expect((await desk.call('family-file-save', { section: 'health', familyId: fam.familyId, childId: id, version: 0, values: { doctorName: 'Dr Bernard' } })).status).toBe(200)
    const q = (await desk.call('file-changes-list', { status: 'pending' })).body.items
    const hItem = q.find((i: { id: number }) => i.id === h.body.requestId)
    expect(hItem.changes.find((c: { field: string }) => c.field === 'doctorName')).toMatchObject({ before: '', after: 'Dr Martin', current: 'Dr Bernard', stale: true })
    const aItem = q.find((i: { id: number }) => i.id === a.body.requestId)
    expect(aItem.changes.find((c: { field: string }) => c.field === 'outings')).toMatchObject({ label: 'Autorise les sorties et le transport', before: '', after: 'yes' })
    expect(aItem.changes.find((c: { field: string }) => c.field === 'emergencyCare')).toMatchObject({ label: 'Autorise les soins d’urgence et l’hospitalisation', before: '', after: 'no' })
    // Nothing reaches the file before staff accept.
    expect(await core.tx.read((m) => m.findOneByOrFail(ChildFile, { childId: id }))).toMatchObject({ outings: '', emergencyCare: '' })
    expect((await desk.call('file-changes-accept', { requestId: h.body.requestId })).status).toBe(200)
    expect((await desk.call('file-changes-accept', { requestId: a.body.requestId })).status).toBe(200)
    const f = await core.tx.read((m) => m.findOneByOrFail(ChildFile, { childId: id }))
    expect(f).toMatchObject({ allergies: true, allergyNotes: 'Arachide', mealType: 'sans-porc', doctorName: 'Dr Martin', glasses: true, imageRights: true, outings: 'yes', emergencyCare: 'no' })
    expect((await family.call('file-get', {})).body.children[0].authorisations).toMatchObject({ outings: 'yes', emergencyCare: 'no' })
    expect(f.vaccines).toEqual([{ name: 'DTP', date: '2024-05-02' }])
    const pickups = await core.tx.read((m) => m.findBy(PickupPersonRow, { childId: id }))
    expect(pickups.map((p) => [p.name, p.phone, p.emergency])).toEqual([['Mamie Jeanne', '06 11 11 11 11', true]])
  })

  test('the add-child wizard files one pending request; accepting it creates the child with its whole file', async () => {
    const r = await family.call('file-request-child', {
      identity: { lastName: 'Durand', firstName: 'Zoé', birthDate: '2021-02-03', sex: 'F', school: 'École Jules Ferry', grade: 'MS', linkResponsable: 'Mère', livesWith: 'both' },
      health: { allergies: true, allergyNotes: 'Lait', mealType: 'vegetarien', dietNotes: 'Pas de lait' },
      authorisations: { imageRights: false, leaveAlone: false, emergencyCare: 'yes', pickups: [{ name: 'Paul Durand', relationship: 'Oncle', phone: '06 22 22 22 22', emergency: false }] }
    })
    expect(r.status).toBe(200)
    expect(await core.tx.read((m) => m.countBy(Child, { familyId: fam.familyId }))).toBe(1)
    const item = (await desk.call('file-changes-list', { status: 'pending' })).body.items[0]
    expect(item).toMatchObject({ op: 'add', section: 'child', childName: 'Zoé DURAND' })
    expect(item.changes.find((c: { field: string }) => c.field === 'allergyNotes')).toMatchObject({ before: null, after: 'Lait' })
    expect((await desk.call('file-changes-accept', { requestId: r.body.requestId })).status).toBe(200)
    const file = (await family.call('file-get', {})).body
    const zoe = file.children.find((c: { identity: { firstName: string } }) => c.identity.firstName === 'Zoé')
    expect(zoe.identity).toMatchObject({ school: 'École Jules Ferry', grade: 'MS', linkResponsable: 'Mère', livesWith: 'both' })
    expect(zoe.health).toMatchObject({ allergies: true, allergyNotes: 'Lait', mealType: 'vegetarien' })
    expect(zoe.authorisations).toMatchObject({ outings: '', emergencyCare: 'yes' })
    expect(zoe.authorisations.pickups).toEqual([{ name: 'Paul Durand', relationship: 'Oncle', phone: '06 22 22 22 22', emergency: false }])
    expect((await auditRows(core, 'child-create')).at(-1)!.after.requestId).toBe(r.body.requestId)
    await deliverDueMail(core)
    expect((await smtp.waitFor(1))[0].subject).toContain('Ajout d’un enfant accepté')
  })

  test('a family withdraws a pending request; accounting edits and decides money sections only', async () => {
    const r = await family.call('file-request-change', { section: 'fiscal', values: { taxYear: 2025, referenceIncome: 32000, taxShares: 2.5, dependentChildren: 1 } })
    expect(r.status).toBe(200)
    expect((await family.call('requests-cancel', { requestId: r.body.requestId })).status).toBe(200)
    expect((await family.call('requests-mine', {})).body.items[0].status).toBe('cancelled')
    const compta = await staffClient('comptable')
    expect((await compta.call('family-file-save', { section: 'fiscal', familyId: fam.familyId, version: 0, values: { taxYear: 2025, referenceIncome: 30000, taxShares: 2, dependentChildren: 1 } })).status).toBe(200)
    expect((await compta.call('family-file-save', { section: 'child', familyId: fam.familyId, childId: await childId(), version: 0, values: { lastName: 'X', firstName: 'Y', birthDate: '2018-01-01' } })).status).toBe(403)
    // Accounting decides on money sections only, like it edits only those.
    const phone = await family.call('file-request-change', { section: 'responsable', values: await responsableValues({ phoneHome: '05 61 00 00 09' }) })
    expect((await compta.call('file-changes-accept', { requestId: phone.body.requestId })).status).toBe(403)
    const fiscal = await family.call('file-request-change', { section: 'fiscal', values: { taxYear: 2025, referenceIncome: 31000, taxShares: 2, dependentChildren: 1 } })
    expect((await compta.call('file-changes-accept', { requestId: fiscal.body.requestId })).status).toBe(200)
  })
})
