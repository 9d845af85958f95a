import { createHash } from 'node:crypto'
import { In, type EntityManager } from 'typeorm'
import type { AnonymisePreviewDto } from '@shared/contract/family-file-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { frenchDate, parisDay } from '../core/clock'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { bumpVersion, claimVersion } from '../db/versions'
import { PasswordToken, PortalAccount, Session } from '../accounts/entities'
import { AgendaFeed } from '../agenda/entities'
import { FamilyDocument, StoredFile } from '../documents/entities'
import { unlinkAfterCommit } from '../documents/storage'
import { Child, Family, Person } from '../families/entities'
import { refreshSearchText } from '../families/families'
import { ChildFile, FamilyBank, FamilyCaf, FamilyDeparture, FamilyFiscal, PickupPersonRow, RequestSecret } from '../families/file-entities'
import { MessageThread } from '../messaging/entities'
import { FamilyRequest } from '../requests/entities'

type StaffActor = Extract<Actor, { kind: 'staff' }>

/** Years after departure before a family may be anonymised (retention period of the file). */
export const RETENTION_YEARS = 3

/** A module with personal data of its own (e.g. reservations) registers what it erases. */
export interface AnonymisationStep {
  what: string
  count(m: EntityManager, familyId: number): Promise<number>
  erase(m: EntityManager, familyId: number): Promise<void>
}
export const anonymisationSteps: AnonymisationStep[] = []

/** What is kept, shown to staff before they confirm. */
const KEPT = [
  'Le N° famille et la fiche du foyer, vidée de ses informations personnelles.',
  'Les factures, paiements et prélèvements (obligation légale de conservation comptable).',
  'Le journal d’audit, dont les valeurs personnelles sont effacées.'
]

export async function setDeparture(core: Core, actor: StaffActor, familyId: number, leftAt: string | null, version: number): Promise<void> {
  await core.tx.run(async (m) => {
    const f = await m.findOneBy(Family, { id: familyId })
    if (!f) throw notFound('Famille')
    const dep = await m.findOneBy(FamilyDeparture, { familyId })
    if (dep?.anonymisedAt) throw new DomainError('anonymised', 'Cette famille est anonymisée : son départ ne peut plus être modifié.', 409)
    const before = { status: f.status, leftAt: dep?.leftAt ?? null }
    const status = leftAt ? 'archived' : f.status === 'archived' ? 'active' : f.status
    await m.save(FamilyDeparture, { familyId, leftAt, anonymisedAt: null, updatedAt: core.clock.now().toISOString() })
    await m.update(Family, { id: familyId }, { status, updatedAt: core.clock.now().toISOString() })
    claimVersion(m, 'family', { id: familyId }, version, actor, core.clock.now())
    await audit(m, actor, core.clock.now(), { action: 'family-departure', entity: 'family', entityId: familyId, before, after: { status, leftAt } })
  })
}

function addYears(day: string, n: number): string {
  const [y, mo, d] = day.split('-').map(Number)
  // 29 February + 3 years → 1 March.
  const dt = new Date(Date.UTC(y + n, mo - 1, d))
  return dt.toISOString().slice(0, 10)
}

interface Scope {
  family: Family
  leftAt: string | null
  anonymisedAt: string | null
  personIds: number[]
  childIds: number[]
  accountIds: number[]
  requestIds: number[]
  threadIds: number[]
  documentIds: number[]
  emails: string[]
}

async function scopeOf(m: EntityManager, familyId: number): Promise<Scope> {
  const family = await m.findOneBy(Family, { id: familyId })
  if (!family) throw notFound('Famille')
  const dep = await m.findOneBy(FamilyDeparture, { familyId })
  const persons = await m.findBy(Person, { familyId })
  const ids = async (sql: string) => ((await m.query(sql, [familyId])) as { id: number }[]).map((r) => Number(r.id))
  const accounts = await m.findBy(PortalAccount, { familyId })
  return {
    family,
    leftAt: dep?.leftAt ?? null,
    anonymisedAt: dep?.anonymisedAt ?? null,
    personIds: persons.map((p) => p.id),
    childIds: await ids(`SELECT id FROM child WHERE family_id = ?`),
    accountIds: accounts.map((a) => a.id),
    requestIds: await ids(`SELECT id FROM request WHERE family_id = ?`),
    threadIds: await ids(`SELECT id FROM message_thread WHERE family_id = ?`),
    documentIds: await ids(`SELECT id FROM family_document WHERE family_id = ?`),
    emails: [...new Set([...persons.map((p) => p.email), ...accounts.map((a) => a.login)].filter((e) => e.includes('@')).map((e) => e.toLowerCase()))]
  }
}

const placeholders = (xs: unknown[]) => xs.map(() => '?').join(',') || 'NULL'

async function countIn(m: EntityManager, sql: string, xs: unknown[]): Promise<number> {
  if (!xs.length) return 0
  return Number((await m.query(sql.replace('(?)', `(${placeholders(xs)})`), xs))[0].n)
}

