/**
 * Portal accounts for imported families (#14 part 4): invited in bulk, one
 * e-mail each (sent through the outbox to a real SMTP server on loopback)
 * with a single-use link valid 7 days to choose a password; families
 * without e-mail listed for the desk to call.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { deliverDueMail } from '../../src-main/mail/outbox'
import { getBatch, undoBatch } from '../../src-main/imports/batches'
import { inviteFamilies } from '../../src-main/imports/invite'
import { buildPortalApp } from '../../src-main/server/portal-app'
import { auditRows, openTestCore, seedFamily, seedStaff, type SeededStaff, type TestCore } from '../helpers/core'
import { client } from '../helpers/http'
import { count, importFile } from '../helpers/imports'
import { configureSmtp, startSmtp, type TestSmtp } from '../helpers/smtp'

let core: TestCore
let portal: FastifyInstance
let smtp: TestSmtp
let desk: SeededStaff
let batchId: number
beforeAll(async () => {
  core = await openTestCore()
  smtp = await startSmtp()
  await configureSmtp(core, smtp.port)
  portal = await buildPortalApp(core)
  const director = await seedStaff(core, 'direction')
  desk = await seedStaff(core, 'accueil')
  await seedFamily(core, { email: 'deja.inscrite@example.org' })
  const csv = [
    'N° famille;Nom du responsable;Prénom du responsable;Mail du responsable;Tél. portable du responsable;Nom du conjoint;Prénom du conjoint;Mail du conjoint;Nom de l’enfant;Prénom de l’enfant;Date de naissance de l’enfant',
    '1;Arnaud;Julie;julie.arnaud@example.org;;Arnaud;Marc;;Arnaud;Tom;2017-03-03',
    '2;Benoit;Sarah;;06 11 22 33 44;Benoit;Hugo;hugo.benoit@example.org;Benoit;Lise;2018-04-04',
    '3;Caron;Paul;deja.inscrite@example.org;;;;;Caron;Léon;2016-05-05',
    '4;Durand;Ana;;06 55 44 33 22;;;;Durand;Sami;2019-06-06'
  ]
  batchId = (await importFile(core, director.actor, 'familles.csv', Buffer.from(csv.join('\n')))).batch.batchId
})
afterAll(async () => {
  await portal.close()
  await smtp.stop()
  await core.cleanup()
})

const link = (text: string) => /reinitialisation\?jeton=([\w-]+)/.exec(text)![1]

describe('inviting imported families to the portal', () => {
  test('before: who can be invited, who must be called, whose e-mail is already a login', async () => {
    const { invitations } = await getBatch(core, batchId)
    expect(invitations).toMatchObject({ invitable: 2, invited: 0, withAccount: 0, mails: { pending: 0, sent: 0, failed: 0 } })
    expect(invitations.withoutEmail).toEqual([{ familyId: expect.any(Number), number: 1005, name: 'DURAND Ana', phone: '06 55 44 33 22' }])
    expect(invitations.loginTaken).toEqual([{ familyId: expect.any(Number), number: 1004, name: 'CARON Paul', email: 'deja.inscrite@example.org' }])
  })

  test('one e-mail per family with a link valid 7 days; the outbox sends them, progress counted; one audit row', async () => {
    const r = await inviteFamilies(core, desk.actor, batchId, false)
    expect(r.invited).toBe(2)
    expect(r.status.mails).toEqual({ pending: 2, sent: 0, failed: 0 })
    // The conjoint's address serves when the responsable has none; the login is that address.
    expect(core.db.prepare(`SELECT login, status, must_change_password FROM portal_account WHERE login LIKE '%arnaud%' OR login LIKE '%benoit%' ORDER BY login`).all()).toEqual([
      { login: 'hugo.benoit@example.org', status: 'active', must_change_password: 0 },
      { login: 'julie.arnaud@example.org', status: 'active', must_change_password: 0 }
    ])
    expect(count(core, `SELECT COUNT(*) FROM password_token WHERE expires_at = ?`, new Date(core.clock.now().getTime() + 7 * 86_400_000).toISOString())).toBe(2)
    // An e-mail the outbox is handing to the server (« en cours d’envoi ») still waits: the batch page keeps following it.
    const [first] = core.db.prepare(`SELECT o.id FROM import_invitation i JOIN outbox_mail o ON o.id = i.outbox_id WHERE i.batch_id = ? ORDER BY o.id`).all(batchId) as { id: number }[]
    core.db.prepare(`UPDATE outbox_mail SET status = 'sending' WHERE id = ?`).run(first.id)
    expect((await getBatch(core, batchId)).invitations.mails).toEqual({ pending: 2, sent: 0, failed: 0 })
    core.db.prepare(`UPDATE outbox_mail SET status = 'pending' WHERE id = ?`).run(first.id)
    await deliverDueMail(core)
    const mails = await smtp.waitFor(2)
    expect(mails.map((m) => m.to[0]).sort()).toEqual(['hugo.benoit@example.org', 'julie.arnaud@example.org'])
    expect(mails[0].subject).toBe('[Ma structure] Votre espace sur le portail famille')
    expect(mails[0].text).toContain('valable 7 jours et utilisable une seule fois')
    expect((await getBatch(core, batchId)).invitations.mails).toEqual({ pending: 0, sent: 2, failed: 0 })
    expect((await auditRows(core, 'import-invite')).map((a) => a.after)).toEqual([{ accounts: 2, resent: 0, expiresAt: expect.any(String) }])
    // Search finds the family by its new login.
    expect(count(core, `SELECT COUNT(*) FROM family WHERE search_text LIKE '%|julie.arnaud@example.org|%'`)).toBe(1)
  })

  test('the link sets the password once; then the family logs in; the batch can no longer be undone', async () => {
    const mail = smtp.messages.find((m) => m.to[0] === 'julie.arnaud@example.org')!
    const token = link(mail.text)
    const p = await client(portal, 'portal')
    const set = await p.call('auth-reset-password', { token, password: 'Des-girafes-qui-chantent-42' })
    expect(set.status).toBe(200)
    expect((await p.call('auth-reset-password', { token, password: 'Un-autre-mot-de-passe-43' })).status).toBe(400)
    expect((await p.loginPortal('julie.arnaud@example.org', 'Des-girafes-qui-chantent-42')).status).toBe(200)
    const detail = await getBatch(core, batchId)
    expect(detail.invitations).toMatchObject({ invited: 1, withAccount: 1 })
    expect(detail.blockers).toEqual([{ label: '1 famille déjà connectée au portail', count: 1 }])
  })

  test('a link is dead after 7 days; a new invitation replaces the unused one', async () => {
    const old = link(smtp.messages.find((m) => m.to[0] === 'hugo.benoit@example.org')!.text)
    core.clock.advance(7 * 86_400_000 + 60_000)
    const p = await client(portal, 'portal')
    const late = await p.call('auth-reset-password', { token: old, password: 'Des-girafes-qui-chantent-44' })
    expect(late.status).toBe(400)
    expect(late.body.error.message).toBe('Ce lien de réinitialisation est invalide ou a expiré. Refaites une demande « Mot de passe oublié ».')
    await expect(inviteFamilies(core, desk.actor, batchId, false)).rejects.toMatchObject({ code: 'nothing_to_invite', status: 409 })
    const again = await inviteFamilies(core, desk.actor, batchId, true)
    expect(again.invited).toBe(1)
    await deliverDueMail(core)
    const [fresh] = (await smtp.waitFor(3)).slice(2)
    expect(fresh.to).toEqual(['hugo.benoit@example.org'])
    expect((await p.call('auth-reset-password', { token: link(fresh.text), password: 'Des-girafes-qui-chantent-44' })).status).toBe(200)
    expect((await getBatch(core, batchId)).invitations).toMatchObject({ invited: 0, withAccount: 2 })
  })

  test('undo of a batch whose invitations are not used yet removes the accounts and the unsent e-mails', async () => {
    const c = await openTestCore()
    try {
      const director = await seedStaff(c, 'direction')
      const { batch } = await importFile(c, director.actor, 'a.csv', Buffer.from('Nom du responsable;Prénom du responsable;Mail du responsable\nEl Amrani;Yasmine;yasmine@example.org\n'))
      await inviteFamilies(c, director.actor, batch.batchId, false)
      expect(count(c, 'SELECT COUNT(*) FROM portal_account')).toBe(1)
      expect(count(c, `SELECT COUNT(*) FROM outbox_mail WHERE status = 'pending'`)).toBe(1)
      await undoBatch(c, director.actor, batch.batchId)
      expect(count(c, 'SELECT COUNT(*) FROM portal_account')).toBe(0)
      expect(count(c, 'SELECT COUNT(*) FROM password_token')).toBe(0)
      expect(count(c, 'SELECT COUNT(*) FROM outbox_mail')).toBe(0)
      await expect(inviteFamilies(c, director.actor, batch.batchId, false)).rejects.toMatchObject({ code: 'batch_undone' })
    } finally {
      await c.cleanup()
    }
  })
})
