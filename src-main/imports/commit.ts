import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type Database from 'better-sqlite3'
import { fileTypeFromBuffer } from 'file-type'
import type { ImportCountsDto, ImportRequest } from '@shared/contract/imports-shapes'
import type { StaffActor } from '../rpc/types'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { DomainError } from '../core/errors'
import { audit } from '../audit/audit'
import { backupNow } from '../backups/backup-now'
import { dbOf } from '../bookings/sql'
import { reserveNumbers } from '../db/counter'
import { insertMany } from '../db/statements'
import { storageError } from '../db/storage-errors'
import { diskPath, unlinkStoredFiles } from '../documents/storage'
import { familySearchText } from '../families/families'
import type { ImportItemKind } from './entities'
import { cachedPlan, countPlan, forgetCachedPlan, resolvePlan } from './preview'
import type { ImportPlan, PlanActivity, PlanEnrolment, PlanFamily } from './plan'
import { rememberMapping } from './sheet/fields'
import { forgetUpload } from './uploads'
import { frDay } from './values'

const FAMILY = ['id', 'number', 'status', 'address', 'postal_code', 'city', 'notes', 'search_text', 'created_at', 'updated_at'] as const
const PERSON = ['family_id', 'role', 'civility', 'last_name', 'first_name', 'birth_date', 'quality', 'situation', 'address', 'postal_code', 'city', 'phone_mobile', 'phone_home', 'phone_work', 'email', 'profession', 'employer', 'employer_address', 'csp', 'consent_email', 'consent_sms'] as const
const CHILD = ['id', 'family_id', 'last_name', 'first_name', 'birth_date', 'sex', 'school', 'grade', 'created_at'] as const
const CHILD_FILE = ['child_id', 'allergies', 'allergy_notes', 'pai', 'diet_notes', 'meal_type', 'vaccines', 'doctor_name', 'doctor_phone', 'glasses', 'hearing_aid', 'health_notes', 'link_responsable', 'link_conjoint', 'updated_at'] as const
const PICKUP = ['child_id', 'name', 'relationship', 'phone', 'emergency', 'position'] as const
const CAF = ['family_id', 'allocataire_name', 'regime', 'allocataire_number', 'quotient', 'quotient_valid_until', 'updated_at'] as const
const MANDATE = ['id', 'family_id', 'rum', 'holder', 'iban', 'bic', 'signed_on', 'sequence_type', 'status', 'created_at', 'updated_at'] as const
const ADJUSTMENT = ['id', 'regie_id', 'family_id', 'month', 'label', 'amount_cents', 'created_by', 'created_at'] as const
const STORED_FILE = ['id', 'storage_name', 'name', 'mime', 'size', 'sha256', 'owner_family_id', 'uploaded_by_kind', 'uploaded_by_id', 'staged', 'created_at'] as const
const FAMILY_DOCUMENT = ['family_id', 'child_id', 'file_id', 'origin', 'doc_type', 'title', 'status', 'created_at', 'decided_at', 'decided_by'] as const
const ENROLMENT = ['id', 'child_id', 'activity_id', 'period_id', 'group_id', 'status', 'typical_week', 'memo', 'source', 'start_date', 'waiting_since', 'created_at', 'decided_at'] as const
const ITEM = ['batch_id', 'kind', 'item_id'] as const

/** Next free ids of AUTOINCREMENT tables: the import gives ids itself, so rows are linked without reading them back. */
function nextId(db: Database.Database, table: string): number {
  const seq = (db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(table) as number | undefined) ?? 0
  const max = (db.prepare(`SELECT MAX(id) FROM ${table}`).pluck().get() as number | null) ?? 0
  return Math.max(seq, max) + 1
}

export interface CommitHooks {
  /** Called inside the transaction after each table is written (a test stops the process there). */
  onProgress?(step: string): void
}

/** Writes photos under their storage names before the transaction; removed again if it fails. */
async function writePhotos(core: Core, families: PlanFamily[]): Promise<Map<object, { storageName: string; mime: string; sha256: string; size: number; ext: string }>> {
  const out = new Map<object, { storageName: string; mime: string; sha256: string; size: number; ext: string }>()
  for (const f of families) {
    for (const c of f.children) {
      if (!c.photo) continue
      const type = await fileTypeFromBuffer(c.photo)
      if (!type) continue
      const storageName = randomBytes(16).toString('hex')
      const path = diskPath(core, storageName)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, c.photo, { mode: 0o600, flag: 'wx' })
      out.set(c, { storageName, mime: type.mime, sha256: createHash('sha256').update(c.photo).digest('hex'), size: c.photo.length, ext: type.ext === 'jpg' ? 'jpg' : type.ext })
    }
  }
  return out
}

const bool = (b: boolean) => (b ? 1 : 0)