async function preview(m: EntityManager, core: Core, familyId: number): Promise<AnonymisePreviewDto> {
  const s = await scopeOf(m, familyId)
  const today = parisDay(core.clock.now())
  const allowedFrom = s.leftAt ? addYears(s.leftAt, RETENTION_YEARS) : null
  let blocker: string | null = null
  if (s.anonymisedAt) blocker = `Cette famille a déjà été anonymisée le ${frenchDate(s.anonymisedAt)}.`
  else if (!s.leftAt) blocker = 'Indiquez d’abord la date de départ de la famille : l’anonymisation n’est possible que 3 ans après.'
  else if (allowedFrom && allowedFrom > today)
    blocker = `La famille a quitté la structure le ${frenchDate(s.leftAt)}, il y a moins de ${RETENTION_YEARS} ans : l’anonymisation sera possible à partir du ${frenchDate(allowedFrom)}.`
  const files = await countIn(
    m,
    `SELECT COUNT(*) AS n FROM (SELECT a.file_id FROM message_attachment a JOIN message x ON x.id = a.message_id WHERE x.thread_id IN (?)
      UNION SELECT file_id FROM family_document WHERE family_id = ${Number(familyId)}
      UNION ${PICKUP_PHOTOS.replace('?', String(Number(familyId)))})`,
    s.threadIds.length ? s.threadIds : [-1]
  )
  const erase = [
    { what: 'Responsable et conjoint : identité, adresse, téléphones, e-mail, profession, employeur', count: s.personIds.length },
    { what: 'Enfants : nom, prénom, date de naissance (seule l’année est gardée), école', count: s.childIds.length },
    { what: 'Fiches sanitaires, autorisations et notes de garde', count: await countIn(m, `SELECT COUNT(*) AS n FROM child_file WHERE child_id IN (?)`, s.childIds) },
    { what: 'Personnes autorisées à venir chercher les enfants', count: await countIn(m, `SELECT COUNT(*) AS n FROM pickup_person WHERE child_id IN (?)`, s.childIds) },
    { what: 'Informations fiscales', count: await m.countBy(FamilyFiscal, { familyId }) },
    { what: 'Informations CAF (allocataire, quotient familial)', count: await m.countBy(FamilyCaf, { familyId }) },
    { what: 'Coordonnées bancaires', count: await m.countBy(FamilyBank, { familyId }) },
    { what: 'Comptes du portail famille et leurs sessions', count: s.accountIds.length },
    { what: 'Contenu des demandes (le type et la date sont gardés)', count: s.requestIds.length },
    { what: 'Conversations de la messagerie', count: s.threadIds.length },
    { what: 'Documents de la famille', count: s.documentIds.length },
    { what: 'Fichiers effacés du disque (pièces jointes, documents, photos des personnes autorisées)', count: files },
    { what: 'E-mails envoyés à la famille (boîte d’envoi)', count: await countIn(m, `SELECT COUNT(*) AS n FROM outbox_mail WHERE lower(recipient) IN (?)`, s.emails) }
  ]
  for (const step of anonymisationSteps) erase.push({ what: step.what, count: await step.count(m, familyId) })
  const confirmation = createHash('sha256').update(JSON.stringify({ familyId, leftAt: s.leftAt, erase })).digest('hex').slice(0, 32)
  return {
    familyId,
    familyNumber: s.family.number,
    leftAt: s.leftAt,
    allowedFrom,
    allowed: blocker === null,
    blocker,
    erase,
    keep: KEPT,
    confirmation
  }
}

export async function previewAnonymisation(core: Core, familyId: number): Promise<AnonymisePreviewDto> {
  return core.tx.read((m) => preview(m, core, familyId))
}

/** The photos of the family's pickup persons (staff uploads: no owner family on the file row). `?` is the family. */
const PICKUP_PHOTOS = `SELECT photo_file_id FROM pickup_person WHERE photo_file_id IS NOT NULL AND child_id IN (SELECT id FROM child WHERE family_id = ?)`

/**
 * Erases a family's personal data, exactly as the preview listed it: the
 * confirmation must match a preview of the same data, so nothing added
 * since is erased unseen. Files are removed from disk after the commit.
 */
