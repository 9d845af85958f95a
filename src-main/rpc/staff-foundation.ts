import { audit } from '../audit/audit'
import { listBackups } from '../db/backup'
import { backupKeyFingerprint, passphraseOpens } from '../db/backup-crypto'
import { backupAndCopy } from '../backups/backup-now'
import { BACKUP_SETTINGS_KEY, getBackupSettings, getLastRun, updateBackupSettings } from '../backups/settings'
import { AuditEntry } from '../audit/entities'
import { Not } from 'typeorm'
import { conflict } from '../core/errors'
import { OutboxMail } from '../mail/entities'
import { createPortalAccount, createStaffUser, listStaff, resetStaffPassword, setPortalAccountStatus, staffDto, updateStaffUser } from '../accounts/admin'
import { changeStaffPassword, staffLogin } from '../accounts/auth'
import { cancelInvitation } from '../accounts/logins'
import { StaffUser } from '../accounts/entities'
import { acceptRegistration, refuseRegistration } from '../accounts/registration'
import { closeSession, resolveSession } from '../accounts/sessions'
import { staffListener } from './staff-access'
import { createFamily, getFamilyDetail, searchFamilies } from '../families/families'
import { listRequests } from '../requests/requests'
import { getSmtp, getStructure, putSetting, settingVersion, SMTP_KEY, structureDto, updateStructure } from '../settings/settings'
import { sendTestMail } from '../mail/test-mail'
import { portalInfo, updatePortalSettings } from '../settings/portal-settings'
import type { foundationStaffProcedures } from '@shared/contract/staff-foundation'
import { requireActor, type HandlersFor, type StaffActor } from './types'

