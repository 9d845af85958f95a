import { In, type EntityManager } from 'typeorm'
import {
  authorisationValues,
  bankValues,
  cafValues,
  childValues,
  fiscalValues,
  healthValues,
  personStaffValues,
  type AuthorisationValues,
  type BankValues,
  type CafValues,
  type ChildFileDto,
  type ChildValues,
  type FamilyFileDto,
  type FiscalValues,
  type FileSection,
  type HealthValues,
  type NewChildValues,
  type PersonFileDto,
  type PersonStaffValues
} from '@shared/contract/family-file-shapes'
import { maskIban } from '@shared/validators'
import type { Actor, StaffRole } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { bumpVersion, claimVersion, versionOf, type RowKey, type VersionedTable } from '../db/versions'
import { FamilyDocument, StoredFile } from '../documents/entities'
import { Child, Family, Person } from './entities'
import { refreshSearchText } from './families'
import { childHouseholdLabels, childHouseholds, childInHousehold, householdChildIds, otherHouseholdChanges } from './households'
import { ChildFile, FamilyBank, FamilyCaf, FamilyDeparture, FamilyFiscal, PickupPersonRow } from './file-entities'
import { dropPickupPhotos, pickupKey, pickupPhotosByName } from './pickup-photos'

/** Who reads a file: a staff role, or the family itself (portal). */
export type FileReader = StaffRole | 'family'

/** The values of one section as plain comparable data (what a change request diffs). */
export type SectionValues = Record<string, unknown>

export interface SectionTarget {
  familyId: number
  childId?: number | null
}

/** The row that carries a section's version (health, authorisations and custody notes share the child's file row). */
function sectionRow(section: FileSection, t: SectionTarget): [VersionedTable, RowKey] {
  switch (section) {
    case 'responsable':
    case 'conjoint':
      return ['person', { family_id: t.familyId, role: section }]
    case 'fiscal':
      return ['family_fiscal', { family_id: t.familyId }]
    case 'caf':
      return ['family_caf', { family_id: t.familyId }]
    case 'bank':
      return ['family_bank', { family_id: t.familyId }]
    case 'child':
      return ['child', { id: t.childId ?? 0 }]
    case 'authorisations':
    case 'health':
      return ['child_file', { child_id: t.childId ?? 0 }]
  }
}

export function sectionVersion(m: EntityManager, section: FileSection, t: SectionTarget): number {
  return versionOf(m, ...sectionRow(section, t))
}

const PERSON_FIELDS = Object.keys(personStaffValues.shape) as (keyof PersonStaffValues)[]

function personValuesOf(p: Person | null): PersonStaffValues | null {
  if (!p) return null
  const out: Record<string, unknown> = {}
  for (const k of PERSON_FIELDS) out[k] = (p as unknown as Record<string, unknown>)[k] ?? (k === 'birthDate' ? null : '')
  out.consentEmail = Boolean(p.consentEmail)
  out.consentSms = Boolean(p.consentSms)
  return out as PersonStaffValues
}

function emptyChildFile(childId: number, now: string): ChildFile {
  return Object.assign(new ChildFile(), {
    childId,
    allergies: false,
    allergyNotes: '',
    pai: false,
    paiDocumentId: null,
    dietNotes: '',
    mealType: 'standard',
    vaccines: [],
    doctorName: '',
    doctorPhone: '',
    glasses: false,
    hearingAid: false,
    healthNotes: '',
    imageRights: false,
    leaveAlone: false,
    outings: '',
    emergencyCare: '',
    linkResponsable: '',
    linkConjoint: '',
    livesWith: '',
    custodyNotes: '',
    updatedAt: now
  })
}

export async function childFileOf(m: EntityManager, childId: number): Promise<ChildFile> {
  return (await m.findOneBy(ChildFile, { childId })) ?? emptyChildFile(childId, new Date(0).toISOString())
}

async function pickupsOf(m: EntityManager, childId: number): Promise<AuthorisationValues['pickups']> {
  const rows = await m.find(PickupPersonRow, { where: { childId }, order: { position: 'ASC', id: 'ASC' } })
  return rows.map((r) => ({ name: r.name, relationship: r.relationship, phone: r.phone, emergency: Boolean(r.emergency) }))
}

async function childOf(m: EntityManager, familyId: number, childId: number | null | undefined): Promise<Child> {
  const c = childId ? await m.findOneBy(Child, { id: childId }) : null
  // A child of another family is "not found", like a missing one; a shared child's file is both households' (issue 16).
  if (!c || !childInHousehold(m, c.id, familyId)) throw notFound('Enfant')
  return c
}

