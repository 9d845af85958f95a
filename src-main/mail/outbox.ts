import nodemailer from 'nodemailer'
import type { EntityManager } from 'typeorm'
import type { SmtpSettingsDto } from '@shared/contract/shapes'
import type { Core } from '../core/app-core'
import { getSmtp, getStructure } from '../settings/settings'
import { OutboxMail, type OutboxAttachment } from './entities'
import type { MailContext, RenderedMail } from './templates'

/** Retry delays after the 1st, 2nd… failure. After the last one the mail is marked failed (and can be retried by hand). */
export const BACKOFF_SECONDS = [30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600]

/**
 * Queues an e-mail in the caller's transaction: if the change rolls back, so
 * does the e-mail; if it commits, the e-mail is on disk before any SMTP
 * attempt, so a failing server loses nothing.
 */
export async function enqueueMail(
  m: EntityManager,
  core: Core,
  to: string,
  mail: RenderedMail,
  attachments: OutboxAttachment[] = []
): Promise<number> {
  const now = core.clock.now().toISOString()
  const r = await m.insert(OutboxMail, {
    recipient: to,
    subject: mail.subject,
    textBody: mail.text,
    htmlBody: mail.html,
    attachments,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    createdAt: now,
    sentAt: null
  })
  return Number(r.identifiers[0].id)
}

export async function mailContext(m: EntityManager, portalUrl?: string): Promise<MailContext> {
  const s = await getStructure(m)
  return { structureName: s.name, structureEmail: s.email, structurePhone: s.phone, portalUrl: portalUrl || s.portalUrl }
}

export function createTransport(smtp: SmtpSettingsDto) {
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
    tls: smtp.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000
  })
}

export interface DeliveryReport {
  sent: number
  failed: number
  skipped: boolean
}

const running = new WeakSet<Core>()

/**
 * Sends every due e-mail once. No transaction is held during SMTP I/O: rows
 * are read, sent, then marked one by one.
 */
export async function deliverDueMail(core: Core, limit = 50): Promise<DeliveryReport> {
  if (running.has(core)) return { sent: 0, failed: 0, skipped: true }
  running.add(core)
  try {
    const { smtp, due } = await core.tx.read(async (m) => ({
      smtp: await getSmtp(m),
      due: await m
        .createQueryBuilder(OutboxMail, 'o')
        .where('o.status = :s AND o.next_attempt_at <= :now', { s: 'pending', now: core.clock.now().toISOString() })
        .orderBy('o.id')
        .limit(limit)
        .getMany()
    }))
    if (!smtp.host || due.length === 0) return { sent: 0, failed: 0, skipped: !smtp.host }
    const transport = createTransport(smtp)
    let sent = 0
    let failed = 0
    try {
      for (const mail of due) {
        try {
          await transport.sendMail({
            from: smtp.from || smtp.user,
            to: mail.recipient,
            subject: mail.subject,
            text: mail.textBody,
            html: mail.htmlBody ?? undefined,
            attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content, 'base64') }))
          })
          await core.tx.run((m) => m.update(OutboxMail, { id: mail.id }, { status: 'sent', sentAt: core.clock.now().toISOString(), attempts: mail.attempts + 1, lastError: null }))
          sent++
        } catch (e) {
          failed++
          const attempts = mail.attempts + 1
          const delay = BACKOFF_SECONDS[attempts - 1]
          await core.tx.run((m) =>
            m.update(OutboxMail, { id: mail.id }, {
              attempts,
              lastError: String((e as Error).message ?? e).slice(0, 500),
              status: delay === undefined ? 'failed' : 'pending',
              nextAttemptAt: new Date(core.clock.now().getTime() + (delay ?? 0) * 1000).toISOString()
            })
          )
        }
      }
    } finally {
      transport.close()
    }
    return { sent, failed, skipped: false }
  } finally {
    running.delete(core)
  }
}

/** Background sender; the adapters start it, tests call deliverDueMail directly. */
export function startMailWorker(core: Core, intervalMs = 15_000): () => void {
  const t = setInterval(() => {
    deliverDueMail(core).catch((e) => core.options.log(`Envoi des e-mails : ${(e as Error).message}`))
  }, intervalMs)
  t.unref()
  return () => clearInterval(t)
}