/** Families whose rows are built and written together. */
const COMMIT_CHUNK = 1000

/**
 * Commits an import: a verified backup first, then everything in one
 * transaction through multi-row INSERTs (20,000 families in seconds, where
 * createFamily one by one took minutes), one audit row for the batch, and an
 * `import_item` row for each top-level row created so the batch can be undone.
 */
export async function commitImport(core: Core, actor: StaffActor, req: ImportRequest, hooks: CommitHooks = {}): Promise<{ batchId: number; counts: ImportCountsDto }> {
  const { plan, main, photos } = await cachedPlan(core, actor, req)
  if (!plan.families.length && !plan.activities.length) {
    throw new DomainError('nothing_to_import', 'Rien à importer : aucune famille ni activité valable dans ce fichier (voir les lignes refusées).', 400)
  }
  const backup = await backupNow(core, 'avant-import')
  const photoFiles = await writePhotos(core, plan.families)
  let result: { batchId: number; counts: ImportCountsDto }
  try {
    result = await core.tx.run(async (m) => {
      const db = dbOf(m)
      const r = resolvePlan(db, plan, req.options.skipDuplicates)
      if (!r.families.length && !r.activities.length) {
        throw new DomainError('nothing_to_import', 'Rien à importer : toutes les familles du fichier semblent déjà être dans Ribambelle.', 409)
      }
      const counts = countPlan(r)
      const now = core.clock.now()
      const at = now.toISOString()
      const batchId = Number(
        db
          .prepare(`INSERT INTO import_batch (source, file_name, file_size, file_sha256, counts, backup_name, status, created_by, created_by_label, created_at) VALUES (?, ?, ?, ?, ?, ?, 'committed', ?, ?, ?)`)
          .run(plan.source, main.upload.name, main.upload.size, main.upload.sha256, JSON.stringify(counts), backup.name, actor.id, actor.label, at).lastInsertRowid
      )
      const items: [number, ImportItemKind, number][] = []
      const childIds = writeFamilies(db, actor, plan, r.families, { batchId, at, today: parisDay(now), photoFiles, items, fileName: main.upload.name }, hooks)
      writeActivities(db, r.activities, r.enrolments, childIds, { batchId, at, items }, hooks)
      insertMany(db, 'import_item', ITEM, items)
      if (plan.sheet) rememberMapping(db, plan.sheet.headers, plan.sheet.mapping, at)
      hooks.onProgress?.('items')
      await audit(m, actor, now, {
        action: 'import-commit',
        entity: 'import_batch',
        entityId: batchId,
        after: { source: plan.source, fileName: main.upload.name, fileSha256: main.upload.sha256, counts, backup: backup.name, skippedDuplicates: req.options.skipDuplicates ? r.duplicates.length : 0 }
      })
      return { batchId, counts }
    })
  } catch (e) {
    unlinkStoredFiles(core, [...photoFiles.values()].map((p) => p.storageName))
    // Storage faults get the app's one French message (« rien n’a été enregistré »), as every other write.
    throw storageError(e) ?? e
  }
  forgetCachedPlan(core)
  await forgetUpload(core, main.upload)
  if (photos) await forgetUpload(core, photos.upload)
  return result
}

interface WriteCtx {
  batchId: number
  at: string
  today: string
  fileName: string
  photoFiles: Map<object, { storageName: string; mime: string; sha256: string; size: number; ext: string }>
  items: [number, ImportItemKind, number][]
}

