import { z } from '../zod-fr'
import { empty, id, isoDate, nonEmpty, ok } from './common'
import { proc, type ProcedureMap } from './procedure'
import { ALL, DESK, DIRECTION } from './staff-foundation'
import {
  acceptOutcome,
  activitiesTree,
  activity,
  activityInput,
  activityType,
  activityTypeInput,
  calendarSettings,
  calendarYear,
  capacity,
  capacityInput,
  closure,
  closureInput,
  enrolment,
  enrolmentStatus,
  facility,
  facilityInput,
  group,
  groupInput,
  period,
  periodInput,
  schoolHoliday,
  schoolHolidayInput,
  typicalWeek,
  unit,
  unitInput
} from './activities-shapes'
import { bulkJob } from './jobs'

const byId = z.object({ id })
const memo = z.string().trim().max(1000)

/**
 * Staff procedures of issue #4 (activities, calendar, closures, enrolment).
 * Everybody reads the configuration; direction changes it; the desk
 * (direction, accueil) runs the enrolment queue.
 */
export const activitiesStaffProcedures = {
  'activities-tree': proc({ input: empty, output: activitiesTree, roles: ALL, query: true }),
  'facilities-save': proc({ input: facilityInput, output: facility, roles: DIRECTION }),
  'facilities-delete': proc({ input: byId, output: ok, roles: DIRECTION }),
  'activity-types-save': proc({ input: activityTypeInput, output: activityType, roles: DIRECTION }),
  'activity-types-delete': proc({ input: byId, output: ok, roles: DIRECTION }),
  'activities-save': proc({ input: activityInput, output: activity, roles: DIRECTION }),
  'activities-delete': proc({ input: byId, output: ok, roles: DIRECTION }),
  'periods-save': proc({ input: periodInput, output: period, roles: DIRECTION }),
  'periods-delete': proc({ input: byId, output: ok, roles: DIRECTION }),
  'groups-save': proc({ input: groupInput, output: group, roles: DIRECTION }),
  'groups-delete': proc({ input: byId, output: ok, roles: DIRECTION }),
  'units-save': proc({ input: unitInput, output: unit, roles: DIRECTION }),
  'units-delete': proc({ input: byId, output: ok, roles: DIRECTION }),
  'capacities-save': proc({ input: capacityInput, output: capacity, roles: DIRECTION }),
  'capacities-delete': proc({ input: byId, output: ok, roles: DIRECTION }),

  'closures-list': proc({
    input: z.object({ from: isoDate.optional(), to: isoDate.optional() }),
    output: z.array(closure),
    roles: ALL,
    query: true
  }),
  // Saving a closure cancels the DR/R/DA bookings on its days (not billed; days already invoiced are credited on the next
  // invoice) and tells the families; the preview counts them first.
  'closures-preview': proc({
    input: closureInput,
    output: z.object({ bookings: z.number().int(), families: z.number().int(), creditedBookings: z.number().int() }),
    roles: DIRECTION,
    query: true
  }),
  'closures-save': proc({
    input: closureInput,
    output: closure.extend({
      cancelledBookings: z.number().int(),
      notifiedFamilies: z.number().int(),
      creditedBookings: z.number().int(),
      /** The job that did it (null: nothing to cancel); `bulk-jobs-get` gives its progress while the save runs. */
      jobId: z.number().int().nullable(),
      /** Families whose bookings were cancelled but who have no e-mail address: the desk calls them. */
      familiesToCall: z.array(
        z.object({ familyId: z.number().int(), number: z.number().int(), name: z.string(), phones: z.array(z.string()), cancelled: z.number().int() })
      )
    }),
    roles: DIRECTION
  }),
  'closures-delete': proc({ input: byId, output: ok, roles: DIRECTION }),
  'school-holidays-list': proc({
    input: z.object({ zone: z.enum(['A', 'B', 'C']).optional() }),
    output: z.array(schoolHoliday),
    roles: ALL,
    query: true
  }),
  'school-holidays-save': proc({ input: schoolHolidayInput, output: schoolHoliday, roles: DIRECTION }),
  'school-holidays-delete': proc({ input: byId, output: ok, roles: DIRECTION }),
  'school-holidays-reload': proc({ input: empty, output: z.object({ added: z.number().int() }), roles: DIRECTION }),
  'calendar-settings-get': proc({ input: empty, output: calendarSettings, roles: ALL, query: true }),
  'calendar-settings-update': proc({ input: calendarSettings, output: ok, roles: DIRECTION }),
  'calendar-year': proc({
    input: z.object({ from: isoDate, to: isoDate, activityId: id.optional() }),
    output: calendarYear,
    roles: ALL,
    query: true
  }),

  'enrolments-list': proc({
    input: z.object({
      statuses: z.array(enrolmentStatus).max(6).default([]),
      activityId: id.optional(),
      periodId: id.optional(),
      groupId: id.optional(),
      familyId: id.optional(),
      childId: id.optional(),
      limit: z.number().int().min(1).max(1000).default(200),
      offset: z.number().int().min(0).default(0)
    }),
    output: z.object({ total: z.number().int(), items: z.array(enrolment) }),
    roles: ALL,
    query: true
  }),
  'enrolments-accept': proc({
    input: z.object({ enrolmentIds: z.array(id).min(1).max(500), waitlistIfFull: z.boolean().default(false) }),
    output: z.array(acceptOutcome),
    roles: DESK
  }),
  /** A whole period's pending enrolments, accepted as a durable job (#19); the answer comes when it is done, `bulk-jobs-get` tells the progress meanwhile. */
  'enrolments-accept-period': proc({ input: z.object({ periodId: id, waitlistIfFull: z.boolean().default(false) }), output: bulkJob, roles: DESK }),
  /** The commune-wide jobs (a closure, a period's enrolments): progress, and the interrupted ones « Reprendre » finishes. */
  'bulk-jobs-get': proc({ input: z.object({ id }), output: bulkJob, roles: DESK, query: true }),
  'bulk-jobs-unfinished': proc({ input: z.object({ kind: z.enum(['closure', 'autobook']) }), output: z.array(bulkJob), roles: DESK, query: true }),
  'bulk-jobs-resume': proc({ input: z.object({ id }), output: bulkJob, roles: DESK }),
  /** The generic validation queue decides by request id (type 'enrolment'). */
  'enrolment-requests-accept': proc({ input: z.object({ requestId: id, waitlistIfFull: z.boolean().default(true) }), output: acceptOutcome, roles: DESK }),
  'enrolment-requests-refuse': proc({ input: z.object({ requestId: id, reason: nonEmpty('Motif du refus', 1000) }), output: ok, roles: DESK }),
  'enrolments-waitlist': proc({ input: z.object({ enrolmentId: id }), output: acceptOutcome, roles: DESK }),
  'enrolments-refuse': proc({ input: z.object({ enrolmentId: id, reason: nonEmpty('Motif du refus', 1000) }), output: ok, roles: DESK }),
  'enrolments-create': proc({
    input: z.object({
      childId: id,
      periodId: id,
      groupId: id,
      typicalWeek: typicalWeek.default([]),
      memo: memo.default(''),
      startDate: isoDate.nullable().default(null),
      ignoreAge: z.boolean().default(false),
      waitlistIfFull: z.boolean().default(false)
    }),
    output: acceptOutcome,
    roles: DESK
  }),
  'enrolments-update': proc({
    input: z.object({ enrolmentId: id, groupId: id.optional(), typicalWeek: typicalWeek.optional(), memo: memo.optional() }),
    output: z.object({ bookingsCreated: z.number().int(), bookingsCancelled: z.number().int() }),
    roles: DESK
  }),
  'enrolments-end': proc({
    input: z.object({ enrolmentId: id, lastDay: isoDate }),
    output: z.object({ cancelled: z.number().int(), promoted: z.array(id) }),
    roles: DESK
  })
} satisfies ProcedureMap
