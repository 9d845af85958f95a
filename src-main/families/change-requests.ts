import type { EntityManager } from 'typeorm'
import {
  FIELD_LABELS,
  FILE_SECTION_LABELS,
  FILE_SECTIONS,
  REQUEST_CATEGORY_LABELS,
  bankValues,
  fileChangePayload,
  newChildValues,
  type FamilyRequestItemDto,
  type FieldChange,
  type FileChangeItemDto,
  type FileChangePayload,
  type FileSection,
  type NewChildValues,
  type PortalChangeInput
} from '@shared/contract/family-file-shapes'
import { maskIban } from '@shared/validators'
import type { Actor, StaffRole } from '../core/actor'
import type { Core } from '../core/app-core'
import { frenchDate, parisDay } from '../core/clock'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { StaffUser } from '../accounts/entities'
import { enqueueMail, mailContext } from '../mail/outbox'
import { createRequest, decideRequest, pendingRequest } from '../requests/requests'
import { FamilyRequest } from '../requests/entities'
import { Child, Family, Person } from './entities'
import { familyRecipient } from './contact'
import { familyFileTemplates } from './file-mail'
import { RequestSecret } from './file-entities'
import { addChild, readSection, sectionError, writeSection, type SectionValues } from './file'
import { personName, upperName } from '@shared/names'

export const FILE_CHANGE = 'file-change'

type FamilyActor = Extract<Actor, { kind: 'family' }>
type StaffActor = Extract<Actor, { kind: 'staff' }>

/** The document field a section's `documentId` input sets. */
const DOCUMENT_FIELD: Partial<Record<FileSection, string>> = { caf: 'quotientProofDocumentId', health: 'paiDocumentId' }

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

/** Field-level diff: only the fields whose value changes. */
export function diffValues(before: SectionValues, after: SectionValues): Record<string, FieldChange> {
  const out: Record<string, FieldChange> = {}
  for (const [k, v] of Object.entries(after)) {
    if (v === undefined) continue
    if (!same(before[k], v)) out[k] = { label: FIELD_LABELS[k] ?? k, before: before[k] ?? null, after: v }
  }
  return out
}

function childName(c: Pick<Child, 'firstName' | 'lastName'>): string {
  return `${c.firstName} ${upperName(c.lastName)}`
}

function summaryOf(section: FileSection, changes: Record<string, FieldChange>, child: string): string {
  const where = child ? `${FILE_SECTION_LABELS[section]} — ${child}` : FILE_SECTION_LABELS[section]
  const fields = Object.values(changes).map((c) => c.label)
  const list = fields.length > 4 ? `${fields.slice(0, 4).join(', ')}…` : fields.join(', ')
  return `${where} : ${list}`.slice(0, 300)
}

/**
 * A family edits one section: the request stores only the changed fields,
 * each with its value at the time of the request. A new IBAN is kept out of
 * the payload (listed to every staff role) in `request_secret`.
 */
export async function requestFileChange(core: Core, actor: FamilyActor, input: PortalChangeInput): Promise<number> {
  return core.tx.run(async (m) => {
    const familyId = actor.familyId
    const childId = 'childId' in input ? input.childId : null
    const current = await readSection(m, input.section, { familyId, childId })
    const values: SectionValues = { ...(input.values as SectionValues) }
    delete values.email
    if (input.section === 'bank') {
      // The portal shows the IBAN masked: empty means "keep the one on file"; the whole section must then still hold.
      if (values.iban === '') values.iban = current.iban
      const check = bankValues.safeParse(values)
      if (!check.success) throw sectionError(check.error.issues)
    }
    const changes = diffValues(current, values)
    const docField = DOCUMENT_FIELD[input.section]
    const documentId = 'documentId' in input ? (input.documentId ?? null) : null
    if (docField && documentId && !same(current[docField], documentId)) {
      changes[docField] = { label: FIELD_LABELS[docField], before: current[docField] ?? null, after: documentId }
    }
    if (Object.keys(changes).length === 0) {
      throw new DomainError('no_change', 'Aucune modification : les informations saisies sont déjà celles de votre dossier.', 400)
    }
    let secret: Record<string, unknown> | null = null
    if (changes.iban) {
      secret = { iban: changes.iban.after }
      changes.iban = { ...changes.iban, before: maskIban(String(changes.iban.before ?? '')), after: maskIban(String(changes.iban.after ?? '')) }
    }
    const child = childId ? await m.findOneByOrFail(Child, { id: childId }) : null
    const person = input.section === 'responsable' || input.section === 'conjoint' ? await m.findOneBy(Person, { familyId, role: input.section }) : null
    const payload: FileChangePayload = {
      section: input.section,
      op: 'update',
      personId: person?.id ?? null,
      childId,
      childName: child ? childName(child) : '',
      documentId,
      changes
    }
    const r = await createRequest(m, core, actor, {
      familyId,
      accountId: actor.id,
      type: FILE_CHANGE,
      summary: summaryOf(input.section, changes, payload.childName),
      payload
    })
    if (secret) await m.save(RequestSecret, Object.assign(new RequestSecret(), { requestId: r.id, data: secret }))
    return r.id
  })
}

