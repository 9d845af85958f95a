import type { SystemHealthDto } from '@shared/contract/staff-system'
import type { Core } from '../core/app-core'
import { assessHealth } from './health-checks'
import { gatherHealth } from './health-facts'

/** « État du système »: the measures and, for each, its level and what to do. */
export async function systemHealth(core: Core): Promise<SystemHealthDto> {
  const facts = await gatherHealth(core)
  return { ...facts, checks: assessHealth(facts) }
}
