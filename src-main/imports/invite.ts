import { personName } from '@shared/names'
import type Database from 'better-sqlite3'
import type { InviteStatusDto } from '@shared/contract/imports-shapes'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { normalize } from '../core/text'
import { audit } from '../audit/audit'
import { hashPassword } from '../accounts/passwords'
import { newToken, sha256 } from '../accounts/tokens'
import { dbOf } from '../bookings/sql'
import { insertMany } from '../db/statements'
import { enqueueMail, mailContext } from '../mail/outbox'
import { compose, type MailContext } from '../mail/templates'
import type { StaffActor } from '../rpc/types'

/**
 * An invited account whose password was chosen: the reset link (or « Mot de passe oublié ») marks its
 * token used; a new invitation deletes the unused links instead, so "used" means used by the family.
 */
export const PASSWORD_CHOSEN = `EXISTS (SELECT 1 FROM password_token t WHERE t.kind = 'portal' AND t.user_id = a.id AND t.used_at IS NOT NULL)`
/** How long an invitation link works: a week, so a family that reads its mail on Sunday still can. */
export const INVITE_DAYS = 7

export const inviteMail = (ctx: MailContext, d: { link: string; login: string; familyNumber: number }) =>
  compose(ctx, 'Votre espace sur le portail famille', [
    `${ctx.structureName} ouvre son portail famille : inscriptions, réservations, factures et échanges avec la structure, depuis votre téléphone ou votre ordinateur. Votre dossier (N° famille ${d.familyNumber}) y est déjà.`,
    `Pour y accéder, choisissez votre mot de passe avec ce lien, valable ${INVITE_DAYS} jours et utilisable une seule fois :\n${d.link}`,
    `Votre identifiant : ${d.login}`,
    `Passé ce délai, utilisez « Mot de passe oublié » sur la page de connexion du portail : ${ctx.portalUrl}`
  ])

interface FamilyContact {
  family_id: number
  number: number
  /** « NOËL Léa »: upper-cased in JavaScript (French locale), never with SQLite's ASCII-only UPPER(). */
  name: string
  email: string
  phone: string
  account_id: number | null
  invited: number
  chosen: number
  taken: number
}

/** Each family of the batch: its best e-mail (responsable, else conjoint), phone, portal account and invitation. */
function contacts(db: Database.Database, batchId: number): FamilyContact[] {
  return db
    .prepare(
      `SELECT f.id AS family_id, f.number,
              r.last_name AS last_name, r.first_name AS first_name,
              LOWER(COALESCE(NULLIF(r.email, ''), NULLIF(c.email, ''), '')) AS email,
              COALESCE(NULLIF(r.phone_mobile, ''), NULLIF(r.phone_home, ''), NULLIF(c.phone_mobile, ''), NULLIF(c.phone_home, ''), NULLIF(r.phone_work, ''), '') AS phone,
              a.id AS account_id,
              EXISTS (SELECT 1 FROM import_invitation i WHERE i.batch_id = @batch AND i.family_id = f.id) AS invited,
              CASE WHEN a.id IS NULL THEN 0 WHEN a.last_login_at IS NOT NULL OR ${PASSWORD_CHOSEN} THEN 1 ELSE 0 END AS chosen,
              CASE WHEN a.id IS NULL AND EXISTS (SELECT 1 FROM portal_account o WHERE o.login = LOWER(COALESCE(NULLIF(r.email, ''), NULLIF(c.email, ''))) COLLATE NOCASE) THEN 1 ELSE 0 END AS taken
         FROM import_item it
         JOIN family f ON f.id = it.item_id
         JOIN person r ON r.family_id = f.id AND r.role = 'responsable'
         LEFT JOIN person c ON c.family_id = f.id AND c.role = 'conjoint'
         LEFT JOIN portal_account a ON a.id = (SELECT MIN(id) FROM portal_account WHERE family_id = f.id)
        WHERE it.batch_id = @batch AND it.kind = 'family' AND f.status = 'active'
        ORDER BY f.number`
    )
    .all({ batch: batchId })
    .map((r) => {
      const { last_name, first_name, ...rest } = r as Omit<FamilyContact, 'name'> & { last_name: string; first_name: string }
      return { ...rest, name: personName(last_name, first_name) }
    })
}

export function inviteStatus(db: Database.Database, batchId: number): InviteStatusDto {
  const list = contacts(db, batchId)
  const mails = db
    .prepare(
      `SELECT o.status, COUNT(*) AS n FROM import_invitation i JOIN outbox_mail o ON o.id = i.outbox_id WHERE i.batch_id = ? GROUP BY o.status`
    )
    .all(batchId) as { status: 'pending' | 'sending' | 'sent' | 'failed'; n: number }[]
  const byStatus = Object.fromEntries(mails.map((x) => [x.status, x.n]))
  // « En cours d’envoi » still waits: left out, the batch page saw « 1 envoyé sur 1 » and stopped following the other.
  byStatus.pending = (byStatus.pending ?? 0) + (byStatus.sending ?? 0)
  return {
    invitable: list.filter((f) => f.email && !f.account_id && !f.taken).length,
    invited: list.filter((f) => f.account_id && f.invited && !f.chosen).length,
    withAccount: list.filter((f) => f.account_id && (f.chosen || !f.invited)).length,
    mails: { pending: byStatus.pending ?? 0, sent: byStatus.sent ?? 0, failed: byStatus.failed ?? 0 },
    withoutEmail: list.filter((f) => !f.email).map((f) => ({ familyId: f.family_id, number: f.number, name: f.name, phone: f.phone })),
    loginTaken: list.filter((f) => f.taken).map((f) => ({ familyId: f.family_id, number: f.number, name: f.name, email: f.email }))
  }
}

