import type Database from 'better-sqlite3'
import type { ImportBatchDetailDto, ImportBatchDto } from '@shared/contract/imports-shapes'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { backupNow } from '../backups/backup-now'
import { dbOf } from '../bookings/sql'
import { unlinkAfterCommit } from '../documents/storage'
import type { StaffActor } from '../rpc/types'
import { inviteStatus, PASSWORD_CHOSEN } from './invite'

interface BatchRow {
  id: number
  source: ImportBatchDto['source']
  file_name: string
  file_size: number
  counts: string
  status: ImportBatchDto['status']
  created_by_label: string
  created_at: string
  undone_by_label: string | null
  undone_at: string | null
  backup_name: string
}

function dto(r: BatchRow): ImportBatchDto {
  return {
    id: r.id,
    source: r.source,
    fileName: r.file_name,
    fileSize: r.file_size,
    counts: JSON.parse(r.counts),
    status: r.status,
    createdBy: r.created_by_label,
    createdAt: r.created_at,
    undoneBy: r.undone_by_label,
    undoneAt: r.undone_at,
    backupName: r.backup_name
  }
}

export async function listBatches(core: Core): Promise<ImportBatchDto[]> {
  return core.tx.read(async (m) => (dbOf(m).prepare('SELECT * FROM import_batch ORDER BY id DESC').all() as BatchRow[]).map(dto))
}

function batchRow(db: Database.Database, batchId: number): BatchRow {
  const r = db.prepare('SELECT * FROM import_batch WHERE id = ?').get(batchId) as BatchRow | undefined
  if (!r) throw notFound('Lot d’import')
  return r
}

const ITEMS = (kind: string) => `SELECT item_id FROM import_item WHERE batch_id = @batch AND kind = '${kind}'`
const FAMILIES = ITEMS('family')
const CHILDREN = `SELECT id FROM child WHERE family_id IN (${FAMILIES})`
const ACTIVITIES = ITEMS('activity')

/**
 * What has been built on a batch since it was imported, and so stops its
 * undo: each a count with what the screen says. Every query reads the
 * batch's own items, so another batch's families never block this one.
 */
const BLOCKERS: { label: (n: number) => string; sql: string }[] = [
  {
    label: (n) => `${n} réservation${n > 1 ? 's' : ''} ou présence${n > 1 ? 's' : ''}`,
    sql: `SELECT COUNT(*) FROM booking WHERE child_id IN (${CHILDREN}) OR unit_id IN (SELECT id FROM unit WHERE activity_id IN (${ACTIVITIES}))`
  },
  { label: (n) => `${n} facture${n > 1 ? 's' : ''}`, sql: `SELECT COUNT(*) FROM invoice WHERE family_id IN (${FAMILIES})` },
  { label: (n) => `${n} règlement${n > 1 ? 's' : ''}`, sql: `SELECT (SELECT COUNT(*) FROM payment WHERE family_id IN (${FAMILIES})) + (SELECT COUNT(*) FROM online_payment WHERE family_id IN (${FAMILIES}))` },
  { label: (n) => `${n} demande${n > 1 ? 's' : ''} validée${n > 1 ? 's' : ''}`, sql: `SELECT COUNT(*) FROM request WHERE family_id IN (${FAMILIES}) AND status = 'accepted'` },
  { label: (n) => `${n} demande${n > 1 ? 's' : ''} en attente ou refusée${n > 1 ? 's' : ''}`, sql: `SELECT COUNT(*) FROM request WHERE family_id IN (${FAMILIES}) AND status <> 'accepted'` },
  {
    label: (n) => `${n} inscription${n > 1 ? 's' : ''} faite${n > 1 ? 's' : ''} depuis l’import`,
    sql: `SELECT COUNT(*) FROM enrolment WHERE (child_id IN (${CHILDREN}) OR activity_id IN (${ACTIVITIES})) AND id NOT IN (${ITEMS('enrolment')})`
  },
  { label: (n) => `${n} conversation${n > 1 ? 's' : ''} de la messagerie`, sql: `SELECT COUNT(*) FROM message_thread WHERE family_id IN (${FAMILIES})` },
  { label: (n) => `${n} document${n > 1 ? 's' : ''} ajouté${n > 1 ? 's' : ''} depuis`, sql: `SELECT COUNT(*) FROM family_document WHERE family_id IN (${FAMILIES}) AND file_id NOT IN (${ITEMS('stored_file')})` },
  {
    label: (n) => `${n} famille${n > 1 ? 's' : ''} déjà connectée${n > 1 ? 's' : ''} au portail`,
    sql: `SELECT COUNT(*) FROM portal_account a WHERE a.family_id IN (${FAMILIES})
            AND (a.last_login_at IS NOT NULL OR a.id NOT IN (${ITEMS('portal_account')})
                 OR ${PASSWORD_CHOSEN})`
  },
  { label: (n) => `${n} écriture${n > 1 ? 's' : ''} de facturation ajoutée${n > 1 ? 's' : ''} depuis`, sql: `SELECT COUNT(*) FROM billing_adjustment WHERE family_id IN (${FAMILIES}) AND (id NOT IN (${ITEMS('adjustment')}) OR invoice_id IS NOT NULL)` },
  { label: (n) => `${n} mandat${n > 1 ? 's' : ''} SEPA ajouté${n > 1 ? 's' : ''} ou utilisé${n > 1 ? 's' : ''}`, sql: `SELECT COUNT(*) FROM sepa_mandate WHERE family_id IN (${FAMILIES}) AND (id NOT IN (${ITEMS('mandate')}) OR last_collection_on IS NOT NULL)` },
  { label: (n) => `${n} tarif${n > 1 ? 's' : ''} créé${n > 1 ? 's' : ''} sur les activités importées`, sql: `SELECT COUNT(*) FROM tariff WHERE activity_id IN (${ACTIVITIES}) OR unit_id IN (SELECT id FROM unit WHERE activity_id IN (${ACTIVITIES}))` }
]

