import { z } from '../zod-fr'
import { id } from './common'
import { proc, type ProcedureMap } from './procedure'
import { catalog, enrolment, enrolmentRequestResult, typicalWeek } from './activities-shapes'

/** What a family sees of an enrolment (no internal ids of other families, no staff-only fields). */
export const familyEnrolment = enrolment.pick({
  id: true,
  childId: true,
  childName: true,
  facilityName: true,
  activityName: true,
  activityKind: true,
  periodName: true,
  periodStart: true,
  periodEnd: true,
  groupName: true,
  status: true,
  rank: true,
  reason: true,
  memo: true,
  typicalWeek: true,
  createdAt: true,
  decidedAt: true,
  endedOn: true
})

/** Portal procedures of issue #4 (activities, calendar, closures, enrolment). */
export const activitiesPortalProcedures = {
  /** The family's children, for the "Pour quel enfant ?" choice and the siblings list. */
  'enrolment-children': proc({
    input: z.object({}),
    output: z.array(z.object({ id, firstName: z.string(), lastName: z.string(), birthDate: z.string(), grade: z.string() })),
    query: true
  }),
  /** The cascade Équipement → Type → Activité → Période → Groupe for one child. */
  'enrolment-catalog': proc({ input: z.object({ childId: id }), output: catalog, owns: { childId: 'child' }, query: true }),
  'enrolment-request': proc({ right: 'edit',
    input: z.object({
      childId: id,
      periodId: id,
      groupId: id,
      typicalWeek: typicalWeek.default([]),
      memo: z.string().trim().max(1000, { error: 'Mémo : 1000 caractères au maximum.' }).default(''),
      siblingIds: z.array(id).max(10).default([])
    }),
    output: enrolmentRequestResult,
    owns: { childId: 'child', siblingIds: 'child' }
  }),
  'enrolment-list': proc({ input: z.object({}), output: z.array(familyEnrolment), query: true }),
  /** Builds the attestation d'inscription PDF and files it in the family's documents. */
  'enrolment-attestation': proc({ right: 'any',
    input: z.object({ enrolmentId: id }),
    output: z.object({ documentId: id, fileName: z.string(), pdfBase64: z.string() }),
    owns: { enrolmentId: 'enrolment' }
  })
} satisfies ProcedureMap