/**
 * Invites the batch's families to the portal: an account whose login is the
 * family's e-mail, and an e-mail with a single-use link valid 7 days to
 * choose a password (the reset machinery of accounts/: same token table,
 * same page). Families that already have an account, or whose e-mail is the
 * login of another account, are left alone. `resend` sends a new link to the
 * invited families that have not chosen their password yet (their old link
 * stops working). The outbox sends the e-mails; one audit row per run.
 */
export async function inviteFamilies(core: Core, actor: StaffActor, batchId: number, resend: boolean): Promise<{ invited: number; status: InviteStatusDto }> {
  // Nobody knows this password: the account only opens through the link. One argon2id hash per run, not per family.
  const placeholder = await hashPassword(newToken(32))
  return core.tx.run(async (m) => {
    const db = dbOf(m)
    const batch = db.prepare('SELECT status FROM import_batch WHERE id = ?').get(batchId) as { status: string } | undefined
    if (!batch) throw notFound('Lot d’import')
    if (batch.status !== 'committed') throw new DomainError('batch_undone', 'Ce lot a été annulé : ses familles ne sont plus dans Ribambelle.', 409)
    const now = core.clock.now()
    const at = now.toISOString()
    const expires = new Date(now.getTime() + INVITE_DAYS * 86_400_000).toISOString()
    const list = contacts(db, batchId)
    const fresh = list.filter((f) => f.email && !f.account_id && !f.taken)
    const again = resend ? list.filter((f) => f.account_id && f.invited && !f.chosen) : []
    if (!fresh.length && !again.length) {
      throw new DomainError('nothing_to_invite', resend ? 'Aucune famille à relancer : toutes ont choisi leur mot de passe, ou n’ont pas d’e-mail.' : 'Aucune famille à inviter : elles ont déjà un compte, ou pas d’e-mail (voir la liste à appeler).', 409)
    }
    const created = insertMany<{ id: number; family_id: number }>(
      db,
      'portal_account',
      ACCOUNT,
      fresh.map((f) => [f.family_id, f.email, placeholder, 'active', 0, at, at]),
      'id, family_id'
    )
    const accountOf = new Map(created.map((a) => [a.family_id, a.id]))
    // A new link replaces the old ones: they are deleted, not marked used (a used link means a chosen password).
    for (const f of again) db.prepare(`DELETE FROM password_token WHERE kind = 'portal' AND user_id = ? AND used_at IS NULL`).run(f.account_id)
    const ctx = await mailContext(m, core.runtime.portalUrl)
    const base = ctx.portalUrl.replace(/\/$/, '')
    const tokens: unknown[][] = []
    const invitations: unknown[][] = []
    const appendLogin = db.prepare(`UPDATE family SET search_text = search_text || ? WHERE id = ?`)
    for (const f of [...fresh, ...again]) {
      const accountId = accountOf.get(f.family_id) ?? f.account_id!
      const token = newToken(32)
      tokens.push([sha256(token), 'portal', accountId, at, expires])
      const outboxId = await enqueueMail(m, core, f.email, inviteMail(ctx, { link: `${base}/reinitialisation?jeton=${token}`, login: f.email, familyNumber: f.number }))
      invitations.push([batchId, f.family_id, accountId, outboxId, at])
      if (accountOf.has(f.family_id)) appendLogin.run(`${normalize(f.email)}|`, f.family_id)
    }
    insertMany(db, 'password_token', TOKEN, tokens)
    insertMany(db, 'import_invitation', INVITATION, invitations)
    insertMany(db, 'import_item', ITEM, created.map((a) => [batchId, 'portal_account', a.id]))
    await audit(m, actor, now, { action: 'import-invite', entity: 'import_batch', entityId: batchId, after: { accounts: created.length, resent: again.length, expiresAt: expires } })
    return { invited: fresh.length + again.length, status: inviteStatus(db, batchId) }
  })
}

const ACCOUNT = ['family_id', 'login', 'password_hash', 'status', 'must_change_password', 'created_at', 'validated_at'] as const
const TOKEN = ['token_hash', 'kind', 'user_id', 'created_at', 'expires_at'] as const
const INVITATION = ['batch_id', 'family_id', 'account_id', 'outbox_id', 'created_at'] as const
const ITEM = ['batch_id', 'kind', 'item_id'] as const