export function undoBlockers(db: Database.Database, batchId: number): { label: string; count: number }[] {
  const out: { label: string; count: number }[] = []
  for (const b of BLOCKERS) {
    const n = Number(db.prepare(b.sql).pluck().get({ batch: batchId }))
    if (n > 0) out.push({ label: b.label(n), count: n })
  }
  return out
}

export async function getBatch(core: Core, batchId: number): Promise<ImportBatchDetailDto> {
  return core.tx.read(async (m) => {
    const db = dbOf(m)
    const row = batchRow(db, batchId)
    return { ...dto(row), blockers: row.status === 'committed' ? undoBlockers(db, batchId) : [], invitations: inviteStatus(db, batchId) }
  })
}

/**
 * Undoes a batch: removes every row it created (families with their people,
 * children, health files, enrolments, accounts; activities; mandates;
 * opening entries; photos), in one transaction after a verified backup,
 * unless something was built on it since (then nothing moves and the
 * message says what blocks). One audit row for the whole batch.
 */
export async function undoBatch(core: Core, actor: StaffActor, batchId: number): Promise<ImportBatchDto> {
  const first = await core.tx.read(async (m) => {
    const db = dbOf(m)
    const row = batchRow(db, batchId)
    return { row, blockers: row.status === 'committed' ? undoBlockers(db, batchId) : [] }
  })
  if (first.row.status !== 'committed') throw new DomainError('already_undone', `Le lot n° ${batchId} a déjà été annulé.`, 409)
  if (first.blockers.length) throw blocked(batchId, first.blockers)
  const backup = await backupNow(core, 'annulation-import')
  const row = await core.tx.run(async (m) => {
    const db = dbOf(m)
    const current = batchRow(db, batchId)
    if (current.status !== 'committed') throw new DomainError('already_undone', `Le lot n° ${batchId} a déjà été annulé.`, 409)
    // Checked again inside the transaction: a reservation made since the first look still blocks.
    const blockers = undoBlockers(db, batchId)
    if (blockers.length) throw blocked(batchId, blockers)
    const p = { batch: batchId }
    const files = db.prepare(`SELECT storage_name FROM stored_file WHERE id IN (${ITEMS('stored_file')})`).pluck().all(p) as string[]
    const run = (sql: string) => db.prepare(sql).run(p).changes
    // Invitations not sent yet are not sent at all; accounts go with their sessions and links.
    run(`DELETE FROM outbox_mail WHERE status <> 'sent' AND id IN (SELECT outbox_id FROM import_invitation WHERE batch_id = @batch)`)
    run(`DELETE FROM session WHERE kind = 'portal' AND user_id IN (${ITEMS('portal_account')})`)
    run(`DELETE FROM password_token WHERE kind = 'portal' AND user_id IN (${ITEMS('portal_account')})`)
    run(`DELETE FROM login_known_address WHERE kind = 'portal' AND user_id IN (${ITEMS('portal_account')})`)
    run(`DELETE FROM portal_account WHERE id IN (${ITEMS('portal_account')})`)
    run(`DELETE FROM billing_adjustment WHERE id IN (${ITEMS('adjustment')})`)
    run(`DELETE FROM sepa_mandate WHERE id IN (${ITEMS('mandate')})`)
    run(`DELETE FROM family_document WHERE file_id IN (${ITEMS('stored_file')})`)
    run(`DELETE FROM stored_file WHERE id IN (${ITEMS('stored_file')})`)
    run(`DELETE FROM enrolment WHERE id IN (${ITEMS('enrolment')})`)
    const families = run(`DELETE FROM family WHERE id IN (${FAMILIES})`)
    const activities = run(`DELETE FROM activity WHERE id IN (${ACTIVITIES})`)
    run(`DELETE FROM activity_type WHERE id IN (${ITEMS('activity_type')})`)
    run(`DELETE FROM facility WHERE id IN (${ITEMS('facility')})`)
    run(`DELETE FROM import_invitation WHERE batch_id = @batch`)
    run(`DELETE FROM import_item WHERE batch_id = @batch`)
    const now = core.clock.now()
    db.prepare(`UPDATE import_batch SET status = 'undone', undone_by = ?, undone_by_label = ?, undone_at = ? WHERE id = ?`).run(actor.id, actor.label, now.toISOString(), batchId)
    await audit(m, actor, now, { action: 'import-undo', entity: 'import_batch', entityId: batchId, after: { fileName: current.file_name, families, activities, backup: backup.name } })
    unlinkAfterCommit(core, files)
    return batchRow(db, batchId)
  })
  return dto(row)
}

function blocked(batchId: number, blockers: { label: string }[]): DomainError {
  return new DomainError(
    'undo_blocked',
    `Le lot n° ${batchId} ne peut plus être annulé : depuis l’import, il y a ${blockers.map((b) => b.label).join(', ')}. Corrigez plutôt les fiches une par une.`,
    409
  )
}
