import { randomUUID } from 'node:crypto'
import nodemailer from 'nodemailer'
import MailComposer from 'nodemailer/lib/mail-composer'
import type { EntityManager } from 'typeorm'
import type { SmtpSettingsDto } from '@shared/contract/shapes'
import type { Core } from '../core/app-core'
import { getSmtp, getStructure } from '../settings/settings'
import { storageError } from '../db/storage-errors'
import { liveChange } from '../live/changes'
import { OutboxMail, type OutboxAttachment } from './entities'
import { handOver } from './smtp-handover'
import { attachmentsOf, DocumentUnavailable, isDocument, type MailFile } from './attachments'
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
  return (await enqueueMails(m, core, [{ to, mail, attachments }]))[0]
}

/** enqueueMail for many e-mails in one statement (a city's invoices: the write lock is held for the inserts only). */
export async function enqueueMails(m: EntityManager, core: Core, mails: { to: string; mail: RenderedMail; attachments?: OutboxAttachment[] }[]): Promise<number[]> {
  if (!mails.length) return []
  const now = core.clock.now().toISOString()
  const r = await m.insert(
    OutboxMail,
    mails.map(({ to, mail, attachments = [] }) => ({
      recipient: to,
      subject: mail.subject,
      textBody: mail.text,
      htmlBody: mail.html,
      attachments,
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
      sentAt: null,
      invoiceId: attachments.find(isDocument)?.invoiceId ?? null
    }))
  )
  return r.identifiers.map((x) => Number(x.id))
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

/** What the outbox says about a message whose send was cut short (the outbox screen shows it). */
export const INTERRUPTED_BEFORE_END =
  'Envoi interrompu avant la fin de la transmission : le serveur ne l’a pas reçu, il est renvoyé (même Message-ID).'
export const INTERRUPTED_AFTER_END =
  'Envoi interrompu juste après la transmission complète : considéré comme remis au serveur, sans sa confirmation. En cas de doute, renvoyez-le.'

const running = new WeakSet<Core>()
/** Outcomes known to this process but not yet written (the disk was full): written at the next round. */
const unrecorded = new WeakMap<Core, Map<number, Partial<OutboxMail>>>()

function unrecordedOf(core: Core): Map<number, Partial<OutboxMail>> {
  let u = unrecorded.get(core)
  if (!u) unrecorded.set(core, (u = new Map()))
  return u
}

/**
 * Sends every due e-mail once, each at most once. No transaction is held
 * during SMTP I/O. Per message:
 * 1. claim it: status 'sending', and its Message-ID fixed (kept for every
 *    later attempt) — committed before any SMTP traffic;
 * 2. hand it over; once the server has accepted the envelope and the whole
 *    body, `handed_at` is committed, and only then the final "." is sent;
 * 3. record the server's answer ('sent', or back to 'pending' with a delay).
 *
 * After a crash, what can be known about a 'sending' message is whether the
 * final "." could have left: without `handed_at` it could not, the server
 * has discarded the partial message, and it is sent again; with `handed_at`
 * the server may well have it (the "." was about to go, or its "250" was not
 * read yet): it is counted as sent, never sent twice, and the outbox says it
 * was not confirmed so staff can resend it by hand if in doubt. Resending
 * instead would trade a rare lost e-mail for a duplicate after nearly every
 * crash during SMTP; the stable Message-ID lets mail clients merge the copies
 * of a hand-made resend.
 */
export async function deliverDueMail(core: Core, limit = 50): Promise<DeliveryReport> {
  if (running.has(core)) return { sent: 0, failed: 0, skipped: true }
  running.add(core)
  try {
    await settleInterrupted(core)
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
    const from = smtp.from || smtp.user
    let sent = 0
    let failed = 0
    // The documents the round's e-mails name (invoices) are rendered in the worker pool meanwhile.
    const filesOf = attachmentsOf(core, due)
    for (const mail of due) {
      // A claim that cannot be written (disk full) stops the round: nothing is sent unless its claim is on disk.
      const messageId = await claim(core, mail, from)
      if (!messageId) continue
      let files: MailFile[]
      try {
        files = await filesOf(mail)
      } catch (e) {
        if (!(e instanceof DocumentUnavailable)) throw e
        // Retrying by itself would not help: staff see it among the e-mails in failure and relaunch it by hand.
        failed++
        await record(core, mail.id, { status: 'failed', handedAt: null, lastError: e.message.slice(0, 500) })
        continue
      }
      let handed = false
      try {
        const message = await new MailComposer({
          from,
          to: mail.recipient,
          subject: mail.subject,
          text: mail.textBody,
          html: mail.htmlBody ?? undefined,
          messageId,
          attachments: files
        }).compile()
        const envelope = message.getEnvelope()
        await handOver(smtp, { from: envelope.from || from, to: envelope.to }, await message.build(), async () => {
          await core.tx.run((m) => m.update(OutboxMail, { id: mail.id }, { handedAt: core.clock.now().toISOString() }))
          handed = true
        })
        await record(core, mail.id, { status: 'sent', sentAt: core.clock.now().toISOString(), lastError: null })
        sent++
      } catch (e) {
        // Handed over and no refusal from the server (the connection dropped after the "."): as after a crash.
        if (handed && typeof (e as { responseCode?: unknown }).responseCode !== 'number') {
          await record(core, mail.id, { status: 'sent', sentAt: core.clock.now().toISOString(), lastError: INTERRUPTED_AFTER_END })
          sent++
          continue
        }
        failed++
        const attempts = mail.attempts + 1
        const delay = BACKOFF_SECONDS[attempts - 1]
        await record(core, mail.id, {
          status: delay === undefined ? 'failed' : 'pending',
          handedAt: null,
          lastError: (storageError(e)?.message ?? String((e as Error).message ?? e)).slice(0, 500),
          nextAttemptAt: new Date(core.clock.now().getTime() + (delay ?? 0) * 1000).toISOString()
        })
        if (storageError(e)) break
      }
    }
    return { sent, failed, skipped: false }
  } finally {
    running.delete(core)
  }
}

/** pending → sending, with its Message-ID (the first attempt's, if any). Null if the row is no longer pending. */
async function claim(core: Core, mail: OutboxMail, from: string): Promise<string | null> {
  const messageId = mail.messageId ?? `<${randomUUID()}@${/@([^\s>]+)/.exec(from)?.[1] ?? 'ribambelle.invalid'}>`
  const r = await core.tx.run((m) =>
    m
      .createQueryBuilder()
      .update(OutboxMail)
      .set({ status: 'sending', attempts: mail.attempts + 1, messageId, handedAt: null })
      .where('id = :id AND status = :s', { id: mail.id, s: 'pending' })
      .execute()
  )
  return r.affected ? messageId : null
}

/** Writes an outcome; on a full disk, keeps it for the next round rather than lose what the server said. */
async function record(core: Core, id: number, outcome: Partial<OutboxMail>): Promise<void> {
  try {
    await core.tx.run(async (m) => {
      await m.update(OutboxMail, { id }, outcome)
      // « E-mails envoyés » and État du système follow it live (a failing e-mail above all).
      liveChange({ topic: 'outbox', id })
    })
  } catch (e) {
    if (!storageError(e)) throw e
    unrecordedOf(core).set(id, outcome)
  }
}

/**
 * Rows left 'sending' are from a process that died mid-send (or whose
 * outcome could not be written): decided as described on deliverDueMail.
 * Runs at the start of each round, when this process sends nothing.
 */
async function settleInterrupted(core: Core): Promise<void> {
  const known = unrecordedOf(core)
  await core.tx.run(async (m) => {
    const rows = await m.find(OutboxMail, { where: { status: 'sending' }, select: { id: true, handedAt: true } })
    for (const r of rows) {
      const outcome: Partial<OutboxMail> =
        known.get(r.id) ??
        (r.handedAt
          ? { status: 'sent', sentAt: r.handedAt, lastError: INTERRUPTED_AFTER_END }
          : { status: 'pending', lastError: INTERRUPTED_BEFORE_END, nextAttemptAt: core.clock.now().toISOString() })
      await m.update(OutboxMail, { id: r.id }, outcome)
    }
  })
  known.clear()
}

/** Background sender; the adapters start it, tests call deliverDueMail directly. */
export function startMailWorker(core: Core, intervalMs = 15_000): () => void {
  const t = setInterval(() => {
    deliverDueMail(core).catch((e) => core.options.log(`Envoi des e-mails : ${(e as Error).message}`))
  }, intervalMs)
  t.unref()
  return () => clearInterval(t)
}
