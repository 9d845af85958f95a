import type { EntityManager } from 'typeorm'
import { In } from 'typeorm'
import { SCHOOL_LEVELS } from '@shared/contract/activities-shapes'
import type { Child } from '../families/entities'
import { ageOn } from '../calendar/days'
import { ActivityGroup, Capacity, Unit } from './entities'
import { splitLevels } from './dto'

type Level = (typeof SCHOOL_LEVELS)[number]

const SPELLED: Record<string, Level> = {
  TOUTEPETITESECTION: 'TPS',
  PETITESECTION: 'PS',
  MOYENNESECTION: 'MS',
  GRANDESECTION: 'GS',
  COURSPREPARATOIRE: 'CP',
  CE1: 'CE1',
  CE2: 'CE2',
  CM1: 'CM1',
  CM2: 'CM2'
}

/** "ce1", "Grande section", "G.S." → a level code, or null when the text is not a level. */
export function normalizeLevel(grade: string): Level | null {
  const g = grade
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
  if ((SCHOOL_LEVELS as readonly string[]).includes(g)) return g as Level
  return SPELLED[g] ?? null
}

/** Calendar year in which the school year of `day` began (September–August). */
export function schoolYearStart(day: string): number {
  const y = Number(day.slice(0, 4))
  return Number(day.slice(5, 7)) >= 8 ? y : y - 1
}

/**
 * The usual level for a birth year: in the school year starting in September
 * Y, children born in Y-3 are in petite section, Y-6 in CP, Y-10 in CM2.
 */
export function expectedLevel(birthDate: string, day: string): Level | null {
  const offset = schoolYearStart(day) - Number(birthDate.slice(0, 4))
  const byOffset: Record<number, Level> = { 2: 'TPS', 3: 'PS', 4: 'MS', 5: 'GS', 6: 'CP', 7: 'CE1', 8: 'CE2', 9: 'CM1', 10: 'CM2' }
  return byOffset[offset] ?? null
}

/** The child's level for a period: the grade on file if it reads as one, else the usual level for its age. */
export function childLevel(child: Pick<Child, 'grade' | 'birthDate'>, periodStart: string): Level | null {
  return normalizeLevel(child.grade) ?? expectedLevel(child.birthDate, periodStart)
}

/**
 * Whether a group takes a child for a period. Age is counted in whole years
 * on the period's first day; both bounds are inclusive. Returns a French
 * reason when not.
 */
export function groupRefusal(group: ActivityGroup, child: Pick<Child, 'grade' | 'birthDate' | 'firstName'>, periodStart: string): string | null {
  const age = ageOn(child.birthDate, periodStart)
  if (group.ageMin !== null && age < group.ageMin) return `${child.firstName} n’a pas l’âge minimum du groupe « ${group.name} » (${group.ageMin} ans).`
  if (group.ageMax !== null && age > group.ageMax) return `${child.firstName} dépasse l’âge maximum du groupe « ${group.name} » (${group.ageMax} ans).`
  const levels = splitLevels(group.levels)
  if (levels.length) {
    const level = childLevel(child, periodStart)
    if (!level || !levels.includes(level)) {
      return `Le groupe « ${group.name} » est réservé aux niveaux ${levels.join(', ')}${level ? ` (${child.firstName} : ${level})` : ''}.`
    }
  }
  return null
}

/**
 * Enrolment places of a group: its own `places` if set, else the smallest
 * default capacity of its units (a child may use any of them), else unlimited (null).
 */
export async function enrolmentCapacity(m: EntityManager, group: ActivityGroup): Promise<number | null> {
  if (group.places !== null) return group.places
  const units = await m.findBy(Unit, { activityId: group.activityId })
  if (!units.length) return null
  const caps = await m
    .createQueryBuilder(Capacity, 'c')
    .where('c.group_id = :g AND c.day IS NULL', { g: group.id })
    .andWhere({ unitId: In(units.map((u) => u.id)) })
    .getMany()
  return caps.length ? Math.min(...caps.map((c) => c.places)) : null
}
