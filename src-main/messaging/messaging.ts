import type { EntityManager } from 'typeorm'
import type { Audience, MessageDto, MessageOptionDto, ThreadDetailDto, ThreadSummaryDto } from '@shared/contract/family-file-shapes'
import { MAX_ATTACHMENTS } from '@shared/contract/family-file-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { claimVersion, versionOf } from '../db/versions'
import { Setting } from '../settings/entities'
import { StoredFile } from '../documents/entities'
import { claimUploads } from '../documents/storage'
import { audienceLabel, resolveAudience } from '../families/audience'
import { consentingRecipient, consentingRecipients, familyRecipient } from '../families/contact'
import { familyFileTemplates } from '../families/file-mail'
import { enqueueMail, mailContext } from '../mail/outbox'
import { BroadcastMail, Message, MessageAttachment, MessageBroadcast, MessageService, MessageTheme, MessageThread, type FamilyFolder, type StaffFolder } from './entities'
import { personName } from '@shared/names'

type FamilyActor = Extract<Actor, { kind: 'family' }>
type StaffActor = Extract<Actor, { kind: 'staff' }>

// ---------------------------------------------------------------- services and themes

export async function messageOptions(m: EntityManager, activeOnly: boolean): Promise<{ services: MessageOptionDto[]; themes: MessageOptionDto[] }> {
  const where = activeOnly ? { active: true } : {}
  const services = await m.find(MessageService, { where, order: { position: 'ASC', id: 'ASC' } })
  const themes = await m.find(MessageTheme, { where, order: { position: 'ASC', id: 'ASC' } })
  const dto = (o: MessageService | MessageTheme) => ({ id: o.id, label: o.label, active: Boolean(o.active), position: o.position })
  return { services: services.map(dto), themes: themes.map(dto) }
}

export interface OptionInput {
  id: number | null
  label: string
  active: boolean
}

/** Saves the Service or Thème list in the given order. Items are deactivated, never deleted (old threads keep their label). */
/**
 * A list of services or themes is edited and saved as a whole, so the list
 * has one version; it lives on a `setting` row of its own (the rows it
 * versions are many, and a removed one must count as a change too).
 */
const optionsKey = (kind: 'service' | 'theme') => `messages.${kind}s`
export function optionsVersion(m: EntityManager, kind: 'service' | 'theme'): number {
  return versionOf(m, 'setting', { key: optionsKey(kind) })
}

export async function saveMessageOptions(core: Core, actor: Actor, kind: 'service' | 'theme', items: OptionInput[], version: number): Promise<void> {
  const Entity = kind === 'service' ? MessageService : MessageTheme
  const labels = items.map((i) => i.label.toLowerCase())
  if (new Set(labels).size !== labels.length) throw new DomainError('duplicate', 'Deux lignes portent le même libellé.', 400)
  await core.tx.run(async (m) => {
    await m.upsert(Setting, { key: optionsKey(kind), value: '{}', updatedAt: core.clock.now().toISOString() }, ['key'])
    claimVersion(m, 'setting', { key: optionsKey(kind) }, version, actor, core.clock.now())
    const before = await m.find(Entity, { order: { position: 'ASC' } })
    const kept = new Set<number>()
    // Two passes: free every label first so a swap of two labels does not hit the UNIQUE index.
    for (const b of before) await m.update(Entity, { id: b.id }, { label: `__${b.id}__${b.label}` })
    for (const [i, it] of items.entries()) {
      if (it.id) {
        if (!before.some((b) => b.id === it.id)) throw notFound(kind === 'service' ? 'Service' : 'Thème')
        await m.update(Entity, { id: it.id }, { label: it.label, active: it.active, position: i })
        kept.add(it.id)
      } else {
        await m.insert(Entity, { label: it.label, active: it.active, position: i })
      }
    }
    for (const b of before) if (!kept.has(b.id)) await m.update(Entity, { id: b.id }, { label: b.label, active: false, position: 1000 + b.position })
    await audit(m, actor, core.clock.now(), {
      action: `message-${kind}s-update`,
      entity: `message_${kind}`,
      before: before.map((b) => ({ id: b.id, label: b.label, active: b.active })),
      after: items
    })
  })
}