export async function anonymiseFamily(core: Core, actor: StaffActor, familyId: number, confirmation: string): Promise<AnonymisePreviewDto> {
  return core.tx.run(async (m) => {
    const p = await preview(m, core, familyId)
    if (!p.allowed) throw new DomainError('not_allowed', p.blocker ?? 'Anonymisation impossible.', 409)
    if (p.confirmation !== confirmation) {
      throw new DomainError('stale_preview', 'Les données de cette famille ont changé depuis l’aperçu : relisez la liste de ce qui sera effacé, puis confirmez à nouveau.', 409)
    }
    const s = await scopeOf(m, familyId)
    const now = core.clock.now().toISOString()
    // Files first (their rows go with the threads and documents).
    const fileRows: { id: number; storage_name: string }[] = await m.query(
      `SELECT f.id, f.storage_name FROM stored_file f WHERE f.owner_family_id = ?
        OR f.id IN (SELECT a.file_id FROM message_attachment a JOIN message x ON x.id = a.message_id JOIN message_thread t ON t.id = x.thread_id WHERE t.family_id = ?)
        OR f.id IN (SELECT file_id FROM family_document WHERE family_id = ?)
        OR f.id IN (${PICKUP_PHOTOS})`,
      [familyId, familyId, familyId, familyId]
    )
    if (s.childIds.length) {
      await m.delete(ChildFile, { childId: In(s.childIds) })
      await m.delete(PickupPersonRow, { childId: In(s.childIds) })
    }
    await m.delete(FamilyFiscal, { familyId })
    await m.delete(FamilyCaf, { familyId })
    await m.delete(FamilyBank, { familyId })
    if (s.threadIds.length) await m.delete(MessageThread, { id: In(s.threadIds) })
    if (s.documentIds.length) await m.delete(FamilyDocument, { id: In(s.documentIds) })
    // Broadcast attachments are shared with other families: only files no one else refers to go.
    const orphan: { id: number; storage_name: string }[] = []
    for (const f of fileRows) {
      const used = await m.query(
        `SELECT 1 FROM message_attachment WHERE file_id = ? UNION SELECT 1 FROM family_document WHERE file_id = ? UNION SELECT 1 FROM published_document WHERE file_id = ? UNION SELECT 1 FROM news_item WHERE image_file_id = ?`,
        [f.id, f.id, f.id, f.id]
      )
      if (!used.length) orphan.push(f)
    }
    if (orphan.length) await m.delete(StoredFile, { id: In(orphan.map((f) => f.id)) })
    unlinkAfterCommit(core, orphan.map((f) => f.storage_name))
    await m.update(StoredFile, { ownerFamilyId: familyId }, { ownerFamilyId: null })

    for (const id of s.personIds) {
      await m.update(Person, { id }, {
        civility: '', lastName: 'Anonyme', firstName: '', birthDate: null, quality: '', situation: '', address: '', postalCode: '', city: '',
        phoneMobile: '', phoneHome: '', phoneWork: '', email: '', profession: '', employer: '', employerAddress: '', csp: '', consentEmail: false, consentSms: false
      })
    }
    const children = await m.findBy(Child, { familyId })
    for (const [i, c] of children.entries()) {
      await m.update(Child, { id: c.id }, { lastName: 'Anonyme', firstName: `Enfant ${i + 1}`, birthDate: `${c.birthDate.slice(0, 4)}-01-01`, school: '', grade: '' })
    }
    if (s.requestIds.length) {
      await m.update(FamilyRequest, { id: In(s.requestIds) }, { payload: {}, summary: 'Demande anonymisée', reason: '' })
      await m.delete(RequestSecret, { requestId: In(s.requestIds) })
    }
    if (s.accountIds.length) {
      await m.delete(Session, { kind: 'portal', userId: In(s.accountIds) })
      await m.delete(PasswordToken, { kind: 'portal', userId: In(s.accountIds) })
      await m.delete(PortalAccount, { id: In(s.accountIds) })
    }
    // The agenda link already stops with the accounts (it needs an active one); its row goes too.
    await m.delete(AgendaFeed, { familyId })
    if (s.emails.length) await m.query(`DELETE FROM outbox_mail WHERE lower(recipient) IN (${placeholders(s.emails)})`, s.emails)
    for (const step of anonymisationSteps) await step.erase(m, familyId)
    await m.update(Family, { id: familyId }, { address: '', postalCode: '', city: '', notes: '', status: 'archived', updatedAt: now })
    await m.save(FamilyDeparture, { familyId, leftAt: s.leftAt, anonymisedAt: now, updatedAt: now })
    await refreshSearchText(m, familyId)
    // A desk still holding the file must not write personal data back into it.
    for (const [table, key] of [['family', { id: familyId }], ['person', { family_id: familyId }], ['child', { family_id: familyId }]] as const) bumpVersion(m, table, key, actor, core.clock.now())

    // The audit trail keeps who did what and when, not the personal values.
    const scrub = async (entity: string, ids: number[]) => {
      if (!ids.length) return
      const strIds = ids.map(String)
      await m.query(`UPDATE audit_entry SET before = NULL, after = NULL WHERE entity = ? AND entity_id IN (${placeholders(strIds)})`, [entity, ...strIds])
    }
    await scrub('family', [familyId])
    await scrub('person', s.personIds)
    await scrub('child', s.childIds)
    await scrub('request', s.requestIds)
    await scrub('portal_account', s.accountIds)
    await scrub('message_thread', s.threadIds)
    await scrub('family_document', s.documentIds)
    await scrub('stored_file', fileRows.map((f) => f.id))
    if (s.accountIds.length) {
      await m.query(`UPDATE audit_entry SET actor_label = 'Famille anonymisée' WHERE actor_kind = 'family' AND actor_id IN (${placeholders(s.accountIds)})`, s.accountIds)
    }
    for (const e of s.emails) await m.query(`UPDATE audit_entry SET actor_label = 'Famille anonymisée' WHERE actor_kind = 'system' AND instr(lower(actor_label), ?) > 0`, [e])
    await audit(m, actor, core.clock.now(), { action: 'family-anonymise', entity: 'family', entityId: familyId, after: { erased: p.erase } })
    return p
  })
}
