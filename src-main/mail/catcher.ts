/**
 * The demo's built-in mail catcher: a real SMTP server on the loopback
 * interface, inside the app, that keeps every message it receives in the
 * database (demo_mail) instead of delivering it. The demo points its SMTP
 * settings at it, so the outbox really sends (recaps, decisions, invoices)
 * and the « Boîte de démonstration » shows each message as the family would
 * receive it. Nothing leaves the computer.
 *
 * A message is acknowledged (250) only once its row is committed: the
 * outbox marks a mail « Envoyé » only when it is really in the box.
 */
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { simpleParser } from 'mailparser'
import type { Core } from '../core/app-core'
import { dbOf, stmt } from '../bookings/sql'
import { listed } from './mail-view'

/** Larger than any e-mail Ribambelle writes (a few PDF invoices); a bigger one is refused, not truncated. */
export const CATCHER_MAX_BYTES = 25 * 1024 * 1024

export interface MailCatcher {
  port: number
  close(): Promise<void>
}

/** Stores one raw message; returns its id. Exported for the tests, which feed it without a socket too. */
export async function storeCaughtMail(core: Core, raw: Buffer, envelope: { from: string; to: string[] }): Promise<number> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true })
  const subject = parsed.subject ?? ''
  const recipients = envelope.to.join(', ')
  const attachments = parsed.attachments.filter(listed).length
  return core.tx.run(async (m) => {
    const r = stmt(
      dbOf(m),
      'INSERT INTO demo_mail (received_at, sender, recipients, subject, attachment_count, size, raw) VALUES (?, ?, ?, ?, ?, ?, ?)'
    ).run(core.clock.now().toISOString(), envelope.from, recipients, subject, attachments, raw.length, raw)
    return Number(r.lastInsertRowid)
  })
}

/** Starts the catcher on 127.0.0.1 (`port` 0: any free port). Never listens on the network. */
export async function startMailCatcher(core: Core, port = 0): Promise<MailCatcher> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: CATCHER_MAX_BYTES,
    banner: 'Ribambelle - boite de demonstration',
    // At shutdown, a connection still open (a send in progress) is cut after 2 s rather than holding the app for 30.
    closeTimeout: 2000,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          const err = new Error('Message trop volumineux pour la boîte de démonstration') as Error & { responseCode: number }
          err.responseCode = 552
          callback(err)
          return
        }
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address)
        }
        storeCaughtMail(core, Buffer.concat(chunks), envelope).then(
          () => callback(),
          (e: Error) => {
            core.options.log(`Boîte de démonstration : ${e.message}`)
            const err = new Error('Enregistrement impossible, réessayez plus tard') as Error & { responseCode: number }
            err.responseCode = 451
            callback(err)
          }
        )
      })
    }
  })
  server.on('error', (e) => core.options.log(`Boîte de démonstration : ${(e as Error).message}`))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
