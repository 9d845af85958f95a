import type { EntityManager } from 'typeorm'
import type { FileSection } from '@shared/contract/family-file-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { dbOf, stmt } from '../bookings/sql'
import { Child, Family } from './entities'
import { familyDisplayName, refreshSearchText } from './families'

/**
 * Households (foyers, issue 16). A `family` row is a household; a child's
 * first household is `child.family_id`, and a separated parent's household
 * is linked as its second one (`child_household`). The child's own file
 * (identity, health, PAI, authorisations, pickup persons) is common to both;
 * everything of a household (people, money, messages, invoices) stays its own.
 */

/** Ids of the children a household has, first-household children first (then by birth date). */
export function householdChildIds(m: EntityManager, familyId: number): number[] {
  const rows = stmt(
    dbOf(m),
    `SELECT hc.child_id AS id FROM household_child hc JOIN child c ON c.id = hc.child_id WHERE hc.family_id = ? ORDER BY c.birth_date, c.id`
  ).all(familyId) as { id: number }[]
  return rows.map((r) => r.id)
}

/** The households of a child: its first one, then its second one if any. Empty for a missing child. */
export function childHouseholds(m: EntityManager, childId: number): number[] {
  const rows = stmt(dbOf(m), `SELECT family_id AS familyId FROM household_child WHERE child_id = ? ORDER BY first DESC`).all(childId) as { familyId: number }[]
  return rows.map((r) => r.familyId)
}

export function childInHousehold(m: EntityManager, childId: number, familyId: number): boolean {
  return childHouseholds(m, childId).includes(familyId)
}

export interface HouseholdLabel {
  familyId: number
  number: number
  name: string
}

async function householdLabel(m: EntityManager, familyId: number): Promise<HouseholdLabel> {
  const f = await m.findOneByOrFail(Family, { id: familyId })
  return { familyId, number: f.number, name: await familyDisplayName(m, familyId) }
}

/** Both households of a child as staff see them (never shown to a family). */
export async function childHouseholdLabels(m: EntityManager, childId: number): Promise<{ first: HouseholdLabel; second: HouseholdLabel | null } | null> {
  const [first, second] = childHouseholds(m, childId)
  if (!first) return null
  return { first: await householdLabel(m, first), second: second ? await householdLabel(m, second) : null }
}

export async function familyIdByNumber(m: EntityManager, number: number): Promise<number> {
  const f = await m.findOneBy(Family, { number })
  if (!f) throw new DomainError('not_found', `Aucun foyer ne porte le N° famille ${number}.`, 404, { familyNumber: 'N° famille inconnu.' })
  return f.id
}

/** Links a child to an existing household as its second one (the other parent's foyer). */
export async function linkSecondHousehold(core: Core, actor: Actor, childId: number, familyId: number): Promise<void> {
  await core.tx.run(async (m) => {
    const child = await m.findOneBy(Child, { id: childId })
    if (!child) throw notFound('Enfant')
    const family = await m.findOneBy(Family, { id: familyId })
    if (!family) throw notFound('Foyer')
    if (family.status !== 'active') throw new DomainError('household_inactive', 'Ce foyer n’est pas actif : validez-le avant d’y rattacher l’enfant.', 409)
    if (child.familyId === familyId) throw new DomainError('household_same', 'L’enfant appartient déjà à ce foyer.', 409)
    const existing = childHouseholds(m, childId)[1]
    if (existing) {
      const other = await householdLabel(m, existing)
      throw new DomainError('household_taken', `L’enfant est déjà rattaché à un second foyer (N° ${other.number}, ${other.name}) : détachez-le d’abord.`, 409)
    }
    stmt(dbOf(m), 'INSERT INTO child_household (child_id, family_id, created_at, created_by) VALUES (?, ?, ?, ?)').run(
      childId,
      familyId,
      core.clock.now().toISOString(),
      actor.kind === 'staff' ? actor.id : null
    )
    // The second household's search finds the child too.
    await refreshSearchText(m, familyId)
    await audit(m, actor, core.clock.now(), { action: 'child-household-link', entity: 'child', entityId: childId, after: { secondFamilyId: familyId, familyNumber: family.number } })
  })
}

/** Detaches the child from its second household; its bookings and invoices there stay as they are. */
export async function unlinkSecondHousehold(core: Core, actor: Actor, childId: number): Promise<void> {
  await core.tx.run(async (m) => {
    const second = childHouseholds(m, childId)[1]
    if (!second) throw notFound('Second foyer')
    stmt(dbOf(m), 'DELETE FROM child_household WHERE child_id = ?').run(childId)
    // A calendar names both households: it goes with the link (audited below), so a new link starts with no rule.
    const rule = stmt(dbOf(m), 'SELECT kind, odd_weeks_family_id, weekdays, holidays, first_half_family_id FROM custody_rule WHERE child_id = ?').get(childId) ?? null
    stmt(dbOf(m), 'DELETE FROM custody_exception WHERE child_id = ?').run(childId)
    stmt(dbOf(m), 'DELETE FROM custody_rule WHERE child_id = ?').run(childId)
    // So does the billing split: one household cannot share a child's bills (bookings already billed keep their shares).
    const split = stmt(dbOf(m), 'SELECT mode, first_share_bp AS firstShareBp, from_day AS fromDay FROM child_billing_split WHERE child_id = ?').get(childId) ?? null
    stmt(dbOf(m), 'DELETE FROM child_billing_split WHERE child_id = ?').run(childId)
    stmt(dbOf(m), 'DELETE FROM child_billing_split_period WHERE child_id = ?').run(childId)
    await refreshSearchText(m, second)
    await audit(m, actor, core.clock.now(), { action: 'child-household-unlink', entity: 'child', entityId: childId, before: { secondFamilyId: second, custodyRule: rule, billingSplit: split } })
  })
}

/**
 * The common file's changes the other household asked for and staff accepted
 * (the last five): the file's household sees « modification demandée par
 * l'autre foyer », with the section and the day, never the request itself.
 */
export function otherHouseholdChanges(m: EntityManager, childId: number, familyId: number): { section: FileSection; decidedAt: string }[] {
  return stmt(
    dbOf(m),
    `SELECT json_extract(payload, '$.section') AS section, decided_at AS decidedAt FROM request
      WHERE type = 'file-change' AND status = 'accepted' AND family_id <> ? AND json_extract(payload, '$.childId') = ?
      ORDER BY decided_at DESC, id DESC LIMIT 5`
  ).all(familyId, childId) as { section: FileSection; decidedAt: string }[]
}