/** Current values of a section, in the shape its schema produces. `null` = the section has no row yet. */
export async function readSection(m: EntityManager, section: FileSection, t: SectionTarget): Promise<SectionValues> {
  switch (section) {
    case 'responsable':
    case 'conjoint': {
      const p = await m.findOneBy(Person, { familyId: t.familyId, role: section })
      return (personValuesOf(p) ?? {}) as SectionValues
    }
    case 'fiscal': {
      const f = await m.findOneBy(FamilyFiscal, { familyId: t.familyId })
      const v: FiscalValues = {
        taxYear: f?.taxYear ?? null,
        referenceIncome: f?.referenceIncome ?? null,
        taxShares: f?.taxShares ?? null,
        dependentChildren: f?.dependentChildren ?? 0
      }
      return v
    }
    case 'caf': {
      const c = await m.findOneBy(FamilyCaf, { familyId: t.familyId })
      const v: CafValues & { quotientProofDocumentId: number | null } = {
        allocataireName: c?.allocataireName ?? '',
        regime: c?.regime ?? '',
        allocataireNumber: c?.allocataireNumber ?? '',
        quotient: c?.quotient ?? null,
        quotientValidUntil: c?.quotientValidUntil ?? null,
        quotientProofDocumentId: c?.quotientProofDocumentId ?? null
      }
      return v
    }
    case 'bank': {
      const b = await m.findOneBy(FamilyBank, { familyId: t.familyId })
      const v: BankValues = {
        holder: b?.holder ?? '',
        bankName: b?.bankName ?? '',
        iban: b?.iban ?? '',
        bic: b?.bic ?? '',
        directDebit: Boolean(b?.directDebit)
      }
      return v
    }
    case 'authorisations': {
      const c = await childOf(m, t.familyId, t.childId)
      const f = await childFileOf(m, c.id)
      const v: AuthorisationValues = {
        imageRights: Boolean(f.imageRights),
        leaveAlone: Boolean(f.leaveAlone),
        outings: f.outings,
        emergencyCare: f.emergencyCare,
        pickups: await pickupsOf(m, c.id)
      }
      return v
    }
    case 'health': {
      const c = await childOf(m, t.familyId, t.childId)
      const f = await childFileOf(m, c.id)
      const v: HealthValues & { paiDocumentId: number | null } = {
        allergies: Boolean(f.allergies),
        allergyNotes: f.allergyNotes,
        pai: Boolean(f.pai),
        dietNotes: f.dietNotes,
        mealType: f.mealType,
        vaccines: f.vaccines ?? [],
        doctorName: f.doctorName,
        doctorPhone: f.doctorPhone,
        glasses: Boolean(f.glasses),
        hearingAid: Boolean(f.hearingAid),
        healthNotes: f.healthNotes,
        paiDocumentId: f.paiDocumentId
      }
      return v
    }
    case 'child': {
      const c = await childOf(m, t.familyId, t.childId)
      const f = await childFileOf(m, c.id)
      const v: ChildValues = {
        lastName: c.lastName,
        firstName: c.firstName,
        birthDate: c.birthDate,
        sex: c.sex,
        school: c.school,
        grade: c.grade,
        linkResponsable: f.linkResponsable,
        linkConjoint: f.linkConjoint,
        livesWith: f.livesWith
      }
      return v
    }
  }
}

/** The schema a section's merged values must satisfy before they are written. */
const SECTION_SCHEMAS = {
  responsable: personStaffValues,
  conjoint: personStaffValues,
  fiscal: fiscalValues,
  caf: cafValues,
  bank: bankValues,
  authorisations: authorisationValues,
  health: healthValues,
  child: childValues
} as const

/** A section's validation issues as the form error the input schema would give (fields under `values.`). */
export function sectionError(issues: { path: PropertyKey[]; message: string }[]): DomainError {
  const fields: Record<string, string> = {}
  for (const i of issues) fields[['values', ...i.path.map(String)].join('.')] ??= i.message
  return new DomainError('invalid_input', `Le formulaire contient des erreurs. ${issues[0]?.message ?? ''}`.trim(), 400, fields)
}

/** Checks a document id used as a proof (CAF) or PAI belongs to the family. */
async function checkFamilyDocument(m: EntityManager, familyId: number, documentId: number | null | undefined): Promise<number | null> {
  if (!documentId) return null
  const d = await m.findOneBy(FamilyDocument, { id: documentId })
  if (!d || d.familyId !== familyId) throw notFound('Document')
  return d.id
}

