import type Database from 'better-sqlite3'
import { stmt } from './sql'

/**
 * Where a family's booking e-mails go: its active portal account (the login
 * is the e-mail the family chose), else the responsable's e-mail.
 */
export function familyRecipient(db: Database.Database, familyId: number): string | null {
  const a = stmt(db, `SELECT login FROM portal_account WHERE family_id = ? AND status = 'active' ORDER BY id LIMIT 1`).get(familyId) as { login: string } | undefined
  if (a?.login.includes('@')) return a.login
  const p = stmt(db, `SELECT email FROM person WHERE family_id = ? AND role = 'responsable'`).get(familyId) as { email: string } | undefined
  return p?.email || null
}