// ---------------------------------------------------------------- writing

async function attach(m: EntityManager, messageId: number, files: StoredFile[]): Promise<void> {
  for (const f of files) await m.insert(MessageAttachment, { messageId, fileId: f.id })
}

function checkAttachments(uploadIds: number[]) {
  if (uploadIds.length > MAX_ATTACHMENTS) throw new DomainError('too_many_files', `${MAX_ATTACHMENTS} pièces jointes au maximum par message.`, 400)
}

async function addMessage(m: EntityManager, core: Core, thread: MessageThread, actor: FamilyActor | StaffActor, body: string): Promise<Message> {
  const now = core.clock.now().toISOString()
  const msg = await m.save(
    Message,
    Object.assign(new Message(), {
      threadId: thread.id,
      authorKind: actor.kind === 'staff' ? 'staff' : 'family',
      authorId: actor.id,
      authorLabel: actor.label,
      body,
      createdAt: now,
      readAt: null
    })
  )
  // A new message brings the thread back for its reader (out of "archivés" or "supprimés").
  const update: Partial<MessageThread> = { lastMessageAt: now }
  if (actor.kind === 'staff') update.familyFolder = 'active'
  else update.staffFolder = 'active'
  await m.update(MessageThread, { id: thread.id }, update)
  return msg
}

/** A new thread of one family, in both sides' active folders. */
async function openThread(
  m: EntityManager,
  core: Core,
  t: Pick<MessageThread, 'familyId' | 'serviceId' | 'themeId' | 'subject' | 'origin' | 'confirmByEmail'>
): Promise<MessageThread> {
  const now = core.clock.now().toISOString()
  return m.save(MessageThread, Object.assign(new MessageThread(), { ...t, familyFolder: 'active', staffFolder: 'active', broadcastId: null, createdAt: now, lastMessageAt: now }))
}

export interface FamilyMessageInput {
  serviceId: number
  themeId: number
  subject: string
  body: string
  confirmByEmail: boolean
  uploadIds: number[]
}

/** "Nous envoyer un message": a new thread from the family, with up to 3 of its staged uploads. */
export async function sendFamilyMessage(core: Core, actor: FamilyActor, input: FamilyMessageInput): Promise<number> {
  checkAttachments(input.uploadIds)
  return core.tx.run(async (m) => {
    const service = await m.findOneBy(MessageService, { id: input.serviceId, active: true })
    if (!service) throw new DomainError('invalid_input', 'Service : choisissez un service dans la liste.', 400, { serviceId: 'Choisissez un service.' })
    const theme = await m.findOneBy(MessageTheme, { id: input.themeId, active: true })
    if (!theme) throw new DomainError('invalid_input', 'Thème : choisissez un thème dans la liste.', 400, { themeId: 'Choisissez un thème.' })
    const files = await claimUploads(m, input.uploadIds, actor.familyId)
    const thread = await openThread(m, core, { familyId: actor.familyId, serviceId: service.id, themeId: theme.id, subject: input.subject, origin: 'family', confirmByEmail: input.confirmByEmail })
    const msg = await addMessage(m, core, thread, actor, input.body)
    await attach(m, msg.id, files)
    await audit(m, actor, core.clock.now(), {
      action: 'message-send',
      entity: 'message_thread',
      entityId: thread.id,
      after: { subject: input.subject, service: service.label, theme: theme.label, attachments: files.map((f) => f.id) }
    })
    if (input.confirmByEmail) {
      const to = await familyRecipient(m, actor.familyId, actor.id)
      if (to) await enqueueMail(m, core, to, familyFileTemplates.messageReceived(await mailContext(m, core.runtime.portalUrl), { subject: input.subject, service: service.label }))
    }
    return thread.id
  })
}

