import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * One portal login per adult (issue 16). A `portal_account` already belongs to a household (`family_id`): now a
 * household can have several, each with its holder's name and rights (see / book / pay / edit the file, as a comma
 * list), and one of them is the main responsable's, who invites the others (`portal_invitation`) and sets their
 * rights. Every existing account becomes its household's main one with every right, named after the household's
 * responsable: nothing changes for a household with one login.
 */
export class PortalLogins0000000000031 implements MigrationInterface {
  name = 'PortalLogins0000000000031'

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE portal_account ADD COLUMN main INTEGER NOT NULL DEFAULT 1`,
      `ALTER TABLE portal_account ADD COLUMN rights TEXT NOT NULL DEFAULT 'book,pay,edit'`,
      `ALTER TABLE portal_account ADD COLUMN first_name TEXT NOT NULL DEFAULT ''`,
      `ALTER TABLE portal_account ADD COLUMN last_name TEXT NOT NULL DEFAULT ''`,
      `ALTER TABLE portal_account ADD COLUMN person_id INTEGER REFERENCES person(id) ON DELETE SET NULL`,
      `UPDATE portal_account SET
         person_id = (SELECT p.id FROM person p WHERE p.family_id = portal_account.family_id AND p.role = 'responsable' ORDER BY p.id LIMIT 1),
         first_name = COALESCE((SELECT p.first_name FROM person p WHERE p.family_id = portal_account.family_id AND p.role = 'responsable' ORDER BY p.id LIMIT 1), ''),
         last_name = COALESCE((SELECT p.last_name FROM person p WHERE p.family_id = portal_account.family_id AND p.role = 'responsable' ORDER BY p.id LIMIT 1), '')
       WHERE family_id IS NOT NULL`,
      `CREATE TABLE portal_invitation (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        family_id INTEGER NOT NULL REFERENCES family(id) ON DELETE CASCADE,
        email TEXT NOT NULL COLLATE NOCASE,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        person_id INTEGER REFERENCES person(id) ON DELETE SET NULL,
        rights TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        invited_by INTEGER REFERENCES portal_account(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        cancelled_at TEXT,
        account_id INTEGER REFERENCES portal_account(id) ON DELETE SET NULL)`,
      `CREATE INDEX portal_invitation_family ON portal_invitation(family_id, created_at)`
    ]
    for (const s of statements) await q.query(s)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE portal_invitation`)
    for (const c of ['person_id', 'last_name', 'first_name', 'rights', 'main']) await q.query(`ALTER TABLE portal_account DROP COLUMN ${c}`)
  }
}
