import { In, type EntityManager } from 'typeorm'
import type { Audience, FamilyDocumentDto, PublishedDocumentDto } from '@shared/contract/family-file-shapes'
import { FAMILY_DOC_TYPE_LABELS } from '@shared/contract/family-file-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { claimVersion } from '../db/versions'
import { Child, Family, Person } from '../families/entities'
import { audienceLabel, resolveAudience } from '../families/audience'
import { consentingRecipient, familyRecipient } from '../families/contact'
import { familyFileTemplates } from '../families/file-mail'
import { childInHousehold } from '../families/households'
import { dbOf, stmt } from '../bookings/sql'
import { enqueueMail, mailContext } from '../mail/outbox'
import { FamilyDocument, PublishedDocument, PublishedDocumentFamily, StoredFile } from './entities'
import { claimUploads, fileRefDto, unlinkStoredFiles } from './storage'
import { personName } from '@shared/names'

type FamilyActor = Extract<Actor, { kind: 'family' }>
type StaffActor = Extract<Actor, { kind: 'staff' }>

/** The child must be the household's, as its first or its second one (a shared child's papers concern both, issue 16). */
async function checkChild(m: EntityManager, familyId: number, childId: number | null): Promise<void> {
  if (!childId) return
  if (!childInHousehold(m, childId, familyId)) throw notFound('Enfant')
}

/** Papers of a child's common file (its health): either household of the child reads them, whoever sent them. */
const COMMON_FILE_DOC_TYPES = ['pai', 'certificat-medical']

/**
 * Whether a household may read a document of the other household of a shared child: only a paper of the child's
 * common file (a PAI or medical certificate about the child, or the document its health file points at). Everything
 * else of the other household (proof of address, CAF, its messages) stays its own.
 */
export function commonFileDocument(m: EntityManager, d: Pick<FamilyDocument, 'id' | 'childId' | 'docType'>, familyId: number): boolean {
  if (d.childId && COMMON_FILE_DOC_TYPES.includes(d.docType) && childInHousehold(m, d.childId, familyId)) return true
  const rows = stmt(dbOf(m), 'SELECT child_id AS childId FROM child_file WHERE pai_document_id = ?').all(d.id) as { childId: number }[]
  return rows.some((r) => childInHousehold(m, r.childId, familyId))
}

export interface FamilyUploadInput {
  uploadId: number
  docType: string
  title: string
  childId: number | null
}

/** "Mes envois": the family sends a document (justificatif, attestation CAF, PAI…); staff then mark it. */
export async function sendFamilyDocument(core: Core, actor: FamilyActor, input: FamilyUploadInput): Promise<number> {
  return core.tx.run(async (m) => (await storeFamilyDocument(m, core, actor, input)).id)
}

/** Files a family's staged upload as one of its documents (inside the caller's transaction), audited. */
export async function storeFamilyDocument(m: EntityManager, core: Core, actor: FamilyActor, input: FamilyUploadInput): Promise<FamilyDocument> {
  await checkChild(m, actor.familyId, input.childId)
  const [file] = await claimUploads(m, [input.uploadId], actor.familyId)
  const d = await m.save(
    FamilyDocument,
    Object.assign(new FamilyDocument(), {
      familyId: actor.familyId,
      childId: input.childId,
      fileId: file.id,
      origin: 'family',
      docType: input.docType,
      title: input.title || FAMILY_DOC_TYPE_LABELS[input.docType as keyof typeof FAMILY_DOC_TYPE_LABELS] || file.name,
      status: 'received',
      statusReason: '',
      createdAt: core.clock.now().toISOString(),
      decidedAt: null,
      decidedBy: null
    })
  )
  await audit(m, actor, core.clock.now(), { action: 'document-send', entity: 'family_document', entityId: d.id, after: { ...d, fileName: file.name, sha256: file.sha256 } })
  return d
}

