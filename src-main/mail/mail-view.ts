/**
 * E-mails as their recipients read them, for the back-office: a row of the
 * outbox (what Ribambelle sent or will send) and a message of the demo's
 * mail box (what the catcher received, parsed from the raw message).
 */
import { simpleParser, type Attachment } from 'mailparser'
import type { DemoMailSummaryDto, MailMessageDto, MailStatusDto } from '@shared/contract/desk-shapes'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { dbOf, stmt } from '../bookings/sql'
import { getSmtp } from '../settings/settings'
import { OutboxMail } from './entities'
import { attachmentsOf, DocumentUnavailable, type MailFile } from './attachments'

export async function mailStatus(core: Core): Promise<MailStatusDto> {
  const smtp = await core.tx.read((m) => getSmtp(m))
  if (!smtp.host) return { mode: 'none', host: '' }
  const demo = core.runtime.demoMailPort
  if (demo && smtp.port === demo && (smtp.host === '127.0.0.1' || smtp.host === 'localhost')) return { mode: 'demo', host: smtp.host }
  return { mode: 'smtp', host: smtp.host }
}

async function outboxRow(core: Core, id: number): Promise<OutboxMail> {
  const row = await core.tx.read((m) => m.findOneBy(OutboxMail, { id }))
  if (!row) throw notFound('E-mail')
  return row
}

export async function outboxMessage(core: Core, id: number): Promise<MailMessageDto> {
  const row = await outboxRow(core, id)
  const smtp = await core.tx.read((m) => getSmtp(m))
  return {
    id: row.id,
    from: smtp.from || smtp.user,
    to: row.recipient,
    subject: row.subject,
    date: row.sentAt,
    html: row.htmlBody,
    text: row.textBody,
    // A document named by the row (an invoice) is rendered as the sender renders it; if it cannot be, size 0.
    attachments: (await rowFiles(core, row).catch(() => null))?.map((f, index) => ({ index, filename: f.filename, contentType: f.contentType, size: f.content.length })) ??
      row.attachments.map((a, index) => ({ index, filename: a.filename, contentType: a.contentType, size: 0 }))
  }
}

const rowFiles = (core: Core, row: OutboxMail): Promise<MailFile[]> => attachmentsOf(core, [row])(row)

export async function outboxAttachment(core: Core, id: number, index: number): Promise<{ fileName: string; mime: string; base64: string }> {
  const row = await outboxRow(core, id)
  if (!row.attachments[index]) throw notFound('Pièce jointe')
  try {
    const f = (await rowFiles(core, row))[index]
    return { fileName: f.filename, mime: f.contentType, base64: f.content.toString('base64') }
  } catch (e) {
    if (e instanceof DocumentUnavailable) throw new DomainError('unavailable', e.reason, 422)
    throw e
  }
}

export async function listDemoMail(core: Core, p: { limit: number; offset: number }): Promise<{ total: number; items: DemoMailSummaryDto[] }> {
  return core.tx.read(async (m) => {
    const db = dbOf(m)
    const { n } = stmt(db, 'SELECT COUNT(*) AS n FROM demo_mail').get() as { n: number }
    const items = stmt(
      db,
      `SELECT id, received_at AS receivedAt, sender AS "from", recipients AS "to", subject, attachment_count AS attachmentCount, size
         FROM demo_mail ORDER BY id DESC LIMIT ? OFFSET ?`
    ).all(p.limit, p.offset) as DemoMailSummaryDto[]
    return { total: n, items }
  })
}

async function parsedDemoMail(core: Core, id: number) {
  const row = await core.tx.read(async (m) => stmt(dbOf(m), 'SELECT id, received_at, raw FROM demo_mail WHERE id = ?').get(id)) as
    | { id: number; received_at: string; raw: Buffer }
    | undefined
  if (!row) throw notFound('E-mail')
  // Inline images (cid:) become data: URLs in the HTML, so the frame needs no network to show them.
  return { row, mail: await simpleParser(row.raw) }
}

/** Attachments people see: inline images the HTML already shows are not listed again. */
export const listed = (a: Attachment) => !a.related

const addressText = (a: { text: string } | { text: string }[] | undefined) => (Array.isArray(a) ? a.map((x) => x.text).join(', ') : (a?.text ?? ''))

export async function demoMailMessage(core: Core, id: number): Promise<MailMessageDto> {
  const { row, mail } = await parsedDemoMail(core, id)
  return {
    id: row.id,
    from: addressText(mail.from),
    to: addressText(mail.to),
    subject: mail.subject ?? '',
    date: row.received_at,
    html: mail.html || null,
    text: mail.text ?? '',
    attachments: mail.attachments
      .map((a, index) => ({ a, index }))
      .filter(({ a }) => listed(a))
      .map(({ a, index }) => ({ index, filename: a.filename ?? `piece-jointe-${index + 1}`, contentType: a.contentType, size: a.size }))
  }
}

export async function demoMailAttachment(core: Core, id: number, index: number): Promise<{ fileName: string; mime: string; base64: string }> {
  const { mail } = await parsedDemoMail(core, id)
  const a = mail.attachments[index]
  if (!a || !listed(a)) throw notFound('Pièce jointe')
  return { fileName: a.filename ?? `piece-jointe-${index + 1}`, mime: a.contentType, base64: a.content.toString('base64') }
}
