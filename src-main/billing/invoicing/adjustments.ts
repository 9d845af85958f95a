import type { EntityManager } from 'typeorm'
import type { Actor } from '../../core/actor'
import type { Core } from '../../core/app-core'
import { DomainError, notFound } from '../../core/errors'
import { audit } from '../../audit/audit'
import { Child, Family } from '../../families/entities'
import { BillingAdjustment } from '../entities'
import { getRegie } from '../regies'

/**
 * A manual line for a family (régularisation, remise, frais…), positive or
 * negative, billed by the next run of its régie for that month or later.
 */
export async function createAdjustment(
  core: Core,
  actor: Extract<Actor, { kind: 'staff' }>,
  input: AdjustmentInput
): Promise<number> {
  return core.tx.run(async (m) => {
    await getRegie(m, input.regieId)
    if (!(await m.findOneBy(Family, { id: input.familyId }))) throw notFound('Famille')
    if (input.childId) {
      const c = await m.findOneBy(Child, { id: input.childId })
      if (!c || c.familyId !== input.familyId) throw new DomainError('invalid_input', 'Cet enfant n’appartient pas à cette famille.', 400, { childId: 'autre famille' })
    }
    return (await saveAdjustment(m, actor, core.clock.now(), input)).id
  })
}

export interface AdjustmentInput {
  regieId: number
  familyId: number
  childId: number | null
  month: string
  label: string
  amountCents: number
}

/**
 * Writes one adjustment (not yet on an invoice) and its 'adjustment-create'
 * audit row in the caller's transaction. `auditExtra` adds why it exists
 * (a closure's credit names the invoice line it gives back).
 */
export async function saveAdjustment(m: EntityManager, actor: Actor, now: Date, input: AdjustmentInput, auditExtra: Record<string, unknown> = {}): Promise<BillingAdjustment> {
  const a = await m.save(
    BillingAdjustment,
    Object.assign(new BillingAdjustment(), { ...input, invoiceId: null, createdBy: actor.kind === 'staff' ? actor.id : null, createdAt: now.toISOString() })
  )
  await audit(m, actor, now, { action: 'adjustment-create', entity: 'billing_adjustment', entityId: a.id, after: { ...a, ...auditExtra } })
  return a
}
