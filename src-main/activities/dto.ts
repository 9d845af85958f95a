import type { EntityManager } from 'typeorm'
import { In } from 'typeorm'
import { ActivityGroup, Unit, UnitExclusion } from './entities'

export function splitLevels(levels: string): string[] {
  return levels
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean)
}

export async function unitExclusions(m: EntityManager, unitIds: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(unitIds.map((u) => [u, []]))
  if (!unitIds.length) return out
  for (const e of await m.findBy(UnitExclusion, { unitId: In(unitIds) })) out.get(e.unitId)!.push(e.excludedUnitId)
  return out
}

export function groupDto(g: ActivityGroup) {
  return { ...g, levels: splitLevels(g.levels) }
}

export function unitDto(u: Unit, excludes: number[]) {
  return { ...u, excludes }
}