export interface StaffAttachInput extends FamilyUploadInput {
  familyId: number
  notify: boolean
}

/** A personal document from the structure to one family (or one of its children). */
export async function attachStaffDocument(core: Core, actor: StaffActor, input: StaffAttachInput): Promise<number> {
  return core.tx.run(async (m) => {
    if (!(await m.findOneBy(Family, { id: input.familyId }))) throw notFound('Famille')
    await checkChild(m, input.familyId, input.childId)
    const [file] = await claimUploads(m, [input.uploadId], null)
    await m.update(StoredFile, { id: file.id }, { ownerFamilyId: input.familyId })
    const d = await m.save(
      FamilyDocument,
      Object.assign(new FamilyDocument(), {
        familyId: input.familyId,
        childId: input.childId,
        fileId: file.id,
        origin: 'staff',
        docType: input.docType,
        title: input.title || file.name,
        status: 'sent',
        statusReason: '',
        createdAt: core.clock.now().toISOString(),
        decidedAt: null,
        decidedBy: actor.id
      })
    )
    await audit(m, actor, core.clock.now(), { action: 'document-attach', entity: 'family_document', entityId: d.id, after: { ...d, fileName: file.name, sha256: file.sha256 } })
    if (input.notify) {
      const to = await consentingRecipient(m, input.familyId)
      if (to) await enqueueMail(m, core, to, familyFileTemplates.newDocument(await mailContext(m, core.runtime.portalUrl), { title: d.title }))
    }
    return d.id
  })
}

/** Staff mark a document the family sent: received, accepted or refused (with a reason, e-mailed). */
export async function decideFamilyDocument(core: Core, actor: StaffActor, documentId: number, status: 'received' | 'accepted' | 'refused', reason: string): Promise<void> {
  if (status === 'refused' && !reason.trim()) throw new DomainError('invalid_input', 'Motif du refus : champ obligatoire.', 400, { reason: 'Indiquez le motif du refus.' })
  await core.tx.run(async (m) => {
    const d = await m.findOneBy(FamilyDocument, { id: documentId })
    if (!d || d.origin !== 'family') throw notFound('Document')
    const before = { ...d }
    d.status = status
    d.statusReason = status === 'refused' ? reason : ''
    d.decidedAt = core.clock.now().toISOString()
    d.decidedBy = actor.id
    await m.save(FamilyDocument, d)
    await audit(m, actor, core.clock.now(), { action: `document-${status}`, entity: 'family_document', entityId: d.id, before, after: d })
    if (status !== 'received' && before.status !== status) {
      const to = await familyRecipient(m, d.familyId)
      if (to) await enqueueMail(m, core, to, familyFileTemplates.documentDecided(await mailContext(m, core.runtime.portalUrl), { title: d.title, accepted: status === 'accepted', reason }))
    }
  })
}

async function familyDocumentDtos(m: EntityManager, rows: FamilyDocument[]): Promise<FamilyDocumentDto[]> {
  const out: FamilyDocumentDto[] = []
  for (const d of rows) {
    const f = await m.findOneByOrFail(StoredFile, { id: d.fileId })
    const family = await m.findOneBy(Family, { id: d.familyId })
    const p = await m.findOneBy(Person, { familyId: d.familyId, role: 'responsable' })
    const c = d.childId ? await m.findOneBy(Child, { id: d.childId }) : null
    out.push({
      id: d.id,
      familyId: d.familyId,
      familyNumber: family?.number ?? 0,
      familyName: p ? personName(p.lastName, p.firstName) : '',
      childId: d.childId,
      childName: c ? c.firstName : '',
      origin: d.origin,
      docType: d.docType,
      title: d.title,
      status: d.status,
      statusReason: d.statusReason,
      file: { ...fileRefDto(f), id: d.id },
      createdAt: d.createdAt,
      decidedAt: d.decidedAt
    })
  }
  return out
}

