import type Database from 'better-sqlite3'
import { normalize } from '../core/text'
import { frDay } from './values'
import { personName, type ImportPlan, type PlanFamily } from './plan'

export interface Duplicate {
  ref: string
  name: string
  match: string
  familyId: number
  familyNumber: number
  familyName: string
  /** Key of the plan family. */
  key: string
}

const key = (last: string, first: string, birth: string) => `${normalize(last)}|${normalize(first)}|${birth}`

/**
 * Families of the plan that are probably already in Ribambelle: someone in
 * them (responsable, conjoint or child) has the same name, first name and
 * birth date as someone on file. People without a birth date are not
 * compared: a name alone matches too many real namesakes.
 */
export function findDuplicates(db: Database.Database, plan: ImportPlan): Duplicate[] {
  const known = new Map<string, number>()
  const rows = db
    .prepare(
      `SELECT last_name AS l, first_name AS f, birth_date AS b, family_id AS fid FROM person WHERE birth_date IS NOT NULL
       UNION ALL SELECT last_name, first_name, birth_date, family_id FROM child`
    )
    .raw()
    .all() as [string, string, string, number][]
  for (const [l, f, b, fid] of rows) {
    const k = key(l, f, b)
    if (!known.has(k)) known.set(k, fid)
  }
  if (!known.size) return []
  const names = new Map<number, { number: number; name: string }>()
  const familyOf = db.prepare(
    `SELECT f.number, COALESCE(p.last_name, '') AS lastName, COALESCE(p.first_name, '') AS firstName FROM family f LEFT JOIN person p ON p.family_id = f.id AND p.role = 'responsable' WHERE f.id = ?`
  )
  const out: Duplicate[] = []
  for (const fam of plan.families) {
    const hit = firstMatch(fam, known)
    if (!hit) continue
    if (!names.has(hit.familyId)) {
      // Upper-cased in JavaScript (French locale), never with SQLite's ASCII-only UPPER().
      const r = familyOf.get(hit.familyId) as { number: number; lastName: string; firstName: string }
      names.set(hit.familyId, { number: r.number, name: personName(r) })
    }
    const f = names.get(hit.familyId)!
    out.push({ ref: fam.ref, name: familyName(fam), match: hit.who, familyId: hit.familyId, familyNumber: f.number, familyName: f.name.trim(), key: fam.key })
  }
  return out
}

function firstMatch(fam: PlanFamily, known: Map<string, number>): { familyId: number; who: string } | null {
  const people: { lastName: string; firstName: string; birthDate: string | null; born: string }[] = [
    { ...fam.responsable, born: 'né(e) le' },
    ...(fam.conjoint ? [{ ...fam.conjoint, born: 'né(e) le' }] : []),
    ...fam.children.map((c) => ({ ...c, born: c.sex === 'F' ? 'née le' : c.sex === 'M' ? 'né le' : 'né(e) le' }))
  ]
  for (const p of people) {
    if (!p.birthDate) continue
    const id = known.get(key(p.lastName, p.firstName, p.birthDate))
    if (id !== undefined) return { familyId: id, who: `${personName(p)}, ${p.born} ${frDay(p.birthDate)}` }
  }
  return null
}

/** "MARTIN Pierre et Sophie", "MARTIN Pierre et DURAND Sophie" (as Noethys names a family). */
export function familyName(f: PlanFamily): string {
  const r = f.responsable
  const c = f.conjoint
  if (!c) return personName(r)
  return normalize(c.lastName) === normalize(r.lastName) ? `${personName(r)} et ${c.firstName}` : `${personName(r)} et ${personName(c)}`
}

/**
 * The same child twice in the file (two rows, or two families that are not
 * the same person's): worth a look before importing.
 */
export function repeatedChildren(plan: ImportPlan): void {
  const seen = new Map<string, PlanFamily>()
  for (const fam of plan.families) {
    for (const c of fam.children) {
      const k = key(c.lastName, c.firstName, c.birthDate)
      const other = seen.get(k)
      if (other && other !== fam) {
        plan.issues.push({
          row: fam.row,
          ref: fam.ref,
          message: `${personName(c)} (${frDay(c.birthDate)}) figure aussi dans ${other.ref}.`,
          effect: 'importé deux fois : vérifiez le fichier',
          level: 'warning'
        })
      } else seen.set(k, fam)
    }
  }
}
