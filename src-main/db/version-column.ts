import { Column } from 'typeorm'

/**
 * An entity's `version` (db/versions.ts): read with the row, never written by
 * TypeORM's save, so a save cannot put back the version it read; only
 * claimVersion / bumpVersion change it. Its own module: entities load before
 * the data source that versions.ts needs.
 */
export const RecordVersion = () => Column({ name: 'version', type: 'integer', default: 0, insert: false, update: false })
