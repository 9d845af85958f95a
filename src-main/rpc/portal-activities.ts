import type { activitiesPortalProcedures } from '@shared/contract/portal-activities'
import { issueAttestation } from '../activities/attestation'
import { catalogFor } from '../activities/catalog'
import { requestEnrolment } from '../activities/enrolment'
import { listEnrolments } from '../activities/queries'
import { In } from 'typeorm'
import { Child } from '../families/entities'
import { householdChildIds } from '../families/households'
import { requireActor, type FamilyActor, type HandlersFor } from './types'

/** Portal handlers of issue #4. Ids in inputs were checked against the caller's family by the dispatcher (`owns`). */
export const activitiesPortalHandlers: HandlersFor<typeof activitiesPortalProcedures, FamilyActor | null> = {
  'enrolment-children': async (_i, ctx) => {
    const familyId = requireActor(ctx).familyId
    const rows = await ctx.core.tx.read((m) => m.find(Child, { where: { id: In(householdChildIds(m, familyId)) }, order: { birthDate: 'DESC', id: 'ASC' } }))
    return rows.map((c) => ({ id: c.id, firstName: c.firstName, lastName: c.lastName, birthDate: c.birthDate, grade: c.grade }))
  },
  'enrolment-catalog': (i, ctx) => catalogFor(ctx.core, i.childId),
  'enrolment-request': (i, ctx) => requestEnrolment(ctx.core, requireActor(ctx), i),
  'enrolment-list': async (_i, ctx) => {
    const familyId = requireActor(ctx).familyId
    return (await ctx.core.tx.read((m) => listEnrolments(m, { familyId, limit: 1000 }))).items
  },
  'enrolment-attestation': async (i, ctx) => {
    const r = await issueAttestation(ctx.core, requireActor(ctx), i.enrolmentId)
    return { documentId: r.documentId, fileName: r.fileName, pdfBase64: r.pdf.toString('base64') }
  }
}
