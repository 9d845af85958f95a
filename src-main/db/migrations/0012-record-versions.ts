import type { MigrationInterface, QueryRunner } from 'typeorm'

// Listed here, not imported from db/versions.ts: a released migration must not change when the app's list grows.
const TABLES = [
  'family', 'person', 'child', 'child_file', 'family_fiscal', 'family_caf', 'family_bank',
  'facility', 'activity_type', 'activity', 'activity_period', 'activity_group', 'unit', 'capacity',
  'closure', 'school_holiday', 'booking_rule',
  'tariff', 'regie', 'sepa_mandate',
  'structure', 'setting', 'staff_user', 'news_item', 'published_document'
]

/**
 * Optimistic concurrency for everything staff load, edit and save (db/versions.ts):
 * each row carries `version`, bumped by every save and compared in the
 * UPDATE's WHERE, and who made that change and when (`version_by`,
 * `version_at`), so a stale save is refused with « … modifié par Claire
 * Directrice à 14:32 ». Existing rows start at 0, as do rows created later.
 */
export class RecordVersions0000000000012 implements MigrationInterface {
  name = 'RecordVersions0000000000012'

  async up(q: QueryRunner): Promise<void> {
    for (const t of TABLES) {
      await q.query(`ALTER TABLE ${t} ADD COLUMN version INTEGER NOT NULL DEFAULT 0`)
      await q.query(`ALTER TABLE ${t} ADD COLUMN version_by TEXT NOT NULL DEFAULT ''`)
      await q.query(`ALTER TABLE ${t} ADD COLUMN version_at TEXT`)
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of TABLES) {
      for (const c of ['version_at', 'version_by', 'version']) await q.query(`ALTER TABLE ${t} DROP COLUMN ${c}`)
    }
  }
}