/** The staff handler map: one entry per procedure of the staff contract, named `domain-verb`. */
export const foundationStaffHandlers: HandlersFor<typeof foundationStaffProcedures, StaffActor | null> = {
  'auth-session': async (_i, ctx) => {
    if (ctx.actor) {
      const user = staffDto(await ctx.core.tx.read((m) => m.findOneByOrFail(StaffUser, { id: ctx.actor!.id })))
      return { user, csrfToken: ctx.csrfToken(), stage: ctx.actor.mustSetUpTwoFactor ? ('two-factor-setup' as const) : null }
    }
    // No working session: maybe a login awaiting its code (a reload of the code screen keeps it).
    const s = await resolveSession(ctx.core, 'staff', ctx.sessionToken, staffListener(ctx))
    return { user: null, csrfToken: ctx.csrfToken(), stage: s?.stage === 'second-factor' ? ('second-factor' as const) : null }
  },
  'auth-login': async (i, ctx) => {
    const r = await staffLogin(ctx.core, i.login, i.password, ctx.ip, ctx.sessionToken, staffListener(ctx))
    ctx.setSession(r.token)
    return { user: r.stage === 'second-factor' ? null : staffDto(r.user), csrfToken: ctx.csrfToken(), stage: r.stage === 'full' ? null : r.stage }
  },
  'auth-logout': async (_i, ctx) => {
    await closeSession(ctx.core, ctx.sessionToken)
    ctx.setSession(null)
    return { ok: true }
  },
  'auth-change-password': async (i, ctx) => {
    const a = requireActor(ctx)
    await changeStaffPassword(ctx.core, a, a.id, i.current, i.next, ctx.sessionToken ?? undefined)
    return { ok: true }
  },

  'families-search': (i, ctx) => searchFamilies(ctx.core, i),
  'families-get': (i, ctx) => getFamilyDetail(ctx.core, i.familyId),
  'families-create': async (i, ctx) => {
    const f = await ctx.core.tx.run((m) => createFamily(m, ctx.core, requireActor(ctx), { ...i, status: 'active' }))
    return { familyId: f.id, number: f.number }
  },
  'accounts-create-portal': async (i, ctx) => ({ accountId: await createPortalAccount(ctx.core, requireActor(ctx), i.familyId, i.login) }),
  'accounts-set-portal-status': async (i, ctx) => {
    await setPortalAccountStatus(ctx.core, requireActor(ctx), i.accountId, i.status, i.newMainAccountId)
    return { ok: true }
  },
  'accounts-cancel-invitation': async (i, ctx) => {
    await cancelInvitation(ctx.core, requireActor(ctx), i.invitationId, null)
    return { ok: true }
  },

  'requests-list': (i, ctx) => listRequests(ctx.core, i),
  'registrations-accept': async (i, ctx) => ({
    familyId: await acceptRegistration(ctx.core, requireActor<StaffActor>(ctx), i.requestId, i.linkFamilyId)
  }),
  'registrations-refuse': async (i, ctx) => {
    await refuseRegistration(ctx.core, requireActor<StaffActor>(ctx), i.requestId, i.reason)
    return { ok: true }
  },

  'structure-get': async (_i, ctx) => structureDto(await ctx.core.tx.read((m) => getStructure(m))),
  'structure-update': async (i, ctx) => {
    await updateStructure(ctx.core, requireActor(ctx), i)
    return { ok: true }
  },
  'smtp-get': async (_i, ctx) => {
    const [s, version] = await ctx.core.tx.read(async (m) => [await getSmtp(m), settingVersion(m, SMTP_KEY)] as const)
    // The stored password never goes back to a screen.
    return { ...s, password: s.password ? '********' : '', version }
  },
  'smtp-update': async ({ version, ...i }, ctx) => {
    await ctx.core.tx.run(async (m) => {
      const current = await getSmtp(m)
      const password = i.password === '********' ? current.password : i.password
      await putSetting(m, ctx.core, requireActor(ctx), SMTP_KEY, { ...i, password }, ['password'], version)
    })
    return { ok: true }
  },
  'smtp-test': (i, ctx) => sendTestMail(ctx.core, i.to),
  'portal-info': async (_i, ctx) => portalInfo(ctx.core),
  'portal-update': async (i, ctx) => {
    await updatePortalSettings(ctx.core, requireActor(ctx), i)
    return { ok: true }
  },

  'staff-list': (_i, ctx) => listStaff(ctx.core),
  'staff-create': async (i, ctx) => ({ id: await createStaffUser(ctx.core, requireActor(ctx), i) }),
  'staff-update': async (i, ctx) => {
    await updateStaffUser(ctx.core, requireActor(ctx), i)
    return { ok: true }
  },
  'staff-reset-password': async (i, ctx) => {
    await resetStaffPassword(ctx.core, requireActor(ctx), i.id, i.password)
    return { ok: true }
  },

  'audit-list': async (i, ctx) =>
    ctx.core.tx.read(async (m) => {
      const qb = m.createQueryBuilder(AuditEntry, 'a')
      if (i.entity) qb.andWhere('a.entity = :e', { e: i.entity })
      if (i.entityId) qb.andWhere('a.entity_id = :id', { id: i.entityId })
      if (i.action) qb.andWhere('a.action = :ac', { ac: i.action })
      const total = await qb.getCount()
      const rows = await qb.orderBy('a.id', 'DESC').skip(i.offset).take(i.limit).getMany()
      const parse = (s: string | null) => (s ? JSON.parse(s) : null)
      return { total, items: rows.map((r) => ({ ...r, before: parse(r.before), after: parse(r.after) })) }
    }),
  'backups-list': async (_i, ctx) => listBackups(ctx.core.paths.backupDir).map(({ name, reason, sizeBytes, createdAt }) => ({ name, reason, sizeBytes, createdAt })),
  'backups-create': async (_i, ctx) => {
    const { backup: b, copy } = await backupAndCopy(ctx.core, 'manuelle')
    await ctx.core.tx.run(async (m) => {
      await audit(m, requireActor(ctx), ctx.core.clock.now(), { action: 'backup-create', entity: 'backup', entityId: b.name, after: { counts: b.counts, copy } })
    })
    return { name: b.name, reason: b.reason, sizeBytes: b.sizeBytes, createdAt: b.createdAt, copy }
  },
  'backups-settings-get': async (_i, ctx) =>
    ctx.core.tx.read(async (m) => {
      const { key, keySetAt, ...s } = await getBackupSettings(m)
      return { ...s, keyFingerprint: key ? backupKeyFingerprint(key) : '', keySetAt, lastRun: await getLastRun(m), version: settingVersion(m, BACKUP_SETTINGS_KEY) }
    }),
  'backups-settings-update': async (i, ctx) => {
    await updateBackupSettings(ctx.core, requireActor(ctx), i)
    return { ok: true }
  },
  'backups-passphrase-check': async (i, ctx) => {
    const { key } = await ctx.core.tx.read((m) => getBackupSettings(m))
    return { matches: !!key && (await passphraseOpens(key, i.passphrase)) }
  },
  'outbox-list': async (i, ctx) =>
    ctx.core.tx.read(async (m) => {
      const qb = m.createQueryBuilder(OutboxMail, 'o')
      if (i.status) qb.where('o.status = :s', { s: i.status })
      const total = await qb.getCount()
      const rows = await qb.orderBy('o.id', 'DESC').skip(i.offset).take(i.limit).getMany()
      return { total, items: rows.map(({ textBody: _t, htmlBody: _h, attachments: _a, ...r }) => r) }
    }),
  'outbox-retry': async (i, ctx) => {
    await ctx.core.tx.run(async (m) => {
      // Never one being handed to the server right now: that would send it twice.
      const r = await m.update(OutboxMail, { id: i.id, status: Not('sending') }, { status: 'pending', nextAttemptAt: ctx.core.clock.now().toISOString() })
      if (!r.affected) throw conflict('Cet e-mail est en cours d’envoi : attendez la fin de l’envoi.')
      await audit(m, requireActor(ctx), ctx.core.clock.now(), { action: 'mail-retry', entity: 'outbox_mail', entityId: i.id })
    })
    return { ok: true }
  }
}
