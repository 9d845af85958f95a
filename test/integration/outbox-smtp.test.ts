import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { registerFamily } from '../../src-main/accounts/registration'
import { BACKOFF_SECONDS, deliverDueMail, enqueueMail, mailContext } from '../../src-main/mail/outbox'
import { templates } from '../../src-main/mail/templates'
import { buildStaffApp } from '../../src-main/server/staff-app'
import { updateStructure } from '../../src-main/settings/settings'
import { openTestCore, outboxMails, seedStaff, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { configureSmtp, startSmtp, type TestSmtp } from '../helpers/smtp'

const S = 'Accueil de loisirs Les Pitchouns'

let core: TestCore
let smtp: TestSmtp
beforeEach(async () => {
  core = await openTestCore()
  smtp = await startSmtp()
  await configureSmtp(core, smtp.port)
  const director = await seedStaff(core, 'direction')
  await updateStructure(core, director.actor, {
    version: 0,
    name: S,
    address: '',
    postalCode: '',
    city: '',
    phone: '05 61 00 00 00',
    email: 'accueil@pitchouns.fr',
    siret: '',
    holidayZone: 'C',
    holidayRegion: '',
    websiteUrl: '',
    signatoryName: '',
    signatoryRole: '',
    logo: null,
    openingHours: [],
    contactPhones: []
  })
})
afterEach(async () => {
  await smtp.stop()
  await core.cleanup()
})

function register(email: string) {
  return registerFamily(core, {
    civility: 'M.',
    lastName: 'Lefèvre',
    firstName: 'Émile',
    birthDate: '1985-06-01',
    phoneMobile: '0611223344',
    phoneHome: '',
    email,
    address: '2 rue du Moulin',
    postalCode: '31000',
    city: 'Démoville',
    password: 'une-longue-phrase-2026'
  })
}

async function queueResetLike(to: string) {
  await core.tx.run(async (m) => enqueueMail(m, core, to, templates.passwordReset(await mailContext(m, 'https://portail.exemple.fr'), { link: 'https://portail.exemple.fr/x' })))
}

describe('outbox delivery to a real SMTP server', () => {
  test('a queued e-mail arrives in French with text and HTML parts, and is marked sent', async () => {
    await register('emile.lefevre@exemple.fr')
    const report = await deliverDueMail(core)
    expect(report).toEqual({ sent: 1, failed: 0, skipped: false })
    const [msg] = await smtp.waitFor(1)
    expect(msg.to).toEqual(['emile.lefevre@exemple.fr'])
    expect(msg.subject).toBe(`[${S}] Demande de création de compte reçue`)
    expect(msg.parsed.from?.text).toContain('accueil@exemple.fr')
    expect(msg.text).toContain('Nous avons bien reçu votre demande de création de compte sur le portail famille pour Émile Lefèvre.')
    expect(msg.text).toContain('Cordialement,')
    expect(msg.text).toContain(S)
    expect(msg.html).toContain('<html lang="fr">')
    expect(msg.html).toContain('Émile Lefèvre')
    const [row] = await outboxMails(core)
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null, sentAt: core.clock.now().toISOString() })
    // Sent mail is not sent twice.
    expect(await deliverDueMail(core)).toEqual({ sent: 0, failed: 0, skipped: false })
    expect(smtp.messages).toHaveLength(1)
  })

  test('server down: the attempt fails, the mail waits with a back-off; server back on the same port: delivered, nothing lost', async () => {
    await register('premier@exemple.fr')
    expect((await deliverDueMail(core)).sent).toBe(1)

    await smtp.stop()
    await register('second@exemple.fr')
    await queueResetLike('troisieme@exemple.fr')
    const down = await deliverDueMail(core)
    expect(down).toEqual({ sent: 0, failed: 2, skipped: false })
    const waiting = (await outboxMails(core)).filter((m) => m.status !== 'sent')
    expect(waiting).toHaveLength(2)
    for (const m of waiting) {
      expect(m.status).toBe('pending')
      expect(m.attempts).toBe(1)
      expect(m.lastError).toMatch(/ECONNREFUSED/)
      expect(m.nextAttemptAt).toBe(new Date(core.clock.now().getTime() + BACKOFF_SECONDS[0] * 1000).toISOString())
    }
    // Not due yet: no new attempt even though the server is back.
    await smtp.start()
    expect(await deliverDueMail(core)).toEqual({ sent: 0, failed: 0, skipped: false })
    expect((await outboxMails(core)).filter((m) => m.status === 'pending').every((m) => m.attempts === 1)).toBe(true)

    core.clock.advance(BACKOFF_SECONDS[0] * 1000)
    expect(await deliverDueMail(core)).toEqual({ sent: 2, failed: 0, skipped: false })
    await smtp.waitFor(3)
    expect(smtp.messages.map((m) => m.to[0]).sort()).toEqual(['premier@exemple.fr', 'second@exemple.fr', 'troisieme@exemple.fr'])
    const rows = await outboxMails(core)
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['sent', 1],
      ['sent', 2],
      ['sent', 2]
    ])
  })

  test('back-off grows with each failure, then the mail is marked failed and can be retried by hand', async () => {
    await smtp.stop()
    await queueResetLike('patient@exemple.fr')
    for (let i = 0; i < BACKOFF_SECONDS.length; i++) {
      expect((await deliverDueMail(core)).failed, `attempt ${i + 1}`).toBe(1)
      const [row] = await outboxMails(core)
      expect(row.attempts).toBe(i + 1)
      expect(row.status).toBe('pending')
      expect(new Date(row.nextAttemptAt).getTime() - core.clock.now().getTime()).toBe(BACKOFF_SECONDS[i] * 1000)
      core.clock.advance(BACKOFF_SECONDS[i] * 1000)
    }
    expect((await deliverDueMail(core)).failed).toBe(1)
    const [failed] = await outboxMails(core)
    expect(failed).toMatchObject({ status: 'failed', attempts: BACKOFF_SECONDS.length + 1 })

    await smtp.start()
    const app: FastifyInstance = await buildStaffApp(core)
    try {
      const director = await seedStaff(core, 'direction')
      const c = await client(app, 'staff')
      await c.loginStaff(director.login, director.password)
      const list = await c.call('outbox-list', { status: 'failed' })
      expect(list.body.items).toMatchObject([{ recipient: 'patient@exemple.fr', status: 'failed' }])
      expect((await c.call('outbox-retry', { id: failed.id })).status).toBe(200)
    } finally {
      await app.close()
    }
    expect((await deliverDueMail(core)).sent).toBe(1)
    expect((await smtp.waitFor(1))[0].subject).toBe(`[${S}] Réinitialisation de votre mot de passe`)
  })

  test('without SMTP settings nothing is attempted and mail stays queued', async () => {
    await core.tx.run((m) => m.query(`DELETE FROM setting WHERE key = 'smtp'`))
    await register('attente@exemple.fr')
    expect(await deliverDueMail(core)).toEqual({ sent: 0, failed: 0, skipped: true })
    expect((await outboxMails(core))[0]).toMatchObject({ status: 'pending', attempts: 0 })
  })

  test('the settings screen’s test e-mail reports success and failure in French', async () => {
    const app = await buildStaffApp(core)
    try {
      const director = await seedStaff(core, 'direction')
      const c = await client(app, 'staff')
      await c.loginStaff(director.login, director.password)
      const ok = await c.call('smtp-test', { to: 'direction@exemple.fr' })
      expect(ok.body).toEqual({ ok: true, message: 'E-mail d’essai envoyé à direction@exemple.fr.' })
      expect((await smtp.waitFor(1))[0].subject).toBe(`[${S}] E-mail d'essai`)
      await smtp.stop()
      const ko = await c.call('smtp-test', { to: 'direction@exemple.fr' })
      expect(ko.body.ok).toBe(false)
      expect(ko.body.message).toMatch(/^Échec de l’envoi : .*ECONNREFUSED/)
    } finally {
      await app.close()
    }
  })
})