/**
 * Writes a section of the file, with an audit row holding the before and
 * after values. Used by staff edits and by an accepted change request; the
 * values are validated again here, whoever sends them. A staff edit sends the
 * `version` it loaded (a stale one is refused, 409); an accepted request
 * bumps the version, so a desk holding an older copy gets the 409 too.
 */
export async function writeSection(
  m: EntityManager,
  core: Core,
  actor: Actor,
  section: FileSection,
  t: SectionTarget,
  rawValues: SectionValues,
  extra: { documentId?: number | null; requestId?: number; version?: number } = {}
): Promise<void> {
  const schema = SECTION_SCHEMAS[section]
  const parsed = schema.safeParse(rawValues)
  if (!parsed.success) throw sectionError(parsed.error.issues)
  const values = parsed.data as SectionValues
  const now = core.clock.now().toISOString()
  const family = await m.findOneBy(Family, { id: t.familyId })
  if (!family) throw notFound('Famille')
  if ((await m.findOneBy(FamilyDeparture, { familyId: t.familyId }))?.anonymisedAt) {
    throw new DomainError('anonymised', 'Cette famille est anonymisée : son dossier ne peut plus être modifié.', 409)
  }
  const before = await readSection(m, section, t)
  let entityId: number | string = t.familyId
  switch (section) {
    case 'responsable':
    case 'conjoint': {
      const v = values as PersonStaffValues
      let p = await m.findOneBy(Person, { familyId: t.familyId, role: section })
      if (!p) {
        if (section === 'responsable') throw notFound('Responsable')
        p = await m.save(Person, Object.assign(new Person(), { ...v, familyId: t.familyId, role: 'conjoint' }))
      } else {
        await m.update(Person, { id: p.id }, v)
      }
      entityId = p.id
      // The household address follows the responsable's (invoices and mail use it).
      if (section === 'responsable') {
        await m.update(Family, { id: t.familyId }, { address: v.address, postalCode: v.postalCode, city: v.city, updatedAt: now })
      }
      await refreshSearchText(m, t.familyId)
      break
    }
    case 'fiscal':
      await m.save(FamilyFiscal, { familyId: t.familyId, ...(values as FiscalValues), updatedAt: now })
      break
    case 'caf': {
      const proof = extra.documentId !== undefined ? await checkFamilyDocument(m, t.familyId, extra.documentId) : (before.quotientProofDocumentId as number | null)
      await m.save(FamilyCaf, { familyId: t.familyId, ...(values as CafValues), quotientProofDocumentId: proof ?? null, updatedAt: now })
      break
    }
    case 'bank':
      await m.save(FamilyBank, { familyId: t.familyId, ...(values as BankValues), updatedAt: now })
      break
    case 'authorisations': {
      const v = values as AuthorisationValues
      const c = await childOf(m, t.familyId, t.childId)
      entityId = c.id
      const f = await childFileOf(m, c.id)
      await m.save(ChildFile, { ...f, imageRights: v.imageRights, leaveAlone: v.leaveAlone, outings: v.outings, emergencyCare: v.emergencyCare, updatedAt: now })
      // The list is written again whole: a person still on it (same name) keeps their photo.
      const photos = await pickupPhotosByName(m, c.id)
      await m.delete(PickupPersonRow, { childId: c.id })
      for (const [i, p] of v.pickups.entries()) {
        const key = pickupKey(p.name)
        await m.insert(PickupPersonRow, { ...p, childId: c.id, position: i, photoFileId: photos.get(key) ?? null })
        photos.delete(key)
      }
      // A person taken off the list takes their photo with them: a face kept with no purpose is not kept (RGPD).
      await dropPickupPhotos(m, core, [...photos.values()])
      break
    }
    case 'health': {
      const v = values as HealthValues
      const c = await childOf(m, t.familyId, t.childId)
      entityId = c.id
      const f = await childFileOf(m, c.id)
      const pai = extra.documentId !== undefined ? await checkFamilyDocument(m, t.familyId, extra.documentId) : f.paiDocumentId
      await m.save(ChildFile, { ...f, ...v, paiDocumentId: v.pai ? (pai ?? null) : null, updatedAt: now })
      break
    }
    case 'child': {
      const v = values as ChildValues
      const c = await childOf(m, t.familyId, t.childId)
      entityId = c.id
      const f = await childFileOf(m, c.id)
      await m.update(Child, { id: c.id }, { lastName: v.lastName, firstName: v.firstName, birthDate: v.birthDate, sex: v.sex, school: v.school, grade: v.grade })
      await m.save(ChildFile, { ...f, linkResponsable: v.linkResponsable, linkConjoint: v.linkConjoint, livesWith: v.livesWith, updatedAt: now })
      await refreshSearchText(m, t.familyId)
      break
    }
  }
  // The row exists now (a first save created it at version 0).
  if (extra.version === undefined) bumpVersion(m, ...sectionRow(section, t), actor, core.clock.now())
  else claimVersion(m, ...sectionRow(section, t), extra.version, actor, core.clock.now())
  const after = await readSection(m, section, t)
  await audit(m, actor, core.clock.now(), {
    action: `file-update-${section}`,
    entity: section === 'responsable' || section === 'conjoint' ? 'person' : ['authorisations', 'health', 'child'].includes(section) ? 'child' : 'family',
    entityId,
    before: { familyId: t.familyId, requestId: extra.requestId ?? null, ...before },
    after: { familyId: t.familyId, requestId: extra.requestId ?? null, ...after }
  })
}