function writeFamilies(db: Database.Database, actor: StaffActor, plan: ImportPlan, families: PlanFamily[], ctx: WriteCtx, hooks: CommitHooks): Map<string, number> {
  const childIds = new Map<string, number>()
  if (!families.length) return childIds
  // The family numbers continue the "family" sequence (createFamily starts it at 1001).
  db.prepare(`INSERT INTO counter(name, value) VALUES ('family', 1000) ON CONFLICT(name) DO NOTHING`).run()
  const firstNumber = reserveNumbers(db, 'family', families.length)
  let familyId = nextId(db, 'family')
  let childId = nextId(db, 'child')
  let mandateId = nextId(db, 'sepa_mandate')
  let adjustmentId = nextId(db, 'billing_adjustment')
  let fileId = nextId(db, 'stored_file')
  const source = plan.source === 'noethys' ? 'Noethys' : `tableur ${plan.source.toUpperCase()}`
  const header = `Informations importées (${source}, fichier « ${ctx.fileName} », lot n° ${ctx.batchId}, le ${frDay(ctx.today)}) :`

  const regieId = families.some((f) => f.openingBalanceCents)
    ? (db.prepare('SELECT id FROM regie WHERE active = 1 ORDER BY is_default DESC, id LIMIT 1').pluck().get() as number | undefined)
    : undefined
  if (families.some((f) => f.openingBalanceCents) && !regieId) {
    throw new DomainError('no_regie', 'Pour reprendre les soldes, créez d’abord une régie (Facturation → Tarifs et régies), ou décochez l’option « Reprendre les soldes ».', 400)
  }
  const month = ctx.today.slice(0, 7)

  const secondHouseholds: [childKey: string, familyId: number][] = []
  // Rows are built and written a thousand families at a time: the whole file's rows are never held at once.
  for (let at = 0; at < families.length; at += COMMIT_CHUNK) {
    const rows = { family: [] as unknown[][], person: [] as unknown[][], child: [] as unknown[][], childFile: [] as unknown[][], pickup: [] as unknown[][], caf: [] as unknown[][], mandate: [] as unknown[][], adjustment: [] as unknown[][], file: [] as unknown[][], doc: [] as unknown[][] }
    families.slice(at, at + COMMIT_CHUNK).forEach((f, j) => {
      const i = at + j
      const id = familyId++
      const number = firstNumber + i
      const persons = f.conjoint ? [f.responsable, f.conjoint] : [f.responsable]
      const notes = f.notes.length ? `${header}\n${f.notes.map((n) => `- ${n}`).join('\n')}` : ''
      rows.family.push([id, number, f.status, f.address, f.postalCode, f.city, notes, familySearchText({ number, city: f.city }, persons, f.children, []), ctx.at, ctx.at])
      persons.forEach((p, k) =>
        rows.person.push([id, k === 0 ? 'responsable' : 'conjoint', p.civility, p.lastName, p.firstName, p.birthDate, p.quality, p.situation, p.address, p.postalCode, p.city, p.phoneMobile, p.phoneHome, p.phoneWork, p.email, p.profession, p.employer, p.employerAddress, p.csp, bool(p.consentEmail), bool(p.consentSms)])
      )
      for (const c of f.children) {
        const cid = childId++
        rows.child.push([cid, id, c.lastName, c.firstName, c.birthDate, c.sex, c.school, c.grade, ctx.at])
        childIds.set(c.key, cid)
        const h = c.health
        if (h || c.linkResponsable || c.linkConjoint) {
          rows.childFile.push([cid, bool(h?.allergies ?? false), h?.allergyNotes ?? '', bool(h?.pai ?? false), h?.dietNotes ?? '', h?.mealType ?? 'standard', JSON.stringify(h?.vaccines ?? []), h?.doctorName ?? '', h?.doctorPhone ?? '', bool(h?.glasses ?? false), bool(h?.hearingAid ?? false), h?.healthNotes ?? '', c.linkResponsable, c.linkConjoint, ctx.at])
        }
        c.pickups.forEach((p, position) => rows.pickup.push([cid, p.name, p.relationship, p.phone, bool(p.emergency), position]))
        const photo = ctx.photoFiles.get(c)
        if (photo) {
          const fid = fileId++
          rows.file.push([fid, photo.storageName, `photo-${c.firstName}.${photo.ext}`.replace(/[^\p{L}\p{N}._-]/gu, '_'), photo.mime, photo.size, photo.sha256, id, 'staff', actor.id, 0, ctx.at])
          rows.doc.push([id, cid, fid, 'staff', 'autre', `Photo de ${c.firstName} (reprise de Noethys)`, 'sent', ctx.at, ctx.at, actor.id])
          ctx.items.push([ctx.batchId, 'stored_file', fid])
        }
      }
      if (f.caf) rows.caf.push([id, f.caf.allocataireName, f.caf.regime, f.caf.allocataireNumber, f.caf.quotient, f.caf.quotientValidUntil, ctx.at])
      if (f.mandate) {
        const mid = mandateId++
        rows.mandate.push([mid, id, f.mandate.rum, f.mandate.holder, f.mandate.iban, f.mandate.bic, f.mandate.signedOn, f.mandate.sequenceType, 'active', ctx.at, ctx.at])
        ctx.items.push([ctx.batchId, 'mandate', mid])
      }
      if (f.openingBalanceCents) {
        const aid = adjustmentId++
        const label = f.openingBalanceCents > 0 ? 'Solde repris de l’ancien logiciel' : 'Avoir repris de l’ancien logiciel'
        rows.adjustment.push([aid, regieId, id, month, label, f.openingBalanceCents, actor.id, ctx.at])
        ctx.items.push([ctx.batchId, 'adjustment', aid])
      }
      for (const key of f.sharedChildKeys ?? []) secondHouseholds.push([key, id])
      ctx.items.push([ctx.batchId, 'family', id])
    })
    insertMany(db, 'family', FAMILY, rows.family)
    hooks.onProgress?.('family')
    insertMany(db, 'person', PERSON, rows.person)
    hooks.onProgress?.('person')
    insertMany(db, 'child', CHILD, rows.child)
    hooks.onProgress?.('child')
    insertMany(db, 'child_file', CHILD_FILE, rows.childFile)
    insertMany(db, 'pickup_person', PICKUP, rows.pickup)
    insertMany(db, 'family_caf', CAF, rows.caf)
    insertMany(db, 'sepa_mandate', MANDATE, rows.mandate)
    insertMany(db, 'billing_adjustment', ADJUSTMENT, rows.adjustment)
    insertMany(db, 'stored_file', STORED_FILE, rows.file)
    insertMany(db, 'family_document', FAMILY_DOCUMENT, rows.doc)
    hooks.onProgress?.('details')
  }
  // Separated parents (issue 16): once every child exists, the second households (undone with their family).
  insertMany(
    db,
    'child_household',
    ['child_id', 'family_id', 'created_at', 'created_by'],
    secondHouseholds.filter(([key]) => childIds.has(key)).map(([key, familyId]) => [childIds.get(key), familyId, ctx.at, actor.id])
  )
  return childIds
}