async function threadOf(m: EntityManager, threadId: number, familyId?: number): Promise<MessageThread> {
  const t = await m.findOneBy(MessageThread, { id: threadId })
  if (!t || (familyId !== undefined && t.familyId !== familyId)) throw notFound('Conversation')
  return t
}

export async function replyAsFamily(core: Core, actor: FamilyActor, threadId: number, body: string, uploadIds: number[]): Promise<number> {
  checkAttachments(uploadIds)
  return core.tx.run(async (m) => {
    const t = await threadOf(m, threadId, actor.familyId)
    const files = await claimUploads(m, uploadIds, actor.familyId)
    const msg = await addMessage(m, core, t, actor, body)
    await attach(m, msg.id, files)
    await audit(m, actor, core.clock.now(), { action: 'message-reply', entity: 'message_thread', entityId: t.id, after: { messageId: msg.id, attachments: files.map((f) => f.id) } })
    return msg.id
  })
}

async function notifyFamily(m: EntityManager, core: Core, familyId: number, subject: string, body: string): Promise<number | null> {
  const to = await consentingRecipient(m, familyId)
  if (!to) return null
  return enqueueMail(m, core, to, familyFileTemplates.newMessage(await mailContext(m, core.runtime.portalUrl), { subject, body }))
}

/**
 * A staff message about the family's own affairs (the answer to a request, a change to its file): a thread in its
 * portal messaging and an e-mail to `to` ('' = none), inside the caller's transaction.
 */
export async function noticeToFamily(m: EntityManager, core: Core, actor: StaffActor, familyId: number, to: string, subject: string, body: string): Promise<number> {
  const thread = await openThread(m, core, { familyId, serviceId: null, themeId: null, subject, origin: 'staff', confirmByEmail: false })
  await addMessage(m, core, thread, actor, body)
  await audit(m, actor, core.clock.now(), { action: 'message-notice', entity: 'message_thread', entityId: thread.id, after: { familyId, subject, emailed: Boolean(to) } })
  if (to) await enqueueMail(m, core, to, familyFileTemplates.newMessage(await mailContext(m, core.runtime.portalUrl), { subject, body }))
  return thread.id
}

/** A staff reply; it also goes by e-mail if the family accepted e-mails. */
export async function replyAsStaff(core: Core, actor: StaffActor, threadId: number, body: string, uploadIds: number[]): Promise<number> {
  checkAttachments(uploadIds)
  return core.tx.run(async (m) => {
    const t = await threadOf(m, threadId)
    const files = await claimUploads(m, uploadIds, null)
    const msg = await addMessage(m, core, t, actor, body)
    await attach(m, msg.id, files)
    // Answering means the family's messages in this thread were read.
    await m.query(`UPDATE message SET read_at = ? WHERE thread_id = ? AND author_kind = 'family' AND read_at IS NULL`, [msg.createdAt, t.id])
    await audit(m, actor, core.clock.now(), { action: 'message-reply', entity: 'message_thread', entityId: t.id, after: { messageId: msg.id, attachments: files.map((f) => f.id) } })
    await notifyFamily(m, core, t.familyId, `Re : ${t.subject}`, body)
    return msg.id
  })
}

export interface ComposeInput {
  audience: Audience
  serviceId: number | null
  subject: string
  body: string
  sendEmail: boolean
  uploadIds: number[]
}

/**
 * Staff write to one family, a group or everyone: one thread per family
 * (replies stay private), e-mails through the outbox to those who consented.
 * The broadcast row lets the back-office follow the sending.
 */