/** Adds a child with its whole file (staff directly, or an accepted add-child request). Returns its id. */
export async function addChild(m: EntityManager, core: Core, actor: Actor, familyId: number, v: NewChildValues, extra: { requestId?: number } = {}): Promise<number> {
  const family = await m.findOneBy(Family, { id: familyId })
  if (!family) throw notFound('Famille')
  const now = core.clock.now().toISOString()
  const id = v.identity
  const child = await m.save(
    Child,
    Object.assign(new Child(), { familyId, lastName: id.lastName, firstName: id.firstName, birthDate: id.birthDate, sex: id.sex, school: id.school, grade: id.grade, createdAt: now })
  )
  await m.save(ChildFile, {
    ...emptyChildFile(child.id, now),
    ...v.health,
    paiDocumentId: null,
    imageRights: v.authorisations.imageRights,
    leaveAlone: v.authorisations.leaveAlone,
    outings: v.authorisations.outings,
    emergencyCare: v.authorisations.emergencyCare,
    linkResponsable: id.linkResponsable,
    linkConjoint: id.linkConjoint,
    livesWith: id.livesWith
  })
  for (const [i, p] of v.authorisations.pickups.entries()) await m.insert(PickupPersonRow, { ...p, childId: child.id, position: i })
  await refreshSearchText(m, familyId)
  await audit(m, actor, core.clock.now(), { action: 'child-create', entity: 'child', entityId: child.id, after: { familyId, requestId: extra.requestId ?? null, ...v } })
  return child.id
}

/** Custody notes (court decisions): direction only, enforced by the contract's roles. */
export async function writeCustodyNotes(core: Core, actor: Actor, childId: number, notes: string, version: number): Promise<void> {
  await core.tx.run(async (m) => {
    const c = await m.findOneBy(Child, { id: childId })
    if (!c) throw notFound('Enfant')
    const f = await childFileOf(m, childId)
    const before = f.custodyNotes
    await m.save(ChildFile, { ...f, custodyNotes: notes, updatedAt: core.clock.now().toISOString() })
    claimVersion(m, 'child_file', { child_id: childId }, version, actor, core.clock.now())
    await audit(m, actor, core.clock.now(), { action: 'file-update-custody', entity: 'child', entityId: childId, before: { custodyNotes: before }, after: { custodyNotes: notes } })
  })
}

async function documentName(m: EntityManager, documentId: number | null): Promise<string | null> {
  if (!documentId) return null
  const d = await m.findOneBy(FamilyDocument, { id: documentId })
  if (!d) return null
  const f = await m.findOneBy(StoredFile, { id: d.fileId })
  return d.title || f?.name || null
}

const canSeeMoney = (r: FileReader) => r !== 'animateur'
// The portal shows the family its IBAN masked too: a borrowed session must not yield bank details.
const canSeeIban = (r: FileReader) => r !== 'animateur' && r !== 'family'
const canSeeCustody = (r: FileReader) => r === 'direction'

function personDto(p: Person | null): PersonFileDto | null {
  const v = personValuesOf(p)
  return p && v ? { ...v, id: p.id, role: p.role } : null
}

/**
 * The whole family file as a reader may see it: animateurs get no money
 * section (no IBAN, income or quotient), only direction gets custody notes.
 */
