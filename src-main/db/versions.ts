import { TZDate } from '@date-fns/tz'
import { format } from 'date-fns'
import type { EntityManager } from 'typeorm'
import type { Actor } from '../core/actor'
import { PARIS, parisDay } from '../core/clock'
import { DomainError } from '../core/errors'
import { rawDatabase } from './data-source'
import { stmt } from './statements'

/**
 * No silent lost update. Every record that staff load, edit and save carries
 * a `version` (migration 0009): the screen gets it with the record and sends
 * it back with the save, which bumps it with a compare-and-set in the same
 * transaction as the change. If someone saved in between, the save is
 * refused (409) naming who changed the record and when, and the whole
 * transaction (the change and its audit row) rolls back.
 *
 * Who and when come from `version_by` / `version_at`, written by that same
 * UPDATE: they always describe the change that made the copy stale, whatever
 * else touched the row (the audit log would need its entity naming to match
 * each section exactly).
 *
 * A writer calls {@link claimVersion} once the row exists (after creating it
 * on a first save), before anything that cannot be rolled back. Writes that
 * are not staff edits of a loaded copy (an accepted family request, an
 * anonymisation) call {@link bumpVersion}, so the copies staff hold become
 * stale too.
 */

/** How a refusal names each kind of record, with its gender and number for « modifiée… l’avez ouverte ». */
const RECORDS = {
  family: ['Ce dossier', 'm'],
  person: ['Ce dossier', 'm'],
  child: ['Ce dossier', 'm'],
  child_file: ['Ce dossier', 'm'],
  custody_rule: ['Ce calendrier de garde', 'm'],
  child_billing_split: ['Ce mode de facturation', 'm'],
  family_fiscal: ['Ce dossier', 'm'],
  family_caf: ['Ce dossier', 'm'],
  family_bank: ['Ce dossier', 'm'],
  facility: ['Cet équipement', 'm'],
  activity_type: ['Ce type d’activité', 'm'],
  activity: ['Cette activité', 'f'],
  activity_period: ['Cette période', 'f'],
  activity_group: ['Ce groupe', 'm'],
  unit: ['Cette unité', 'f'],
  capacity: ['Cette capacité', 'f'],
  closure: ['Cette fermeture', 'f'],
  school_holiday: ['Cette période de vacances', 'f'],
  booking_rule: ['Ces règles de réservation', 'fp'],
  tariff: ['Ce tarif', 'm'],
  regie: ['Cette régie', 'f'],
  sepa_mandate: ['Ce mandat', 'm'],
  structure: ['La fiche de la structure', 'f'],
  setting: ['Ces réglages', 'mp'],
  staff_user: ['Ce compte', 'm'],
  news_item: ['Cette actualité', 'f'],
  published_document: ['Ce document', 'm']
} as const satisfies Record<string, readonly [string, 'm' | 'f' | 'mp' | 'fp']>

export type VersionedTable = keyof typeof RECORDS
export const VERSIONED_TABLES = Object.keys(RECORDS) as VersionedTable[]

/** The row's identity: column → value (`{ id: 3 }`, `{ family_id: 12, role: 'conjoint' }`, `{ key: 'smtp' }`). */
export type RowKey = Record<string, string | number>

export const STALE_VERSION = 'stale_version'

function where(key: RowKey): { sql: string; values: (string | number)[] } {
  const cols = Object.keys(key)
  // Column names come from code, never from input; refuse anything else loudly.
  if (!cols.length || cols.some((c) => !/^[a-z_]+$/.test(c))) throw new Error(`bad row key ${JSON.stringify(key)}`)
  return { sql: cols.map((c) => `${c} = ?`).join(' AND '), values: cols.map((c) => key[c]) }
}

const db = (m: EntityManager) => rawDatabase(m.connection)

/** « à 14:32 » the same day in Paris, « le 03/09/2026 à 14:32 » otherwise. */
function when(at: string, now: Date): string {
  const d = new Date(at)
  const time = format(new TZDate(d, PARIS), 'HH:mm')
  return parisDay(d) === parisDay(now) ? `à ${time}` : `le ${format(new TZDate(d, PARIS), 'dd/MM/yyyy')} à ${time}`
}

/** « Ce tarif a été modifié par Claire Directrice à 14:32 depuis que vous l’avez ouvert. » */
export function staleMessage(table: VersionedTable, by: string, at: string | null, now: Date, deleted = false): string {
  const [subject, g] = RECORDS[table]
  const plural = g.endsWith('p')
  const agree = (g.startsWith('f') ? 'e' : '') + (plural ? 's' : '')
  const who = by ? ` par ${by}` : ''
  const time = at ? ` ${when(at, now)}` : ''
  const verb = deleted ? 'supprimé' : 'modifié'
  return `${subject} ${plural ? 'ont' : 'a'} été ${verb}${agree}${deleted ? '' : who + time} depuis que vous ${plural ? 'les ' : 'l’'}avez ouvert${agree}.`
}

/** The version a screen gets with a record; 0 when the row does not exist yet (a section never filled in). */
export function versionOf(m: EntityManager, table: VersionedTable, key: RowKey): number {
  const w = where(key)
  const row = stmt(db(m), `SELECT version FROM ${table} WHERE ${w.sql}`).get(...w.values) as { version: number } | undefined
  return row?.version ?? 0
}

/**
 * Compare-and-set: bumps the row's version if it still is `expected` and
 * stamps who and when; otherwise throws the 409 that names the last change.
 * Returns the new version. The row must exist (create it first on a first
 * save: rows are created at version 0).
 */
export function claimVersion(m: EntityManager, table: VersionedTable, key: RowKey, expected: number | undefined, actor: Actor, at: Date): number {
  if (expected === undefined) {
    throw new DomainError('version_required', 'Cet enregistrement ne dit pas quelle version il remplace : rechargez la page puis recommencez.', 400)
  }
  const w = where(key)
  const bumped = stmt(db(m), `UPDATE ${table} SET version = version + 1, version_by = ?, version_at = ? WHERE ${w.sql} AND version = ? RETURNING version`).get(
    actor.label,
    at.toISOString(),
    ...w.values,
    expected
  ) as { version: number } | undefined
  if (bumped) return bumped.version
  const row = stmt(db(m), `SELECT version, version_by AS versionBy, version_at AS versionAt FROM ${table} WHERE ${w.sql}`).get(...w.values) as
    | { version: number; versionBy: string; versionAt: string | null }
    | undefined
  if (!row && expected === 0) throw new Error(`claimVersion: no ${table} row ${JSON.stringify(key)} (create it before claiming)`)
  throw new DomainError(STALE_VERSION, row ? staleMessage(table, row.versionBy, row.versionAt, at) : staleMessage(table, '', null, at, true), 409)
}

/** Bumps without a check (a change not made from a loaded copy): copies loaded before are stale from now on. Any number of rows. */
export function bumpVersion(m: EntityManager, table: VersionedTable, key: RowKey, actor: Actor, at: Date): void {
  const w = where(key)
  stmt(db(m), `UPDATE ${table} SET version = version + 1, version_by = ?, version_at = ? WHERE ${w.sql}`).run(actor.label, at.toISOString(), ...w.values)
}
