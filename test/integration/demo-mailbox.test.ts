import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startMailCatcher, type MailCatcher } from '../../src-main/mail/catcher'
import { deliverDueMail, enqueueMail, mailContext } from '../../src-main/mail/outbox'
import { compose } from '../../src-main/mail/templates'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { openTestCore, outboxMails, seedStaff, type TestCore } from '../helpers/core'
import { client, type TestClient } from '../helpers/http'
import { configureSmtp } from '../helpers/smtp'

/**
 * The demo's built-in mail catcher (mail/catcher.ts) over a real SMTP
 * conversation: the outbox sends through nodemailer, the catcher stores the
 * raw message, and the back-office reads it back — HTML as sent,
 * attachments byte for byte. « E-mails envoyés » opens any row in full.
 */
let core: TestCore
let catcher: MailCatcher
let app: FastifyInstance
let direction: TestClient
const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(3000, 7), Buffer.from('\n%%EOF\n')])

beforeAll(async () => {
  core = await openTestCore()
  catcher = await startMailCatcher(core)
  core.runtime.demoMailPort = catcher.port
  app = await buildStaffApp(core)
  const d = await seedStaff(core, 'direction')
  direction = await client(app, 'staff')
  await direction.loginStaff(d.login, d.password)
})
afterAll(async () => {
  await app.close()
  await catcher.close()
  await core.cleanup()
})

async function queue(to: string, subject: string, withPdf = false) {
  return core.tx.run(async (m) => {
    const mail = compose(await mailContext(m, 'https://portail.exemple.fr'), subject, ['Première ligne <b>échappée</b>.', 'Deuxième paragraphe.'])
    return enqueueMail(m, core, to, mail, withPdf ? [{ filename: 'facture-2026-0001.pdf', contentType: 'application/pdf', content: pdf.toString('base64') }] : [])
  })
}

describe('« E-mails envoyés » without an SMTP server', () => {
  test('says sending is not configured, and a row still opens in full', async () => {
    expect((await direction.call('mail-status')).body).toEqual({ mode: 'none', host: '' })
    const id = await queue('famille.a@exemple.fr', 'Récapitulatif de vos réservations')
    expect((await deliverDueMail(core)).skipped).toBe(true)
    const r = await direction.call('outbox-get', { id })
    expect(r.status).toBe(200)
    expect(r.body.to).toBe('famille.a@exemple.fr')
    expect(r.body.date).toBeNull()
    expect(r.body.html).toContain('Première ligne &lt;b&gt;échappée&lt;/b&gt;.')
    expect(r.body.text).toContain('Deuxième paragraphe.')
  })
})

describe('the demo catcher receives what the outbox sends', () => {
  test('mail-status names the demo box once SMTP points at the catcher; another server is plain SMTP', async () => {
    await configureSmtp(core, catcher.port)
    expect((await direction.call('mail-status')).body.mode).toBe('demo')
    core.runtime.demoMailPort = catcher.port + 1
    expect((await direction.call('mail-status')).body.mode).toBe('smtp')
    core.runtime.demoMailPort = catcher.port
  })

  test('a queued e-mail with a PDF is delivered, then listed and opened as sent', async () => {
    const id = await queue('famille.b@exemple.fr', 'Votre facture de novembre', true)
    const report = await deliverDueMail(core)
    // The earlier mail (queued while SMTP was unset) goes too.
    expect(report).toEqual({ sent: 2, failed: 0, skipped: false })
    expect((await outboxMails(core)).every((o) => o.status === 'sent')).toBe(true)

    const list = await direction.call('demo-mail-list', { limit: 10 })
    expect(list.body.total).toBe(2)
    const row = list.body.items[0]
    expect(row).toMatchObject({ to: 'famille.b@exemple.fr', subject: expect.stringContaining('Votre facture de novembre'), attachmentCount: 1 })

    const opened = await direction.call('demo-mail-get', { id: row.id })
    expect(opened.status).toBe(200)
    const sent = (await direction.call('outbox-get', { id })).body
    // The HTML the family receives is the HTML the outbox holds.
    expect(opened.body.html.replace(/\s+/g, ' ').trim()).toBe(sent.html.replace(/\s+/g, ' ').trim())
    expect(opened.body.subject).toBe(sent.subject)
    expect(opened.body.attachments).toEqual([{ index: 0, filename: 'facture-2026-0001.pdf', contentType: 'application/pdf', size: pdf.length }])
    expect(sent.attachments).toEqual(opened.body.attachments)

    const received = await direction.call('demo-mail-attachment', { id: row.id, index: 0 })
    expect(Buffer.from(received.body.base64, 'base64').equals(pdf)).toBe(true)
    const original = await direction.call('outbox-attachment', { id, index: 0 })
    expect(Buffer.from(original.body.base64, 'base64').equals(pdf)).toBe(true)
    expect((await direction.call('demo-mail-attachment', { id: row.id, index: 1 })).status).toBe(404)
  })

  test('a message the catcher cannot store is refused, so the outbox keeps it and sends it again later', async () => {
    const id = await queue('famille.c@exemple.fr', 'Refusé faute de place', true)
    // The catcher's INSERT fails as on a full disk, while the outbox can still record the refusal
    // (a TEMP trigger lives on this connection only, which both share).
    core.db.exec(`CREATE TEMP TRIGGER demo_mail_full BEFORE INSERT ON main.demo_mail BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`)
    try {
      expect((await deliverDueMail(core)).failed).toBe(1)
    } finally {
      core.db.exec('DROP TRIGGER temp.demo_mail_full')
    }
    expect((await outboxMails(core)).find((o) => o.id === id)!.lastError).toMatch(/451/)
    expect((await outboxMails(core)).find((o) => o.id === id)!.status).not.toBe('sent')
    expect((await direction.call('demo-mail-list', {})).body.total).toBe(2)
    // Room again: the retry delivers it, once.
    await core.tx.run((m) => m.query(`UPDATE outbox_mail SET next_attempt_at = '' WHERE id = ?`, [id]))
    expect((await deliverDueMail(core)).sent).toBe(1)
    const list = (await direction.call('demo-mail-list', {})).body
    expect(list.total).toBe(3)
    expect(list.items[0].subject).toContain('Refusé faute de place')
  })

  test('the demo box and the full messages are the direction’s only', async () => {
    const s = await seedStaff(core, 'accueil')
    const accueil = await client(app, 'staff')
    await accueil.loginStaff(s.login, s.password)
    for (const [name, input] of [['demo-mail-list', {}], ['demo-mail-get', { id: 1 }], ['outbox-get', { id: 1 }], ['mail-status', {}]] as const) {
      expect((await accueil.call(name, input)).status, name).toBe(403)
    }
  })
})
