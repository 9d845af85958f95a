import { z } from '../zod-fr'
import { id, isoDate, recordVersion } from './common'
import { proc, type ProcedureMap, type StaffRole } from './procedure'
import { DESK, DIRECTION } from './staff-foundation'
import {
  attendanceList,
  attendanceQuery,
  attendancePdfQuery,
  healthSheetsQuery,
  changeKind,
  decision,
  occupancy,
  pdfFile,
  planning,
  queueItem,
  rules,
  rulesOut,
  staffAction
} from './bookings-shapes'

/** Attendance and allergy lists: the desk and the animateurs (never the accountant's business). */
const ATTENDANCE: readonly StaffRole[] = ['direction', 'accueil', 'animateur']
const PLANNING_READERS: readonly StaffRole[] = ['direction', 'accueil', 'animateur', 'comptable']

/** Staff procedures of issue #5 (reservations, absences, attendance, occupancy). */
export const bookingsStaffProcedures = {
  'bookings-rules-get': proc({ input: z.object({ activityId: id }), output: rulesOut, roles: PLANNING_READERS, query: true }),
  'bookings-rules-set': proc({ input: rules.extend({ activityId: id, version: recordVersion }), output: rulesOut, roles: DIRECTION }),
  /** Validation queue of reservation, cancellation and absence requests. */
  'bookings-queue': proc({
    input: z.object({
      activityId: id.optional(),
      from: isoDate.optional(),
      to: isoDate.optional(),
      childId: id.optional(),
      familyId: id.optional(),
      kind: changeKind.optional(),
      requestId: id.optional(),
      status: z.enum(['pending', 'decided']).default('pending'),
      limit: z.number().int().min(1).max(500).default(100),
      offset: z.number().int().min(0).default(0)
    }),
    output: z.object({ total: z.number().int(), items: z.array(queueItem) }),
    roles: DESK,
    query: true
  }),
  /** Bulk decision; each family gets one grouped reply e-mail. */
  'bookings-decide': proc({
    input: z.object({
      changeIds: z.array(id).min(1, { error: 'Sélectionnez au moins une demande.' }).max(1000),
      decision,
      reason: z.string().trim().max(500, { error: 'Motif : 500 caractères au maximum.' }).default('')
    }),
    output: z.object({ decided: z.number().int(), mails: z.number().int() }),
    roles: DESK
  }),
  /** The generic validation queue's buttons on a reservation/cancellation/absence request. */
  'bookings-decide-request': proc({
    input: z.object({ requestId: id, decision, reason: z.string().trim().max(500).default('') }),
    output: z.object({ decided: z.number().int(), mails: z.number().int() }),
    roles: DESK
  }),
  'bookings-children-search': proc({
    input: z.object({ query: z.string().trim().max(100).default('') }),
    output: z.array(z.object({ childId: id, firstName: z.string(), lastName: z.string(), familyId: id, familyNumber: z.number().int() })),
    roles: PLANNING_READERS,
    query: true
  }),
  'bookings-child-planning': proc({
    input: z.object({ childId: id, from: isoDate, to: isoDate }).refine((q) => q.from <= q.to, { error: 'La date de fin précède la date de début.', path: ['to'] }),
    output: planning,
    roles: PLANNING_READERS,
    query: true
  }),
  /** Planning per activity and day (requests included). */
  'bookings-activity-day': proc({ input: attendanceQuery, output: attendanceList, roles: PLANNING_READERS, query: true }),
  /** Staff book, cancel, excuse, bill… directly; deadlines do not bind them (audited), capacity does unless overridden. */
  'bookings-staff-apply': proc({
    input: z.object({
      items: z.array(z.object({ childId: id, unitId: id, day: isoDate, action: staffAction })).min(1).max(500),
      reason: z.string().trim().max(500).default(''),
      overrideCapacity: z.boolean().default(false)
    }),
    output: z.object({ applied: z.number().int(), bookingIds: z.array(id) }),
    roles: DESK
  }),
  'attendance-list': proc({ input: attendanceQuery, output: attendanceList, roles: ATTENDANCE, query: true }),
  /** One mark; `markedAt` is when it was made (a tablet sends its offline marks later): the latest mark wins. */
  'attendance-mark': proc({
    input: z.object({ bookingId: id, status: z.enum(['present', 'absent', 'left', 'reset']), markedAt: z.iso.datetime({ offset: true }).optional() }),
    output: z.object({
      state: z.string(),
      applied: z.boolean(),
      arrivedAt: z.string().nullable(),
      leftAt: z.string().nullable(),
      markedAt: z.string().nullable(),
      markedBy: z.string().nullable()
    }),
    roles: ATTENDANCE
  }),
  'attendance-walk-in': proc({ input: z.object({ childId: id, unitId: id, day: isoDate }), output: z.object({ bookingId: id }), roles: ATTENDANCE }),
  'attendance-candidates': proc({
    input: z.object({ activityId: id, day: isoDate, query: z.string().trim().max(100).default('') }),
    output: z.array(z.object({ childId: id, firstName: z.string(), lastName: z.string(), familyNumber: z.number().int(), enrolled: z.boolean() })),
    roles: ATTENDANCE,
    query: true
  }),
  'attendance-pdf': proc({ input: attendancePdfQuery, output: pdfFile, roles: ATTENDANCE, query: true }),
  /** « Fiches sanitaires de liaison » for an outing: health data leaves the software, so not a query (CSRF) and audited. */
  'attendance-health-sheets-pdf': proc({ input: healthSheetsQuery, output: pdfFile, roles: ATTENDANCE }),
  'bookings-occupancy': proc({
    input: z.object({ from: isoDate, to: isoDate, activityId: id.optional() }),
    output: occupancy,
    roles: PLANNING_READERS,
    query: true
  })
} satisfies ProcedureMap
