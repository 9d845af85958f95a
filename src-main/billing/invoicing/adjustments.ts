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
  input: { regieId: number; familyId: number; childId: number | null; month: string; label: string; amountCents: number }
): Promise<number> {
  return core.tx.run(async (m) => {
    await getRegie(m, input.regieId)
    if (!(await m.findOneBy(Family, { id: input.familyId }))) throw notFound('Famille')
    if (input.childId) {
      const c = await m.findOneBy(Child, { id: input.childId })
      if (!c || c.familyId !== input.familyId) throw new DomainError('invalid_input', 'Cet enfant n’appartient pas à cette famille.', 400, { childId: 'autre famille' })
    }
    const a = await m.save(
      BillingAdjustment,
      Object.assign(new BillingAdjustment(), { ...input, invoiceId: null, createdBy: actor.id, createdAt: core.clock.now().toISOString() })
    )
    await audit(m, actor, core.clock.now(), { action: 'adjustment-create', entity: 'billing_adjustment', entityId: a.id, after: a })
    return a.id
  })
}
