import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { ImportCountsDto, ImportPreviewDto, ImportRequest } from '@shared/contract/imports-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { normalize } from '../core/text'
import { familyName, findDuplicates, repeatedChildren, type Duplicate } from './duplicates'
import type { ImportPlan, PlanActivity, PlanEnrolment, PlanFamily, PlanIssue } from './plan'
import { loadPlan } from './source'
import type { StoredUpload } from './uploads'

/** What an import writes once checked against the database: the families kept, their enrolments, and why others left. */
export interface Resolved {
  families: PlanFamily[]
  activities: PlanActivity[]
  enrolments: PlanEnrolment[]
  duplicates: Duplicate[]
  /** Problems found against the database (RUM already used…), on top of the plan's own. */
  issues: PlanIssue[]
}

/**
 * Checks a plan against the database, in the preview and again inside the
 * commit's transaction (the database may have changed in between): likely
 * duplicates (left out when asked), RUMs already used by another mandate.
 */
export function resolvePlan(db: Database.Database, plan: ImportPlan, skipDuplicates: boolean): Resolved {
  const duplicates = findDuplicates(db, plan)
  const skip = new Set(skipDuplicates ? duplicates.map((d) => d.key) : [])
  const families = plan.families.filter((f) => !skip.has(f.key))
  const issues: PlanIssue[] = []
  const rums = families.filter((f) => f.mandate).map((f) => f.mandate!.rum)
  const used = new Set<string>()
  for (let i = 0; i < rums.length; i += 500) {
    const part = rums.slice(i, i + 500)
    for (const r of db.prepare(`SELECT rum FROM sepa_mandate WHERE rum IN (${part.map(() => '?').join(',')})`).pluck().all(...part) as string[]) used.add(r)
  }
  const kept = families.map((f) => {
    if (!f.mandate || !used.has(f.mandate.rum)) return f
    issues.push({ row: f.row, ref: f.ref, message: `Mandat SEPA : la RUM ${f.mandate.rum} est déjà celle d’un mandat enregistré dans Ribambelle.`, effect: 'mandat non importé, gardé dans la note', level: 'refused' })
    return { ...f, mandate: null, notes: [...f.notes, `Mandat non repris : la RUM ${f.mandate.rum} existe déjà dans Ribambelle.`] }
  })
  const childKeys = new Set(kept.flatMap((f) => f.children.map((c) => c.key)))
  // An activity of the same name is already there (the same file imported twice): not created again.
  const existing = new Set((db.prepare('SELECT name FROM activity').pluck().all() as string[]).map(normalize))
  const activities = plan.activities.filter((a) => {
    if (!existing.has(normalize(a.name))) return true
    issues.push({ row: null, ref: `Activité « ${a.name} »`, message: 'Une activité de ce nom existe déjà dans Ribambelle.', effect: 'activité et ses inscriptions non importées', level: 'warning' })
    return !skipDuplicates
  })
  const activityKeys = new Set(activities.map((a) => a.key))
  return { families: kept, activities, enrolments: plan.enrolments.filter((e) => childKeys.has(e.childKey) && activityKeys.has(e.activityKey)), duplicates, issues }
}

export function countPlan(r: Resolved): ImportCountsDto {
  const fam = r.families
  return {
    families: fam.length,
    persons: fam.reduce((s, f) => s + (f.conjoint ? 2 : 1), 0),
    children: fam.reduce((s, f) => s + f.children.length, 0),
    pickups: fam.reduce((s, f) => s + f.children.reduce((t, c) => t + c.pickups.length, 0), 0),
    quotients: fam.filter((f) => f.caf?.quotient !== null && f.caf?.quotient !== undefined).length,
    healthFiles: fam.reduce((s, f) => s + f.children.filter((c) => c.health).length, 0),
    activities: r.activities.length,
    groups: r.activities.reduce((s, a) => s + a.groups.length, 0),
    units: r.activities.reduce((s, a) => s + a.units.length, 0),
    enrolments: r.enrolments.length,
    balances: fam.filter((f) => f.openingBalanceCents !== 0).length,
    balanceCents: fam.reduce((s, f) => s + f.openingBalanceCents, 0),
    mandates: fam.filter((f) => f.mandate).length,
    photos: fam.reduce((s, f) => s + f.children.filter((c) => c.photo).length, 0),
    notes: fam.filter((f) => f.notes.length > 0).length
  }
}

/**
 * The last plans read, so the commit that follows a preview does not read
 * the file again (a 20,000-family file takes seconds). Keyed by everything
 * that shapes the plan; a password is kept only as a hash.
 */
const cache = new WeakMap<Core, { key: string; value: { plan: ImportPlan; main: StoredUpload; photos: StoredUpload | null } }>()

function cacheKey(core: Core, actor: Actor, req: ImportRequest): string {
  const { password, ...rest } = req
  return JSON.stringify([actor.id, parisDay(core.clock.now()), rest, password ? createHash('sha256').update(password).digest('hex') : null])
}

export async function cachedPlan(core: Core, actor: Actor, req: ImportRequest) {
  const key = cacheKey(core, actor, req)
  const hit = cache.get(core)
  if (hit && hit.key === key) return hit.value
  cache.delete(core)
  const value = await loadPlan(core, actor, req)
  repeatedChildren(value.plan)
  cache.set(core, { key, value })
  return value
}

export function forgetCachedPlan(core: Core): void {
  cache.delete(core)
}

const MAX_ISSUES = 1000

export async function previewImport(core: Core, actor: Actor, req: ImportRequest): Promise<ImportPreviewDto> {
  const { plan, main } = await cachedPlan(core, actor, req)
  const r = await core.tx.read(async () => resolvePlan(core.db, plan, req.options.skipDuplicates))
  const issues = [...plan.issues, ...r.issues].sort((a, b) => (a.row ?? 0) - (b.row ?? 0))
  return {
    source: plan.source,
    fileName: main.upload.name,
    facts: plan.facts,
    counts: countPlan(r),
    mapping: plan.mapping,
    issues: issues.slice(0, MAX_ISSUES),
    issueCount: issues.length,
    refusedCount: issues.filter((i) => i.level === 'refused').length,
    duplicates: r.duplicates.map(({ key: _k, ...d }) => d),
    skipped: plan.skipped,
    sample: r.families.slice(0, 20).map((f) => ({ ref: f.ref, name: familyName(f), children: f.children.map((c) => `${c.firstName} ${c.lastName.toUpperCase()}`), city: f.city }))
  }
}
