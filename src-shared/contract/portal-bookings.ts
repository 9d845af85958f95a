import { z } from '../zod-fr'
import { id, isoDate } from './common'
import { proc, type ProcedureMap } from './procedure'
import { absenceInput, changeKind, changesInput, familyChange, periodInput, planning, recap } from './bookings-shapes'

/**
 * Portal procedures of issue #5 (reservations, absences, "Mes demandes").
 * Ids nested in `changes` are checked by the domain against the caller's
 * family (same "introuvable" answer as `owns`).
 */
export const bookingsPortalProcedures = {
  /** Month, fortnight or week view of the family's children (or one child). */
  'bookings-planning': proc({
    input: z.object({ from: isoDate, to: isoDate, childId: id.optional() }).refine((q) => q.from <= q.to, { error: 'La date de fin précède la date de début.', path: ['to'] }),
    output: planning,
    owns: { childId: 'child' },
    query: true
  }),
  /** The first day from today on that can be booked (null: nothing within a year): where the planning opens. */
  'bookings-first-bookable': proc({ input: z.object({}), output: z.object({ day: isoDate.nullable() }), query: true }),
  /** "Terminer les modifications": the recap with prices and what would be refused. Writes nothing. */
  'bookings-preview': proc({ input: changesInput, output: recap, query: true }),
  /** "Terminer": every change in one transaction (or none), then the recap e-mail. */
  'bookings-commit': proc({ right: 'book', input: changesInput, output: recap }),
  /** "Réservations sur période": start, end, week type, weekday × unit grid. */
  'bookings-period-preview': proc({ input: periodInput, output: recap, owns: { childId: 'child' }, query: true }),
  'bookings-period-commit': proc({ right: 'book', input: periodInput, output: recap, owns: { childId: 'child' } }),
  'bookings-absence-preview': proc({ input: absenceInput, output: recap, owns: { childId: 'child', certificateUploadId: 'upload' }, query: true }),
  'bookings-absence-declare': proc({ right: 'book', input: absenceInput, output: recap, owns: { childId: 'child', certificateUploadId: 'upload' } }),
  /** Children, their current activities and units: what the period and absence forms offer. */
  'bookings-options': proc({
    input: z.object({}),
    output: z.object({
      today: isoDate,
      children: z.array(
        z.object({
          childId: id,
          firstName: z.string(),
          activities: z.array(
            z.object({
              activityId: id,
              name: z.string(),
              from: isoDate,
              to: isoDate,
              units: z.array(z.object({ unitId: id, name: z.string(), startTime: z.string(), endTime: z.string() }))
            })
          )
        })
      )
    }),
    query: true
  }),
  /** "Mes demandes". */
  'bookings-my-requests': proc({
    input: z.object({ kind: changeKind.optional(), limit: z.number().int().min(1).max(200).default(50), offset: z.number().int().min(0).default(0) }),
    output: z.object({ total: z.number().int(), items: z.array(familyChange) }),
    query: true
  })
} satisfies ProcedureMap
