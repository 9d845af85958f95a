import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Photos of the people allowed to pick a child up (issue 15 §3): the
 * animateur checks the face beside « Parti ». The photo is a stored file
 * (documents/storage.ts), served to staff only; ON DELETE SET NULL so a file
 * purged by the RGPD anonymisation leaves the person without a photo.
 */
export class PickupPhotos0000000000025 implements MigrationInterface {
  name = 'PickupPhotos0000000000025'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pickup_person ADD COLUMN photo_file_id INTEGER REFERENCES stored_file(id) ON DELETE SET NULL`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pickup_person DROP COLUMN photo_file_id`)
  }
}
