import { Readable } from 'node:stream'
import SMTPConnection from 'nodemailer/lib/smtp-connection'
import type { SmtpSettingsDto } from '@shared/contract/shapes'

export interface HandoverResult {
  /** The server's final reply ("250 … queued as …"). */
  response: string
}

/**
 * Hands one composed message to the SMTP server, on nodemailer's own
 * SMTPConnection (STARTTLS, AUTH, dot-stuffing), with one hook the
 * high-level transport cannot offer: `beforeEnd` runs once the server has
 * accepted the envelope (354) and the whole body is on its way, and the
 * final "." that commits the server to deliver the message is sent only
 * after it resolves. If it rejects, the connection is dropped without the
 * ".": the server discards what it got.
 *
 * (nodemailer's transport starts streaming the message before the envelope is
 * accepted, so a hook in its stream would fire too early.)
 */
export function handOver(smtp: SmtpSettingsDto, envelope: { from: string; to: string[] }, message: Buffer, beforeEnd: () => Promise<void>): Promise<HandoverResult> {
  return new Promise<HandoverResult>((resolve, reject) => {
    const conn = new SMTPConnection({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      tls: smtp.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000
    })
    let settled = false
    const fail = (e: Error) => {
      if (settled) return
      settled = true
      conn.close()
      reject(e)
    }
    conn.on('error', fail)
    conn.once('end', () => fail(new Error('Connexion SMTP fermée par le serveur.')))
    const send = () =>
      conn.send(envelope, gatedBody(message, beforeEnd), (err, info) => {
        if (err) return fail(err)
        settled = true
        conn.quit()
        resolve({ response: info.response })
      })
    conn.connect((err) => {
      if (err) return fail(err)
      if (!smtp.user) return send()
      conn.login({ user: smtp.user, pass: smtp.password }, (e) => (e ? fail(e) : send()))
    })
  })
}

/**
 * The body, then — when the connection asks for more, i.e. after the body
 * went down the pipe — `beforeEnd`, then the end of the stream (which makes
 * SMTPConnection write the final "."). Nothing is read before the server's
 * 354: SMTPConnection pipes the stream only then.
 */
function gatedBody(message: Buffer, beforeEnd: () => Promise<void>): Readable {
  let step = 0
  return new Readable({
    read() {
      if (step === 0) {
        step = 1
        this.push(message)
      } else if (step === 1) {
        step = 2
        beforeEnd().then(
          () => this.push(null),
          (e: Error) => this.destroy(e)
        )
      }
    }
  })
}
