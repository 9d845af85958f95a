/**
 * A real SMTP server on loopback (the `smtp-server` package) that parses
 * every message with mailparser. No TLS, no auth: nodemailer connects in
 * clear on 127.0.0.1.
 *
 *   const smtp = await startSmtp()
 *   await configureSmtp(core, smtp.port)
 *   ... deliverDueMail(core) ...
 *   smtp.messages[0].subject
 *   await smtp.stop()      // server down: connections are refused
 *   await smtp.start()     // up again on the same port
 *   smtp.hold('data')      // whole messages are kept, but the answer to their final "." is withheld
 *   smtp.hold('rcpt')      // the conversation stops at RCPT TO: no message is received
 *   smtp.release()         // answers everything withheld, holds nothing more
 */
import { SMTPServer } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'
import type { AddressInfo } from 'node:net'
import { SYSTEM } from '../../src-main/core/actor'
import type { Core } from '../../src-main/core/app-core'
import { putSetting, SMTP_KEY } from '../../src-main/settings/settings'

export interface ReceivedMail {
  /** Envelope recipients (RCPT TO). */
  to: string[]
  subject: string
  text: string
  html: string
  parsed: ParsedMail
}

export interface TestSmtp {
  port: number
  messages: ReceivedMail[]
  /** Starts listening again on the same port after stop(). */
  start(): Promise<void>
  stop(): Promise<void>
  /** Resolves once `count` messages have arrived (rejects after timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>
  /** Withholds the server's answers at a stage of the conversation, as a slow server would. */
  hold(stage: 'data' | 'rcpt'): void
  release(): void
  /** How many answers are withheld right now. */
  readonly held: number
}

export async function startSmtp(port = 0): Promise<TestSmtp> {
  const messages: ReceivedMail[] = []
  let server: SMTPServer | null = null
  let holding: 'data' | 'rcpt' | null = null
  const withheld: (() => void)[] = []
  const answer = (stage: 'data' | 'rcpt', reply: () => void) => (holding === stage ? withheld.push(reply) : reply())

  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const s = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onRcptTo(_address, _session, callback) {
          answer('rcpt', () => callback())
        },
        onData(stream, session, callback) {
          simpleParser(stream).then(
            (parsed) => {
              messages.push({
                to: session.envelope.rcptTo.map((r) => r.address),
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                parsed
              })
              answer('data', () => callback())
            },
            (e: Error) => callback(e)
          )
        }
      })
      s.on('error', () => {}) // client resets while stopping are not test failures
      s.server.once('error', reject)
      s.listen(p, '127.0.0.1', () => {
        server = s
        resolve((s.server.address() as AddressInfo).port)
      })
    })

  const self: TestSmtp = {
    port: await listen(port),
    messages,
    async start() {
      if (!server) await listen(self.port)
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const s = server
        server = null
        if (!s) return resolve()
        s.close(() => resolve())
      }),
    hold(stage) {
      holding = stage
    },
    release() {
      holding = null
      for (const reply of withheld.splice(0)) reply()
    },
    get held() {
      return withheld.length
    },
    async waitFor(count, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs
      while (messages.length < count) {
        if (Date.now() > end) throw new Error(`expected ${count} mails, got ${messages.length}`)
        await new Promise((r) => setTimeout(r, 20))
      }
      return messages
    }
  }
  return self
}

/** Points the core's SMTP settings at 127.0.0.1:port (plain SMTP, no auth). */
export async function configureSmtp(core: Core, port: number): Promise<void> {
  await core.tx.run((m) =>
    putSetting(
      m,
      core,
      SYSTEM,
      SMTP_KEY,
      { host: '127.0.0.1', port, secure: false, user: '', password: '', from: 'Maison de l’Enfant <accueil@exemple.fr>', allowSelfSigned: false },
      ['password']
    )
  )
}
