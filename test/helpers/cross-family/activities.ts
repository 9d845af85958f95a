import { Child } from '../../../src-main/families/entities'
import { seedActivities, type ActivitiesFixture } from '../activities'
import type { CrossFamilyModule } from './types'

/**
 * Cross-family cases of #4 (enrolment). Written from its contract as it stood
 * when the generated suite was added; the activities module owns it.
 */
let fixture: ActivitiesFixture | null = null

export const module: CrossFamilyModule = {
  async seed(ctx, { family, portal }) {
    fixture ??= await seedActivities(ctx.core)
    const child = await ctx.core.tx.read((m) => m.findOneByOrFail(Child, { familyId: family.familyId }))
    await ctx.core.tx.run((m) => m.update(Child, { id: child.id }, { grade: 'CE2', school: 'École élémentaire' }))
    const r = await portal.call('enrolment-request', { childId: child.id, periodId: fixture.alae.periodId, groupId: fixture.alae.elementaire })
    if (r.status !== 200) throw new Error(`seed enrolment: ${r.status} ${JSON.stringify(r.body)}`)
    const list = (await portal.call('enrolment-list', {})).body as { id: number }[]
    return { enrolment: list[0].id }
  },
  cases: {
    'enrolment-catalog': (id) => ({ childId: id('childId') }),
    'enrolment-request': (id) => ({ childId: id('childId'), periodId: fixture!.alae.periodId, groupId: fixture!.alae.elementaire, siblingIds: [id('siblingIds')] }),
    'enrolment-attestation': (id) => ({ enrolmentId: id('enrolmentId') })
  }
}