export async function loadFamilyFile(m: EntityManager, core: Core, familyId: number, reader: FileReader): Promise<FamilyFileDto> {
  const family = await m.findOneBy(Family, { id: familyId })
  if (!family) throw notFound('Famille')
  const t = { familyId }
  const dep = await m.findOneBy(FamilyDeparture, { familyId })
  const responsable = await m.findOneBy(Person, { familyId, role: 'responsable' })
  const conjoint = await m.findOneBy(Person, { familyId, role: 'conjoint' })
  const children = await m.find(Child, { where: { id: In(householdChildIds(m, familyId)) }, order: { birthDate: 'ASC', id: 'ASC' } })
  const today = parisDay(core.clock.now())
  let caf: FamilyFileDto['caf'] = null
  let bank: FamilyFileDto['bank'] = null
  let fiscal: FamilyFileDto['fiscal'] = null
  if (canSeeMoney(reader)) {
    fiscal = (await readSection(m, 'fiscal', t)) as FiscalValues
    const c = (await readSection(m, 'caf', t)) as CafValues & { quotientProofDocumentId: number | null }
    caf = {
      ...c,
      quotientProofName: await documentName(m, c.quotientProofDocumentId),
      quotientValidToday: c.quotient !== null && (!c.quotientValidUntil || c.quotientValidUntil >= today)
    }
    const b = (await readSection(m, 'bank', t)) as BankValues
    bank = { ...b, iban: canSeeIban(reader) ? b.iban : maskIban(b.iban), ibanMasked: !canSeeIban(reader) }
  }
  const childDtos: ChildFileDto[] = []
  for (const c of children) {
    const f = await childFileOf(m, c.id)
    const health = (await readSection(m, 'health', { familyId, childId: c.id })) as HealthValues & { paiDocumentId: number | null }
    const fileVersion = sectionVersion(m, 'health', { familyId, childId: c.id })
    const households = childHouseholds(m, c.id)
    const otherId = households.find((h) => h !== familyId)
    const labels = otherId && reader !== 'family' ? await childHouseholdLabels(m, c.id) : null
    childDtos.push({
      id: c.id,
      identity: (await readSection(m, 'child', { familyId, childId: c.id })) as ChildValues,
      health: { ...health, paiDocumentName: await documentName(m, health.paiDocumentId) },
      authorisations: (await readSection(m, 'authorisations', { familyId, childId: c.id })) as AuthorisationValues,
      custodyNotes: canSeeCustody(reader) ? f.custodyNotes : null,
      household: {
        shared: households.length > 1,
        firstHousehold: households[0] === familyId,
        other: labels ? (labels.first.familyId === otherId ? labels.first : labels.second) : null,
        otherChanges: otherId ? otherHouseholdChanges(m, c.id, familyId) : []
      },
      versions: { child: sectionVersion(m, 'child', { familyId, childId: c.id }), health: fileVersion, authorisations: fileVersion, custody: fileVersion }
    })
  }
  const resp = personDto(responsable)
  const conj = personDto(conjoint)
  return {
    familyId,
    number: family.number,
    status: family.status,
    leftAt: dep?.leftAt ?? null,
    anonymisedAt: dep?.anonymisedAt ?? null,
    responsable: resp,
    conjoint: conj,
    fiscal,
    caf,
    bank,
    children: childDtos,
    versions: {
      family: versionOf(m, 'family', { id: familyId }),
      responsable: sectionVersion(m, 'responsable', t),
      conjoint: sectionVersion(m, 'conjoint', t),
      fiscal: sectionVersion(m, 'fiscal', t),
      caf: sectionVersion(m, 'caf', t),
      bank: sectionVersion(m, 'bank', t)
    }
  }
}

/**
 * The quotient familial valid on `day`, or null (billing then applies its
 * highest bracket). Exported for the billing module (#6).
 */
export async function familyQuotient(m: EntityManager, familyId: number, day: string): Promise<number | null> {
  const c = await m.findOneBy(FamilyCaf, { familyId })
  if (!c || c.quotient === null) return null
  if (c.quotientValidUntil && c.quotientValidUntil < day) return null
  return c.quotient
}

/**
 * What a daily attendance list needs about children (#5): allergy, PAI and
 * diet flags, pick-up people and emergency phones. Never custody or money.
 */
export async function childCareInfo(m: EntityManager, childIds: number[]) {
  const out = new Map<number, { allergies: boolean; allergyNotes: string; pai: boolean; mealType: string; dietNotes: string; pickups: AuthorisationValues['pickups']; leaveAlone: boolean }>()
  for (const id of childIds) {
    const f = await childFileOf(m, id)
    out.set(id, {
      allergies: Boolean(f.allergies),
      allergyNotes: f.allergyNotes,
      pai: Boolean(f.pai),
      mealType: f.mealType,
      dietNotes: f.dietNotes,
      leaveAlone: Boolean(f.leaveAlone),
      pickups: await pickupsOf(m, id)
    })
  }
  return out
}