/** The family's own documents: what it sent ("Mes envois") and what the structure sent it. */
export async function listFamilyDocuments(core: Core, familyId: number): Promise<FamilyDocumentDto[]> {
  return core.tx.read(async (m) => familyDocumentDtos(m, await m.find(FamilyDocument, { where: { familyId }, order: { createdAt: 'DESC', id: 'DESC' } })))
}

export interface StaffDocumentQuery {
  familyId?: number
  origin?: 'family' | 'staff'
  status?: 'received' | 'accepted' | 'refused' | 'sent'
  limit: number
  offset: number
}

export async function listStaffFamilyDocuments(core: Core, q: StaffDocumentQuery): Promise<{ total: number; items: FamilyDocumentDto[] }> {
  return core.tx.read(async (m) => {
    const qb = m.createQueryBuilder(FamilyDocument, 'd')
    if (q.familyId) qb.andWhere('d.family_id = :f', { f: q.familyId })
    if (q.origin) qb.andWhere('d.origin = :o', { o: q.origin })
    if (q.status) qb.andWhere('d.status = :s', { s: q.status })
    const total = await qb.getCount()
    const rows = await qb.orderBy('d.created_at', q.status === 'received' ? 'ASC' : 'DESC').addOrderBy('d.id', 'DESC').skip(q.offset).take(q.limit).getMany()
    return { total, items: await familyDocumentDtos(m, rows) }
  })
}

// ---------------------------------------------------------------- Téléchargements

export interface PublishInput {
  uploadId: number
  category: string
  title: string
  audience: Audience
  validFrom: string | null
  validUntil: string | null
}

function checkValidity(from: string | null, until: string | null) {
  if (from && until && until < from) throw new DomainError('invalid_input', 'La fin de validité doit suivre son début.', 400, { validUntil: 'La fin de validité doit suivre son début.' })
}

/** Freezes a group audience into rows (an audience "all" stays a flag, so new families see the document). */
async function writeAudienceRows(m: EntityManager, documentId: number, a: Audience): Promise<number> {
  await m.delete(PublishedDocumentFamily, { documentId })
  const ids = await resolveAudience(m, a)
  if (a.kind !== 'all') {
    if (ids.length === 0) throw new DomainError('empty_audience', 'Aucune famille active ne correspond à ce choix de destinataires.', 400)
    for (let i = 0; i < ids.length; i += 400) await m.insert(PublishedDocumentFamily, ids.slice(i, i + 400).map((familyId) => ({ documentId, familyId })))
  }
  return ids.length
}

export async function publishDocument(core: Core, actor: StaffActor, input: PublishInput): Promise<number> {
  checkValidity(input.validFrom, input.validUntil)
  return core.tx.run(async (m) => {
    const [file] = await claimUploads(m, [input.uploadId], null)
    const d = await m.save(
      PublishedDocument,
      Object.assign(new PublishedDocument(), {
        category: input.category,
        title: input.title,
        fileId: file.id,
        audience: JSON.stringify(input.audience),
        audienceAll: input.audience.kind === 'all',
        validFrom: input.validFrom,
        validUntil: input.validUntil,
        publishedAt: core.clock.now().toISOString(),
        createdBy: actor.id
      })
    )
    const n = await writeAudienceRows(m, d.id, input.audience)
    await audit(m, actor, core.clock.now(), { action: 'document-publish', entity: 'published_document', entityId: d.id, after: { ...d, recipients: n, fileName: file.name } })
    return d.id
  })
}