/** Flattens the wizard's values into display changes (before = nothing). */
function newChildChanges(v: NewChildValues): Record<string, FieldChange> {
  const out: Record<string, FieldChange> = {}
  const put = (k: string, val: unknown) => {
    if (val === '' || val === null || val === false || (Array.isArray(val) && val.length === 0)) return
    out[k] = { label: FIELD_LABELS[k] ?? k, before: null, after: val }
  }
  for (const [k, val] of Object.entries(v.identity)) put(k, val)
  for (const [k, val] of Object.entries(v.health)) put(k, val)
  for (const [k, val] of Object.entries(v.authorisations)) put(k, val)
  return out
}

/** The add-child wizard files one pending request; staff create the child when they accept it. */
export async function requestChildAdd(core: Core, actor: FamilyActor, v: NewChildValues): Promise<number> {
  return core.tx.run(async (m) => {
    const changes = newChildChanges(v)
    const name = childName(v.identity)
    const r = await createRequest(m, core, actor, {
      familyId: actor.familyId,
      accountId: actor.id,
      type: FILE_CHANGE,
      summary: `Ajout de l’enfant ${name}`,
      payload: { section: 'child', op: 'add', personId: null, childId: null, childName: name, documentId: null, changes, newChild: v }
    })
    return r.id
  })
}

function parsePayload(r: FamilyRequest): FileChangePayload {
  const p = fileChangePayload.safeParse(r.payload)
  if (!p.success) throw new DomainError('bad_request_payload', 'Cette demande est illisible : refusez-la et demandez à la famille de la refaire.', 400)
  return p.data
}

async function mailDecision(m: EntityManager, core: Core, r: FamilyRequest, p: FileChangePayload, accepted: boolean, reason: string) {
  const to = await familyRecipient(m, r.familyId, r.accountId)
  if (!to) return
  const ctx = await mailContext(m, core.runtime.portalUrl)
  const date = frenchDate(r.createdAt)
  const section = p.childName ? `${FILE_SECTION_LABELS[p.section]} — ${p.childName}` : FILE_SECTION_LABELS[p.section]
  const fields = Object.values(p.changes).map((c) => c.label)
  const mail =
    p.op === 'add'
      ? accepted
        ? familyFileTemplates.childAddAccepted(ctx, { child: p.childName, date })
        : familyFileTemplates.childAddRefused(ctx, { child: p.childName, date, reason })
      : accepted
        ? familyFileTemplates.fileChangeAccepted(ctx, { section, fields, date })
        : familyFileTemplates.fileChangeRefused(ctx, { section, fields, date, reason })
  await enqueueMail(m, core, to, mail)
}

/** Accounting decides on the money sections only (fiscal, CAF, bank), as it edits only those. */
function checkDecider(actor: StaffActor, p: FileChangePayload): void {
  const money = p.section === 'fiscal' || p.section === 'caf' || p.section === 'bank'
  if (actor.role === 'animateur' || (actor.role === 'comptable' && !money)) throw new DomainError('forbidden_role', 'Votre rôle ne permet pas cette action.', 403)
}

