import { parseRights, PORTAL_RIGHTS } from '@shared/portal-rights'
import { In, type EntityManager } from 'typeorm'
import type { z } from 'zod'
import type { childInput, FamilyDetailDto, FamilySummaryDto, personInput } from '@shared/contract/shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { notFound } from '../core/errors'
import { digits, normalize } from '../core/text'
import { nextNumber } from '../db/counter'
import { audit } from '../audit/audit'
import { PortalAccount } from '../accounts/entities'
import { pendingInvitations } from '../accounts/logins'
import { Child, Family, Person, type FamilyStatus, type PersonRole } from './entities'
import { householdChildIds } from './households'
import { personName, upperName } from '@shared/names'

export type PersonInput = z.output<typeof personInput>
export type ChildInput = z.output<typeof childInput>

export interface NewFamily {
  status: FamilyStatus
  responsable: PersonInput
  conjoint?: PersonInput | null
  address?: string
  postalCode?: string
  city?: string
  children?: ChildInput[]
}

/** Creates a family with its people and children, numbered from the "family" sequence. Call inside a transaction. */
export async function createFamily(m: EntityManager, core: Core, actor: Actor, input: NewFamily): Promise<Family> {
  const now = core.clock.now().toISOString()
  const number = await nextNumber(m, 'family', 1001)
  const family = await m.save(
    Family,
    Object.assign(new Family(), {
      number,
      status: input.status,
      address: input.address ?? input.responsable.address,
      postalCode: input.postalCode ?? input.responsable.postalCode,
      city: input.city ?? input.responsable.city,
      notes: '',
      searchText: '',
      createdAt: now,
      updatedAt: now
    })
  )
  const persons: [PersonRole, PersonInput][] = [['responsable', input.responsable]]
  if (input.conjoint) persons.push(['conjoint', input.conjoint])
  for (const [role, p] of persons) await m.insert(Person, { ...p, familyId: family.id, role })
  for (const c of input.children ?? []) await m.insert(Child, { ...c, familyId: family.id, createdAt: now })
  await refreshSearchText(m, family.id)
  await audit(m, actor, core.clock.now(), { action: 'family-create', entity: 'family', entityId: family.id, after: { ...input, number } })
  return family
}

/**
 * Rebuilds the family's search column from its people, children and accounts.
 * Search then is one LIKE over one column of one table, which stays fast at
 * commune scale (see bench/family-search).
 */
export async function refreshSearchText(m: EntityManager, familyId: number): Promise<void> {
  const family = await m.findOneByOrFail(Family, { id: familyId })
  const persons = await m.findBy(Person, { familyId })
  // A shared child is found from both of its households.
  const children = await m.findBy(Child, { id: In(householdChildIds(m, familyId)) })
  const accounts = await m.findBy(PortalAccount, { familyId })
  await m.update(Family, { id: familyId }, { searchText: familySearchText(family, persons, children, accounts.map((a) => a.login)) })
}

type SearchPerson = Pick<Person, 'lastName' | 'firstName' | 'email' | 'phoneMobile' | 'phoneHome' | 'phoneWork'>

/** The search column's value; the bulk import computes it the same way without reading the rows back. */
export function familySearchText(
  family: Pick<Family, 'number' | 'city'>,
  persons: readonly SearchPerson[],
  children: readonly Pick<Child, 'lastName' | 'firstName'>[],
  logins: readonly string[]
): string {
  const parts = [String(family.number), family.city]
  for (const p of persons) parts.push(normalize(`${p.lastName} ${p.firstName}`), normalize(p.email), digits(p.phoneMobile), digits(p.phoneHome), digits(p.phoneWork))
  for (const c of children) parts.push(normalize(`${c.lastName} ${c.firstName}`))
  for (const l of logins) parts.push(normalize(l))
  return `|${parts.filter(Boolean).map(normalize).join('|')}|`
}

export interface SearchInput {
  query: string
  status?: FamilyStatus
  limit: number
  offset: number
}