export async function composeAsStaff(core: Core, actor: StaffActor, input: ComposeInput): Promise<{ broadcastId: number; recipients: number; emails: number }> {
  checkAttachments(input.uploadIds)
  return core.tx.run(async (m) => {
    const familyIds = await resolveAudience(m, input.audience)
    if (familyIds.length === 0) throw new DomainError('empty_audience', 'Aucune famille active ne correspond à ce choix de destinataires.', 400)
    if (input.serviceId && !(await m.findOneBy(MessageService, { id: input.serviceId }))) throw notFound('Service')
    const files = await claimUploads(m, input.uploadIds, null)
    const now = core.clock.now().toISOString()
    const b = await m.save(
      MessageBroadcast,
      Object.assign(new MessageBroadcast(), {
        subject: input.subject,
        body: input.body,
        audience: JSON.stringify(input.audience),
        recipients: familyIds.length,
        emailed: 0,
        createdAt: now,
        createdBy: actor.id
      })
    )
    const ctx = await mailContext(m, core.runtime.portalUrl)
    const mail = familyFileTemplates.newMessage(ctx, { subject: input.subject, body: input.body })
    const recipients = input.sendEmail ? await consentingRecipients(m, familyIds) : new Map<number, string>()
    // Hot path (a message to every family of a commune): prepared statements on the same
    // connection, inside this transaction, instead of one ORM round trip per row.
    const db = core.db
    const insThread = db.prepare(
      `INSERT INTO message_thread (family_id, service_id, theme_id, subject, origin, family_folder, staff_folder, broadcast_id, confirm_by_email, created_at, last_message_at)
       VALUES (?, ?, NULL, ?, 'staff', 'active', 'active', ?, 0, ?, ?)`
    )
    const insMessage = db.prepare(`INSERT INTO message (thread_id, author_kind, author_id, author_label, body, created_at, read_at) VALUES (?, 'staff', ?, ?, ?, ?, NULL)`)
    const insAttachment = db.prepare(`INSERT INTO message_attachment (message_id, file_id) VALUES (?, ?)`)
    // Same row as enqueueMail (mail/outbox.ts) writes.
    const insMail = db.prepare(
      `INSERT INTO outbox_mail (recipient, subject, text_body, html_body, attachments, status, attempts, next_attempt_at, last_error, created_at, sent_at)
       VALUES (?, ?, ?, ?, '[]', 'pending', 0, ?, NULL, ?, NULL)`
    )
    const insLink = db.prepare(`INSERT INTO broadcast_mail (broadcast_id, outbox_id) VALUES (?, ?)`)
    const broadcastId = familyIds.length > 1 ? b.id : null
    let emails = 0
    for (const familyId of familyIds) {
      const threadId = Number(insThread.run(familyId, input.serviceId, input.subject, broadcastId, now, now).lastInsertRowid)
      const messageId = Number(insMessage.run(threadId, actor.id, actor.label, input.body, now).lastInsertRowid)
      for (const f of files) insAttachment.run(messageId, f.id)
      const to = recipients.get(familyId)
      if (to) {
        const outboxId = Number(insMail.run(to, mail.subject, mail.text, mail.html, now, now).lastInsertRowid)
        insLink.run(b.id, outboxId)
        emails++
      }
    }
    await m.update(MessageBroadcast, { id: b.id }, { emailed: emails })
    await audit(m, actor, core.clock.now(), {
      action: 'message-compose',
      entity: 'message_broadcast',
      entityId: b.id,
      after: { subject: input.subject, audience: await audienceLabel(m, input.audience), recipients: familyIds.length, emails }
    })
    return { broadcastId: b.id, recipients: familyIds.length, emails }
  })
}

/** Progress of a broadcast's e-mails (the back-office polls it for its progress bar). */
export async function broadcastProgress(core: Core, broadcastId: number) {
  return core.tx.read(async (m) => {
    const b = await m.findOneBy(MessageBroadcast, { id: broadcastId })
    if (!b) throw notFound('Envoi')
    const rows: { status: string; n: number }[] = await m.query(
      `SELECT o.status AS status, COUNT(*) AS n FROM broadcast_mail bm JOIN outbox_mail o ON o.id = bm.outbox_id WHERE bm.broadcast_id = ? GROUP BY o.status`,
      [broadcastId]
    )
    const count = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0)
    return { broadcastId, recipients: b.recipients, emails: b.emailed, sent: count('sent'), failed: count('failed'), pending: count('pending') }
  })
}