/** Accepts a change request: applies the requested values (audited before/after), records the decision, e-mails the family. */
export async function acceptFileChange(core: Core, actor: StaffActor, requestId: number): Promise<void> {
  await core.tx.run(async (m) => {
    const r = await pendingRequest(m, requestId, FILE_CHANGE)
    const p = parsePayload(r)
    checkDecider(actor, p)
    if (p.op === 'add') {
      const v = newChildValues.parse((r.payload as { newChild?: unknown }).newChild)
      const childId = await addChild(m, core, actor, r.familyId, v, { requestId: r.id })
      r.payload = { ...r.payload, childId }
    } else {
      const target = { familyId: r.familyId, childId: p.childId }
      const current = await readSection(m, p.section, target)
      const merged: SectionValues = { ...current }
      for (const [k, c] of Object.entries(p.changes)) merged[k] = c.after
      const secret = await m.findOneBy(RequestSecret, { requestId: r.id })
      if (secret) Object.assign(merged, secret.data)
      const docField = DOCUMENT_FIELD[p.section]
      let documentId: number | null | undefined
      if (docField) {
        documentId = docField in p.changes ? (p.changes[docField].after as number | null) : undefined
        delete merged[docField]
      }
      await writeSection(m, core, actor, p.section, target, merged, { documentId, requestId: r.id })
    }
    await m.delete(RequestSecret, { requestId: r.id })
    await decideRequest(m, core, actor, r, 'accepted')
    await mailDecision(m, core, r, p, true, '')
  })
}

export async function refuseFileChange(core: Core, actor: StaffActor, requestId: number, reason: string): Promise<void> {
  await core.tx.run(async (m) => {
    const r = await pendingRequest(m, requestId, FILE_CHANGE)
    const p = parsePayload(r)
    checkDecider(actor, p)
    await m.delete(RequestSecret, { requestId: r.id })
    await decideRequest(m, core, actor, r, 'refused', reason)
    await mailDecision(m, core, r, p, false, reason)
  })
}

/** A family withdraws one of its pending change requests. */
export async function cancelFileChange(core: Core, actor: FamilyActor, requestId: number): Promise<void> {
  await core.tx.run(async (m) => {
    const r = await pendingRequest(m, requestId)
    if (r.familyId !== actor.familyId) throw notFound('Demande')
    if (r.type !== FILE_CHANGE) throw new DomainError('not_cancellable', 'Cette demande ne peut pas être annulée ici.', 400)
    const before = { ...r }
    r.status = 'cancelled'
    r.decidedAt = core.clock.now().toISOString()
    await m.save(FamilyRequest, r)
    await m.delete(RequestSecret, { requestId: r.id })
    await audit(m, actor, core.clock.now(), { action: 'request-cancel', entity: 'request', entityId: r.id, before, after: r })
  })
}

export interface FileChangeQuery {
  status?: 'pending' | 'accepted' | 'refused' | 'cancelled'
  familyId?: number
  section?: FileSection
  limit: number
  offset: number
}

/** The validation queue: each request with before / after / current per field. */
export async function listFileChanges(core: Core, role: StaffRole, q: FileChangeQuery): Promise<{ total: number; items: FileChangeItemDto[] }> {
  return core.tx.read(async (m) => {
    const qb = m.createQueryBuilder(FamilyRequest, 'r').where('r.type = :t', { t: FILE_CHANGE })
    if (q.status) qb.andWhere('r.status = :s', { s: q.status })
    if (q.familyId) qb.andWhere('r.family_id = :f', { f: q.familyId })
    if (q.section) qb.andWhere(`json_extract(r.payload, '$.section') = :sec`, { sec: q.section })
    const total = await qb.getCount()
    const rows = await qb
      .orderBy('r.created_at', q.status === 'pending' ? 'ASC' : 'DESC')
      .addOrderBy('r.id', 'ASC')
      .skip(q.offset)
      .take(q.limit)
      .getMany()
    const items: FileChangeItemDto[] = []
    for (const r of rows) items.push(await fileChangeItem(m, r, role))
    return { total, items }
  })
}