export async function updatePublishedDocument(core: Core, actor: StaffActor, id: number, input: Omit<PublishInput, 'uploadId'> & { version: number }): Promise<void> {
  checkValidity(input.validFrom, input.validUntil)
  await core.tx.run(async (m) => {
    const d = await m.findOneBy(PublishedDocument, { id })
    if (!d) throw notFound('Document')
    const before = { ...d }
    d.version = claimVersion(m, 'published_document', { id }, input.version, actor, core.clock.now())
    Object.assign(d, {
      category: input.category,
      title: input.title,
      audience: JSON.stringify(input.audience),
      audienceAll: input.audience.kind === 'all',
      validFrom: input.validFrom,
      validUntil: input.validUntil
    })
    await m.save(PublishedDocument, d)
    await writeAudienceRows(m, d.id, input.audience)
    await audit(m, actor, core.clock.now(), { action: 'document-update', entity: 'published_document', entityId: d.id, before, after: d })
  })
}

export async function deletePublishedDocument(core: Core, actor: StaffActor, id: number): Promise<void> {
  const names = await core.tx.run(async (m) => {
    const d = await m.findOneBy(PublishedDocument, { id })
    if (!d) throw notFound('Document')
    const f = await m.findOneBy(StoredFile, { id: d.fileId })
    await m.delete(PublishedDocument, { id })
    if (f) await m.delete(StoredFile, { id: f.id })
    await audit(m, actor, core.clock.now(), { action: 'document-unpublish', entity: 'published_document', entityId: id, before: d })
    return f ? [f.storageName] : []
  })
  unlinkStoredFiles(core, names)
}

async function publishedDtos(m: EntityManager, rows: PublishedDocument[]): Promise<PublishedDocumentDto[]> {
  const out: PublishedDocumentDto[] = []
  for (const d of rows) {
    const f = await m.findOneByOrFail(StoredFile, { id: d.fileId })
    const audience = JSON.parse(d.audience) as Audience
    const recipients = d.audienceAll
      ? Number((await m.query(`SELECT COUNT(*) AS n FROM family WHERE status = 'active'`))[0].n)
      : await m.countBy(PublishedDocumentFamily, { documentId: d.id })
    out.push({
      id: d.id,
      category: d.category as PublishedDocumentDto['category'],
      title: d.title,
      validFrom: d.validFrom,
      validUntil: d.validUntil,
      audience,
      audienceLabel: await audienceLabel(m, audience),
      recipients,
      file: { ...fileRefDto(f), id: d.id },
      publishedAt: d.publishedAt,
      version: d.version
    })
  }
  return out
}

export async function listPublishedStaff(core: Core): Promise<PublishedDocumentDto[]> {
  return core.tx.read(async (m) => publishedDtos(m, await m.find(PublishedDocument, { order: { publishedAt: 'DESC', id: 'DESC' } })))
}

/** SQL condition "document d is for family :family and valid on :today". */
const VISIBLE = `(d.audience_all = 1 OR EXISTS (SELECT 1 FROM published_document_family x WHERE x.document_id = d.id AND x.family_id = ?))
  AND (d.valid_from IS NULL OR d.valid_from <= ?) AND (d.valid_until IS NULL OR d.valid_until >= ?)`

/** "Téléchargements" of a family: documents for it, within their validity period. */
export async function listPublishedForFamily(core: Core, familyId: number) {
  const today = parisDay(core.clock.now())
  return core.tx.read(async (m) => {
    const rows: { id: number }[] = await m.query(`SELECT d.id FROM published_document d WHERE ${VISIBLE} ORDER BY d.category, d.published_at DESC`, [familyId, today, today])
    const docs = rows.length ? await m.findBy(PublishedDocument, { id: In(rows.map((r) => Number(r.id))) }) : []
    docs.sort((a, b) => a.category.localeCompare(b.category) || b.publishedAt.localeCompare(a.publishedAt))
    return (await publishedDtos(m, docs)).map(({ audience: _a, audienceLabel: _l, recipients: _r, ...d }) => d)
  })
}

export async function publishedVisibleTo(m: EntityManager, documentId: number, familyId: number, today: string): Promise<boolean> {
  const rows = await m.query(`SELECT 1 FROM published_document d WHERE d.id = ? AND ${VISIBLE}`, [documentId, familyId, today, today])
  return rows.length > 0
}