export async function listBroadcasts(core: Core, limit: number, offset: number) {
  return core.tx.read(async (m) => {
    const total = await m.count(MessageBroadcast)
    const rows = await m.find(MessageBroadcast, { order: { id: 'DESC' }, skip: offset, take: limit })
    const items = []
    for (const b of rows) {
      const audience = JSON.parse(b.audience) as Audience
      items.push({ id: b.id, subject: b.subject, audienceLabel: await audienceLabel(m, audience), recipients: b.recipients, emails: b.emailed, createdAt: b.createdAt })
    }
    return { total, items }
  })
}

// ---------------------------------------------------------------- reading

const SUMMARY_SELECT = `
  SELECT t.id, t.family_id, t.service_id, t.subject, t.origin, t.last_message_at, t.family_folder, t.staff_folder,
         f.number AS family_number, p.last_name, p.first_name,
         COALESCE(s.label, '') AS service_label, COALESCE(th.label, '') AS theme_label,
         (SELECT COUNT(*) FROM message x WHERE x.thread_id = t.id) AS message_count,
         (SELECT COUNT(*) FROM message x WHERE x.thread_id = t.id AND x.author_kind = :other AND x.read_at IS NULL) AS unread,
         (SELECT substr(x.body, 1, 160) FROM message x WHERE x.thread_id = t.id ORDER BY x.id DESC LIMIT 1) AS excerpt,
         EXISTS (SELECT 1 FROM message_attachment a JOIN message x ON x.id = a.message_id WHERE x.thread_id = t.id) AS has_attachments
  FROM message_thread t
  JOIN family f ON f.id = t.family_id
  LEFT JOIN person p ON p.family_id = t.family_id AND p.role = 'responsable'
  LEFT JOIN message_service s ON s.id = t.service_id
  LEFT JOIN message_theme th ON th.id = t.theme_id`

function summaryDto(r: Record<string, unknown>): ThreadSummaryDto {
  return {
    id: Number(r.id),
    familyId: Number(r.family_id),
    familyNumber: Number(r.family_number),
    familyName: personName(String(r.last_name ?? ''), String(r.first_name ?? '')),
    serviceId: r.service_id == null ? null : Number(r.service_id),
    serviceLabel: String(r.service_label),
    themeLabel: String(r.theme_label),
    subject: String(r.subject),
    origin: r.origin as 'family' | 'staff',
    lastMessageAt: String(r.last_message_at),
    lastExcerpt: String(r.excerpt ?? ''),
    messageCount: Number(r.message_count),
    unread: Number(r.unread),
    hasAttachments: Boolean(Number(r.has_attachments))
  }
}

/** Named parameters (:name) to positional ones for raw SQLite queries. */
function named(sql: string, params: Record<string, unknown>): [string, unknown[]] {
  const values: unknown[] = []
  const text = sql.replace(/:([a-zA-Z]\w*)/g, (_m, k: string) => {
    if (!(k in params)) throw new Error(`missing SQL parameter ${k}`)
    values.push(params[k])
    return '?'
  })
  return [text, values]
}

export type FamilyFolderName = 'inbox' | 'sent' | 'archived' | 'deleted'

export async function listFamilyThreads(core: Core, familyId: number, folder: FamilyFolderName): Promise<ThreadSummaryDto[]> {
  const cond = {
    inbox: `t.family_folder = 'active' AND EXISTS (SELECT 1 FROM message x WHERE x.thread_id = t.id AND x.author_kind = 'staff')`,
    sent: `t.family_folder = 'active' AND t.origin = 'family'`,
    archived: `t.family_folder = 'archived'`,
    deleted: `t.family_folder = 'deleted'`
  }[folder]
  return core.tx.read(async (m) => {
    const [sql, params] = named(`${SUMMARY_SELECT} WHERE t.family_id = :familyId AND ${cond} ORDER BY t.last_message_at DESC, t.id DESC LIMIT 500`, {
      other: 'staff',
      familyId
    })
    return ((await m.query(sql, params)) as Record<string, unknown>[]).map(summaryDto)
  })
}