async function fileChangeItem(m: EntityManager, r: FamilyRequest, role: StaffRole): Promise<FileChangeItemDto> {
  const p = parsePayload(r)
  const family = await m.findOneBy(Family, { id: r.familyId })
  const resp = await m.findOneBy(Person, { familyId: r.familyId, role: 'responsable' })
  const staff = r.decidedBy ? await m.findOneBy(StaffUser, { id: r.decidedBy }) : null
  let current: SectionValues = {}
  if (r.status === 'pending' && p.op === 'update') {
    try {
      current = await readSection(m, p.section, { familyId: r.familyId, childId: p.childId })
    } catch {
      current = {}
    }
    if ('iban' in current) current.iban = role === 'animateur' ? maskIban(String(current.iban)) : current.iban
  }
  const secret = p.section === 'bank' && role !== 'animateur' ? await m.findOneBy(RequestSecret, { requestId: r.id }) : null
  const changes = Object.entries(p.changes).map(([field, c]) => {
    let after = c.after
    if (field === 'iban' && secret?.data.iban) after = secret.data.iban
    const cur = r.status === 'pending' && p.op === 'update' ? (current[field] ?? null) : null
    const stale = r.status === 'pending' && p.op === 'update' && field !== 'iban' && !same(cur, c.before)
    return { field, label: c.label, before: c.before, after, current: cur, stale }
  })
  return {
    id: r.id,
    familyId: r.familyId,
    familyNumber: family?.number ?? 0,
    familyName: resp ? personName(resp.lastName, resp.firstName) : '',
    section: p.section,
    sectionLabel: FILE_SECTION_LABELS[p.section],
    op: p.op,
    childName: p.childName,
    status: r.status,
    summary: r.summary,
    changes,
    documentId: p.documentId,
    reason: r.reason,
    createdAt: r.createdAt,
    decidedAt: r.decidedAt,
    decidedBy: staff?.displayName ?? null
  }
}

function monthBefore(day: string): string {
  const [y, mo, d] = day.split('-').map(Number)
  const dt = new Date(Date.UTC(y, mo - 2, Math.min(d, 28)))
  return dt.toISOString().slice(0, 10)
}

export interface FamilyRequestQuery {
  category?: string
  from?: string | null
  to?: string | null
}

/** "Mes demandes": every request of the family, filtered by category and period (last month by default). */
export async function listFamilyRequests(core: Core, familyId: number, q: FamilyRequestQuery): Promise<{ from: string; to: string; items: FamilyRequestItemDto[] }> {
  const today = parisDay(core.clock.now())
  const from = q.from ?? monthBefore(today)
  const to = q.to ?? today
  return core.tx.read(async (m) => {
    const qb = m
      .createQueryBuilder(FamilyRequest, 'r')
      .where('r.family_id = :f', { f: familyId })
      // Stored instants are UTC; a Paris day starts at most two hours earlier in UTC.
      .andWhere('r.created_at >= :from AND r.created_at < :to', { from: `${shiftDay(from, -1)}T22:00:00.000Z`, to: `${to}T23:59:59.999Z` })
    if (q.category) {
      if ((FILE_SECTIONS as readonly string[]).includes(q.category)) {
        qb.andWhere('r.type = :t', { t: FILE_CHANGE }).andWhere(`json_extract(r.payload, '$.section') = :sec`, { sec: q.category })
      } else qb.andWhere('r.type = :t', { t: q.category })
    }
    const rows = await qb.orderBy('r.created_at', 'DESC').addOrderBy('r.id', 'DESC').take(500).getMany()
    const items = rows
      .filter((r) => parisDay(new Date(r.createdAt)) >= from && parisDay(new Date(r.createdAt)) <= to)
      .map((r) => {
        const section = r.type === FILE_CHANGE ? String(r.payload.section ?? '') : ''
        const category = section || r.type
        const changes = r.type === FILE_CHANGE ? ((r.payload.changes as Record<string, FieldChange>) ?? null) : null
        return {
          id: r.id,
          type: r.type,
          category,
          categoryLabel: REQUEST_CATEGORY_LABELS[category] ?? category,
          status: r.status,
          summary: r.summary,
          changes,
          reason: r.reason,
          createdAt: r.createdAt,
          decidedAt: r.decidedAt
        }
      })
    return { from, to, items }
  })
}

function shiftDay(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}
