import type { EntityManager } from 'typeorm'
import type { Audience } from '@shared/contract/family-file-shapes'
import { upperName } from '@shared/names'
import { DomainError, notFound } from '../core/errors'
import { Child } from './entities'
import { childHouseholds } from './households'

/**
 * A kind of group other modules can offer as an audience (e.g. "families
 * with a child enrolled in activity X", registered by the activities module):
 * `list` feeds the back-office picker, `resolve` gives the family ids.
 */
export interface AudienceGroupProvider {
  label: string
  list(m: EntityManager): Promise<{ id: number; label: string }[]>
  resolve(m: EntityManager, groupId: number): Promise<number[]>
}

export const audienceGroups: Record<string, AudienceGroupProvider> = {}

/** Lets another module add a group kind (one call at import time). */
export function registerAudienceGroup(kind: string, provider: AudienceGroupProvider): void {
  audienceGroups[kind] = provider
}

/**
 * Active families an audience reaches, sorted, without duplicates. A shared child's two households are both
 * reached (issue 16); each gets its own copy, so neither sees the other's address.
 */
export async function resolveAudience(m: EntityManager, a: Audience): Promise<number[]> {
  let rows: { id: number }[]
  switch (a.kind) {
    case 'all':
      rows = await m.query(`SELECT id FROM family WHERE status = 'active' ORDER BY id`)
      break
    case 'families': {
      const ids = [...new Set(a.familyIds)]
      rows = []
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500)
        rows.push(...(await m.query(`SELECT id FROM family WHERE status = 'active' AND id IN (${chunk.map(() => '?').join(',')})`, chunk)))
      }
      break
    }
    case 'school':
      rows = await m.query(
        `SELECT DISTINCT f.id FROM family f JOIN household_child hc ON hc.family_id = f.id JOIN child c ON c.id = hc.child_id
         WHERE f.status = 'active' AND c.school = ? AND (? = '' OR c.grade = ?) ORDER BY f.id`,
        [a.school, a.grade, a.grade]
      )
      break
    case 'birth-years':
      rows = await m.query(
        `SELECT DISTINCT f.id FROM family f JOIN household_child hc ON hc.family_id = f.id JOIN child c ON c.id = hc.child_id
         WHERE f.status = 'active' AND substr(c.birth_date, 1, 4) BETWEEN ? AND ? ORDER BY f.id`,
        [String(Math.min(a.from, a.to)), String(Math.max(a.from, a.to))]
      )
      break
    case 'child': {
      const [first, second] = childHouseholds(m, a.childId)
      if (!first) throw notFound('Enfant')
      if (a.households !== 'first' && !second) throw new DomainError('not_shared', 'Cet enfant n’a pas de second foyer.', 400)
      const ids = a.households === 'first' ? [first] : a.households === 'second' ? [second] : [first, second]
      rows = await m.query(`SELECT id FROM family WHERE status = 'active' AND id IN (${ids.map(() => '?').join(',')})`, ids)
      break
    }
    case 'group': {
      const p = audienceGroups[a.group]
      if (!p) throw new DomainError('bad_audience', 'Ce type de groupe n’est pas disponible.', 400)
      const ids = new Set(await p.resolve(m, a.groupId))
      const active: { id: number }[] = await m.query(`SELECT id FROM family WHERE status = 'active' ORDER BY id`)
      rows = active.filter((r) => ids.has(Number(r.id)))
      break
    }
  }
  return [...new Set(rows.map((r) => Number(r.id)))].sort((x, y) => x - y)
}

/** "Toutes les familles", "École Jules Ferry (CP)"… for lists. */
export async function audienceLabel(m: EntityManager, a: Audience): Promise<string> {
  switch (a.kind) {
    case 'all':
      return 'Toutes les familles'
    case 'families':
      return a.familyIds.length === 1 ? '1 famille choisie' : `${a.familyIds.length} familles choisies`
    case 'school':
      return a.grade ? `${a.school} (${a.grade})` : a.school
    case 'birth-years':
      return a.from === a.to ? `Enfants nés en ${a.from}` : `Enfants nés de ${Math.min(a.from, a.to)} à ${Math.max(a.from, a.to)}`
    case 'child': {
      const c = await m.findOneBy(Child, { id: a.childId })
      const who = a.households === 'first' ? 'Foyer 1' : a.households === 'second' ? 'Foyer 2' : 'Les deux foyers'
      return `${c ? `${c.firstName} ${upperName(c.lastName)}` : 'Enfant'} — ${who}`
    }
    case 'group': {
      const p = audienceGroups[a.group]
      const g = p ? (await p.list(m)).find((x) => x.id === a.groupId) : undefined
      return p ? `${p.label} : ${g?.label ?? `n° ${a.groupId}`}` : 'Groupe'
    }
  }
}

/** Schools and classes on file, for the audience picker. */
export async function audienceChoices(m: EntityManager) {
  const schools: { school: string; grade: string; n: number }[] = await m.query(
    `SELECT c.school AS school, c.grade AS grade, COUNT(DISTINCT f.id) AS n FROM child c JOIN household_child hc ON hc.child_id = c.id JOIN family f ON f.id = hc.family_id
     WHERE f.status = 'active' AND c.school <> '' GROUP BY c.school, c.grade ORDER BY c.school, c.grade`
  )
  const groups: { kind: string; label: string; items: { id: number; label: string }[] }[] = []
  for (const [kind, p] of Object.entries(audienceGroups)) groups.push({ kind, label: p.label, items: await p.list(m) })
  return { schools: schools.map((s) => ({ school: s.school, grade: s.grade, families: Number(s.n) })), groups }
}