export interface StaffThreadQuery {
  folder: 'inbox' | 'sent' | 'archived'
  serviceId?: number
  familyId?: number
  unreadOnly?: boolean
  search?: string
  limit: number
  offset: number
}

export async function listStaffThreads(core: Core, q: StaffThreadQuery): Promise<{ total: number; items: ThreadSummaryDto[] }> {
  const where: string[] = [
    {
      inbox: `t.staff_folder = 'active' AND EXISTS (SELECT 1 FROM message x WHERE x.thread_id = t.id AND x.author_kind = 'family')`,
      // Broadcast threads nobody answered stay out of "Envoyés" (see the broadcasts list).
      sent: `t.staff_folder = 'active' AND t.origin = 'staff' AND (t.broadcast_id IS NULL OR EXISTS (SELECT 1 FROM message x WHERE x.thread_id = t.id AND x.author_kind = 'family'))`,
      archived: `t.staff_folder = 'archived'`
    }[q.folder]
  ]
  const params: Record<string, unknown> = { other: 'family' }
  if (q.serviceId) {
    where.push('t.service_id = :serviceId')
    params.serviceId = q.serviceId
  }
  if (q.familyId) {
    where.push('t.family_id = :familyId')
    params.familyId = q.familyId
  }
  if (q.unreadOnly) where.push(`EXISTS (SELECT 1 FROM message x WHERE x.thread_id = t.id AND x.author_kind = 'family' AND x.read_at IS NULL)`)
  if (q.search) {
    where.push(`(t.subject LIKE :search ESCAPE '\\' OR f.search_text LIKE :search ESCAPE '\\')`)
    params.search = `%${q.search.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`
  }
  return core.tx.read(async (m) => {
    const [countSql, countParams] = named(
      `SELECT COUNT(*) AS n FROM message_thread t JOIN family f ON f.id = t.family_id WHERE ${where.join(' AND ')}`,
      params
    )
    const [{ n }] = await m.query(countSql, countParams)
    const [sql, ps] = named(`${SUMMARY_SELECT} WHERE ${where.join(' AND ')} ORDER BY t.last_message_at DESC, t.id DESC LIMIT :limit OFFSET :offset`, {
      ...params,
      limit: q.limit,
      offset: q.offset
    })
    return { total: Number(n), items: ((await m.query(sql, ps)) as Record<string, unknown>[]).map(summaryDto) }
  })
}

async function messagesOf(m: EntityManager, threadId: number): Promise<MessageDto[]> {
  const msgs = await m.find(Message, { where: { threadId }, order: { createdAt: 'ASC', id: 'ASC' } })
  const atts: { id: number; message_id: number; name: string; size: number; mime: string }[] = msgs.length
    ? await m.query(
        `SELECT a.id, a.message_id, f.name, f.size, f.mime FROM message_attachment a JOIN stored_file f ON f.id = a.file_id
         JOIN message x ON x.id = a.message_id WHERE x.thread_id = ? ORDER BY a.id`,
        [threadId]
      )
    : []
  return msgs.map((x) => ({
    id: x.id,
    authorKind: x.authorKind,
    authorLabel: x.authorLabel,
    body: x.body,
    createdAt: x.createdAt,
    readAt: x.readAt,
    attachments: atts.filter((a) => Number(a.message_id) === x.id).map((a) => ({ id: Number(a.id), name: a.name, size: Number(a.size), mime: a.mime }))
  }))
}

async function threadDetail(m: EntityManager, t: MessageThread, side: 'family' | 'staff'): Promise<ThreadDetailDto> {
  const [sql, params] = named(`${SUMMARY_SELECT} WHERE t.id = :id`, { other: side === 'family' ? 'staff' : 'family', id: t.id })
  const [row] = (await m.query(sql, params)) as Record<string, unknown>[]
  return { ...summaryDto(row), messages: await messagesOf(m, t.id), folder: side === 'family' ? t.familyFolder : t.staffFolder }
}