function writeActivities(
  db: Database.Database,
  activities: PlanActivity[],
  enrolments: PlanEnrolment[],
  childIds: Map<string, number>,
  ctx: { batchId: number; at: string; items: [number, ImportItemKind, number][] },
  hooks: CommitHooks
): void {
  if (!activities.length) return
  const facilityName = 'Importé de Noethys'
  const facilityId = Number(db.prepare('INSERT INTO facility (name, active, sort) VALUES (?, 1, 99)').run(facilityName).lastInsertRowid)
  ctx.items.push([ctx.batchId, 'facility', facilityId])
  const groupIds = new Map<string, number>()
  const periodIds = new Map<string, number>()
  const activityIds = new Map<string, number>()
  for (const a of activities) {
    const typeId = Number(db.prepare('INSERT INTO activity_type (facility_id, name, kind) VALUES (?, ?, ?)').run(facilityId, a.name, a.kind).lastInsertRowid)
    ctx.items.push([ctx.batchId, 'activity_type', typeId])
    const activityId = Number(
      db.prepare(`INSERT INTO activity (activity_type_id, name, opening_rule, validation, auto_book, typical_week, active, description) VALUES (?, ?, ?, 'staff', 0, 0, ?, ?)`).run(typeId, a.name, a.openingRule, bool(a.active), a.description).lastInsertRowid
    )
    ctx.items.push([ctx.batchId, 'activity', activityId])
    activityIds.set(a.key, activityId)
    const periodId = Number(
      db.prepare('INSERT INTO activity_period (activity_id, name, start_date, end_date, window_start, window_end) VALUES (?, ?, ?, ?, ?, ?)').run(activityId, `Du ${frDay(a.periodStart)} au ${frDay(a.periodEnd)}`, a.periodStart, a.periodEnd, a.periodStart, a.periodEnd).lastInsertRowid
    )
    periodIds.set(a.key, periodId)
    for (const g of a.groups) {
      groupIds.set(`${a.key}|${g.key}`, Number(db.prepare('INSERT INTO activity_group (activity_id, name, places) VALUES (?, ?, ?)').run(activityId, g.name, g.places).lastInsertRowid))
    }
    for (const u of a.units) {
      const unitId = Number(db.prepare('INSERT INTO unit (activity_id, name, start_time, end_time, sort) VALUES (?, ?, ?, ?, ?)').run(activityId, u.name, u.startTime, u.endTime, u.sort).lastInsertRowid)
      // Noethys' group capacity becomes each of its units' capacity (unites_groupes says which units a group uses).
      for (const g of a.groups) {
        if (g.places === null || (u.groupKeys.length && !u.groupKeys.includes(g.key))) continue
        db.prepare('INSERT INTO capacity (group_id, unit_id, places, day) VALUES (?, ?, ?, NULL)').run(groupIds.get(`${a.key}|${g.key}`), unitId, g.places)
      }
    }
  }
  hooks.onProgress?.('activities')
  if (!enrolments.length) return
  let enrolmentId = nextId(db, 'enrolment')
  const rows: unknown[][] = []
  for (const e of enrolments) {
    const childId = childIds.get(e.childKey)
    if (childId === undefined) continue
    const id = enrolmentId++
    rows.push([id, childId, activityIds.get(e.activityKey), periodIds.get(e.activityKey), groupIds.get(`${e.activityKey}|${e.groupKey}`), e.status, '[]', `Reprise de Noethys : ${e.ref}`, 'staff', e.startDate, e.status === 'waiting' ? ctx.at : null, ctx.at, ctx.at])
    ctx.items.push([ctx.batchId, 'enrolment', id])
  }
  insertMany(db, 'enrolment', ENROLMENT, rows)
  hooks.onProgress?.('enrolments')
}