export async function searchFamilies(core: Core, input: SearchInput): Promise<{ total: number; items: FamilySummaryDto[] }> {
  const where: string[] = []
  const params: unknown[] = []
  if (input.status) {
    where.push('f.status = ?')
    params.push(input.status)
  } else {
    // Archived families (e.g. a registration merged into an existing file) only show when asked for.
    where.push("f.status IN ('active','pending')")
  }
  // Digit groups typed with spaces or dots ("06 12 34 56 78") are one phone number; then every word must match.
  const query = normalize(input.query).replace(/(\d)[\s.]+(?=\d)/g, '$1')
  for (const word of query.split(/\s+/).filter(Boolean).slice(0, 6)) {
    const d = digits(word)
    const w = d && /^[\d .+-]+$/.test(word) ? d : word
    where.push(`f.search_text LIKE ? ESCAPE '\\'`)
    params.push(`%${w.replace(/[\\%_]/g, (c) => '\\' + c)}%`)
  }
  const sqlWhere = where.join(' AND ')
  return core.tx.read(async (m) => {
    const [{ n }] = await m.query(`SELECT COUNT(*) AS n FROM family f WHERE ${sqlWhere}`, params)
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT f.id, f.number, f.status, f.city,
              p.last_name, p.first_name, p.email, p.phone_mobile, p.phone_home,
              (SELECT COUNT(*) FROM child c WHERE c.family_id = f.id) AS child_count
       FROM family f LEFT JOIN person p ON p.family_id = f.id AND p.role = 'responsable'
       WHERE ${sqlWhere}
       ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, f.number
       LIMIT ? OFFSET ?`,
      [...params, input.limit, input.offset]
    )
    return {
      total: Number(n),
      items: rows.map((r) => ({
        id: Number(r.id),
        number: Number(r.number),
        status: r.status as FamilyStatus,
        name: upperName(String(r.last_name ?? '')),
        responsable: personName(String(r.last_name ?? ''), String(r.first_name ?? '')),
        email: String(r.email ?? ''),
        phone: String(r.phone_mobile || r.phone_home || ''),
        city: String(r.city ?? ''),
        childCount: Number(r.child_count)
      }))
    }
  })
}

export async function getFamilyDetail(core: Core, familyId: number): Promise<FamilyDetailDto> {
  return core.tx.read(async (m) => {
    const f = await m.findOneBy(Family, { id: familyId })
    if (!f) throw notFound('Famille')
    const persons = await m.find(Person, { where: { familyId }, order: { role: 'DESC' } })
    const children = await m.find(Child, { where: { familyId }, order: { birthDate: 'ASC' } })
    const accounts = await m.find(PortalAccount, { where: { familyId }, order: { id: 'ASC' } })
    return {
      id: f.id,
      number: f.number,
      status: f.status,
      address: f.address,
      postalCode: f.postalCode,
      city: f.city,
      notes: f.notes,
      createdAt: f.createdAt,
      persons: persons.map((p) => ({ ...p })),
      children: children.map(({ createdAt: _c, ...c }) => c),
      accounts: accounts.map((a) => ({
        id: a.id,
        login: a.login,
        status: a.status,
        mustChangePassword: a.mustChangePassword,
        createdAt: a.createdAt,
        validatedAt: a.validatedAt,
        lastLoginAt: a.lastLoginAt,
        // One login per adult (issue 16): whose it is and what the main responsable allowed it.
        holder: a.firstName || a.lastName ? personName(a.lastName, a.firstName) : '',
        main: a.main,
        rights: a.main ? [...PORTAL_RIGHTS] : parseRights(a.rights)
      })),
      invitations: await pendingInvitations(m, familyId, core.clock.now().toISOString())
    }
  })
}

/** "DUPONT Marie" for the responsable of a family. */
export async function familyDisplayName(m: EntityManager, familyId: number): Promise<string> {
  const p = await m.findOneBy(Person, { familyId, role: 'responsable' })
  return p ? personName(p.lastName, p.firstName) : `Famille ${familyId}`
}