export async function familyThread(core: Core, familyId: number, threadId: number): Promise<ThreadDetailDto> {
  return core.tx.read(async (m) => threadDetail(m, await threadOf(m, threadId, familyId), 'family'))
}

export async function staffThread(core: Core, threadId: number): Promise<ThreadDetailDto> {
  return core.tx.read(async (m) => threadDetail(m, await threadOf(m, threadId), 'staff'))
}

/** Marks the other side's messages of a thread as read (no audit row: reading is not a change of the file). */
export async function markThreadRead(core: Core, side: 'family' | 'staff', threadId: number, familyId?: number): Promise<void> {
  await core.tx.run(async (m) => {
    const t = await threadOf(m, threadId, familyId)
    await m.query(`UPDATE message SET read_at = ? WHERE thread_id = ? AND author_kind = ? AND read_at IS NULL`, [
      core.clock.now().toISOString(),
      t.id,
      side === 'family' ? 'staff' : 'family'
    ])
  })
}

export async function moveFamilyThread(core: Core, actor: FamilyActor, threadId: number, folder: FamilyFolder): Promise<void> {
  await core.tx.run(async (m) => {
    const t = await threadOf(m, threadId, actor.familyId)
    await m.update(MessageThread, { id: t.id }, { familyFolder: folder })
    await audit(m, actor, core.clock.now(), { action: 'message-move', entity: 'message_thread', entityId: t.id, before: { folder: t.familyFolder }, after: { folder } })
  })
}

export async function moveStaffThread(core: Core, actor: StaffActor, threadId: number, folder: StaffFolder): Promise<void> {
  await core.tx.run(async (m) => {
    const t = await threadOf(m, threadId)
    await m.update(MessageThread, { id: t.id }, { staffFolder: folder })
    await audit(m, actor, core.clock.now(), { action: 'message-move', entity: 'message_thread', entityId: t.id, before: { folder: t.staffFolder }, after: { folder } })
  })
}

export async function assignThread(core: Core, actor: StaffActor, threadId: number, serviceId: number): Promise<void> {
  await core.tx.run(async (m) => {
    const t = await threadOf(m, threadId)
    if (!(await m.findOneBy(MessageService, { id: serviceId }))) throw notFound('Service')
    await m.update(MessageThread, { id: t.id }, { serviceId })
    await audit(m, actor, core.clock.now(), { action: 'message-assign', entity: 'message_thread', entityId: t.id, before: { serviceId: t.serviceId }, after: { serviceId } })
  })
}

/** "Vous avez N nouveau(x) message(s)": staff messages the family has not opened, outside its bin. */
export async function familyUnreadCount(m: EntityManager, familyId: number): Promise<number> {
  const [{ n }] = await m.query(
    // CROSS JOIN fixes SQLite's join order: the family's threads first, then their messages by index.
    `SELECT COUNT(*) AS n FROM message_thread t CROSS JOIN message x ON x.thread_id = t.id
     WHERE t.family_id = ? AND t.family_folder <> 'deleted' AND x.author_kind = 'staff' AND x.read_at IS NULL`,
    [familyId]
  )
  return Number(n)
}

/** Unread family messages, in total and per service, for the side menu. */
export async function staffUnreadCounts(core: Core) {
  return core.tx.read(async (m) => {
    const rows: { service_id: number | null; label: string | null; n: number }[] = await m.query(
      `SELECT t.service_id, s.label, COUNT(DISTINCT t.id) AS n FROM message x JOIN message_thread t ON t.id = x.thread_id
       LEFT JOIN message_service s ON s.id = t.service_id
       WHERE x.author_kind = 'family' AND x.read_at IS NULL GROUP BY t.service_id ORDER BY s.position`
    )
    const byService = rows.map((r) => ({ serviceId: r.service_id == null ? null : Number(r.service_id), label: r.label ?? 'Sans service', unread: Number(r.n) }))
    return { total: byService.reduce((s, r) => s + r.unread, 0), byService }
  })
}
