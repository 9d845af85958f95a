import type { EntityManager } from 'typeorm'
import { PortalAccount } from '../accounts/entities'
import { Person } from './entities'

const looksLikeEmail = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)

/**
 * Where to write to a family about its own requests: the portal account that
 * asked (its login is an e-mail), else the responsable's e-mail. '' = nowhere.
 */
export async function familyRecipient(m: EntityManager, familyId: number, accountId?: number | null): Promise<string> {
  if (accountId) {
    const a = await m.findOneBy(PortalAccount, { id: accountId })
    if (a && a.familyId === familyId && looksLikeEmail(a.login)) return a.login
  }
  const p = await m.findOne(Person, { where: { familyId, role: 'responsable' }, order: { id: 'ASC' } })
  if (p?.email) return p.email
  const a = await m.findOne(PortalAccount, { where: { familyId, status: 'active' }, order: { id: 'ASC' } })
  return a && looksLikeEmail(a.login) ? a.login : ''
}

/**
 * Where information mail goes (new message, broadcast): only to a
 * responsable who accepted e-mails. '' = the family did not consent.
 */
export async function consentingRecipient(m: EntityManager, familyId: number): Promise<string> {
  const p = await m.findOne(Person, { where: { familyId, role: 'responsable' }, order: { id: 'ASC' } })
  if (!p || !p.consentEmail) return ''
  if (p.email) return p.email
  const a = await m.findOne(PortalAccount, { where: { familyId, status: 'active' }, order: { id: 'ASC' } })
  return a && looksLikeEmail(a.login) ? a.login : ''
}

/** consentingRecipient for many families at once (group messages): familyId → address. */
export async function consentingRecipients(m: EntityManager, familyIds: number[]): Promise<Map<number, string>> {
  const wanted = new Set(familyIds)
  const rows: { family_id: number; email: string; consent_email: number; login: string | null }[] = await m.query(
    `SELECT p.family_id, p.email, p.consent_email,
            (SELECT a.login FROM portal_account a WHERE a.family_id = p.family_id AND a.status = 'active' ORDER BY a.id LIMIT 1) AS login
     FROM person p WHERE p.role = 'responsable' ORDER BY p.id`
  )
  const out = new Map<number, string>()
  // The family's first responsable decides, as in `consentingRecipient` for one family.
  const seen = new Set<number>()
  for (const r of rows) {
    const id = Number(r.family_id)
    if (!wanted.has(id) || seen.has(id)) continue
    seen.add(id)
    if (!r.consent_email) continue
    const to = r.email || (r.login && looksLikeEmail(r.login) ? r.login : '')
    if (to) out.set(id, to)
  }
  return out
}
