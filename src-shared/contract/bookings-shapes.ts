import { z } from '../zod-fr'
import { deadlineRule } from '../bookings/deadlines'
import { BOOKING_STATES } from '../bookings/state-machine'
import { id, isoDate } from './common'

/** DTOs of issue #5 (reservations, absences, validation queue, attendance, occupancy). */

const int = z.number().int()
export const bookingState = z.enum(BOOKING_STATES)
export const cellState = z.enum(['libre', 'indisponible', 'complet', 'autre-parent', 'DR', 'R', 'DA', 'A_EXC', 'A_FACT', 'REFUSED', 'PRESENT', 'ABSENT'])
export const changeKind = z.enum(['reservation', 'cancellation', 'absence'])
export const changeStatus = z.enum(['pending', 'accepted', 'refused', 'excused', 'billed', 'withdrawn'])
export const absenceReason = z.enum(['maladie', 'convenance', 'autre'])
export const slot = z.enum(['matin', 'midi', 'soir', 'journee'])
export const weekType = z.enum(['all', 'even', 'odd'])

export const CHANGE_KIND_LABELS: Record<z.infer<typeof changeKind>, string> = {
  reservation: 'Réservation',
  cancellation: 'Annulation',
  absence: 'Absence'
}
export const CHANGE_STATUS_LABELS: Record<z.infer<typeof changeStatus>, string> = {
  pending: 'En attente',
  accepted: 'Acceptée',
  refused: 'Refusée',
  excused: 'Excusée',
  billed: 'Facturée',
  withdrawn: 'Retirée'
}
export const ABSENCE_REASON_LABELS: Record<z.infer<typeof absenceReason>, string> = {
  maladie: 'Maladie',
  convenance: 'Convenance personnelle',
  autre: 'Autre'
}
export const SLOT_LABELS: Record<z.infer<typeof slot>, string> = { matin: 'Matin', midi: 'Midi', soir: 'Soir', journee: 'Journée' }
export const WEEK_TYPE_LABELS: Record<z.infer<typeof weekType>, string> = { all: 'Toutes les semaines', even: 'Semaines paires', odd: 'Semaines impaires' }

// ---------------------------------------------------------------- planning

export const planningCell = z.object({
  day: isoDate,
  cell: cellState,
  bookingId: id.nullable(),
  canAdd: z.boolean(),
  canRemove: z.boolean(),
  lateCancel: z.boolean(),
  priceCents: int,
  /** Staff plannings of a shared child (issue 16): which household booked, 1 (« Foyer 1 ») or 2 (« Foyer 2 »). */
  household: z.union([z.literal(1), z.literal(2)]).optional()
})
export type PlanningCellDto = z.infer<typeof planningCell>

export const planningLine = z.object({
  childId: id,
  activityId: id,
  activityName: z.string(),
  periodName: z.string(),
  unitId: id,
  unitName: z.string(),
  startTime: z.string(),
  endTime: z.string(),
  slot,
  unitPriceCents: int,
  cells: z.array(planningCell)
})
export type PlanningLineDto = z.infer<typeof planningLine>

export const planning = z.object({
  from: isoDate,
  to: isoDate,
  today: isoDate,
  days: z.array(z.object({ day: isoDate, weekday: int, holiday: z.string().nullable(), publicHoliday: z.string().nullable(), closure: z.string().nullable() })),
  children: z.array(z.object({ childId: id, firstName: z.string(), lastName: z.string(), costCents: int, lines: z.array(planningLine) })),
  activities: z.array(
    z.object({
      activityId: id,
      name: z.string(),
      validation: z.enum(['auto', 'staff']),
      familyChanges: z.boolean(),
      bookingRule: z.string(),
      cancellationRule: z.string(),
      modifiable: z.boolean(),
      reason: z.string(),
      exclusions: z.array(z.tuple([id, id]))
    })
  )
})
export type PlanningDto = z.infer<typeof planning>

// ---------------------------------------------------------------- changes and recap

export const familyIntent = z.object({ childId: id, unitId: id, day: isoDate, op: z.enum(['add', 'remove']) })
export type FamilyIntentDto = z.infer<typeof familyIntent>

export const recapLine = z.object({
  childId: id,
  childName: z.string(),
  unitId: id,
  unitName: z.string(),
  activityId: id,
  activityName: z.string(),
  day: isoDate,
  kind: changeKind,
  status: changeStatus,
  late: z.boolean(),
  label: z.string(),
  priceCents: int,
  signedCents: int,
  tariff: z.string()
})
export type RecapLineDto = z.infer<typeof recapLine>

export const planError = z.object({ childId: id, unitId: id, day: isoDate, code: z.string(), message: z.string() })

export const recap = z.object({
  lines: z.array(recapLine),
  errors: z.array(planError),
  count: int,
  totalCents: int,
  summary: z.string(),
  pending: int
})
export type RecapDto = z.infer<typeof recap>

export const changesInput = z.object({
  changes: z.array(familyIntent).min(1, { error: 'Aucune modification à enregistrer.' }).max(1000, { error: 'Trop de modifications à la fois (1000 au maximum).' })
})

export const periodInput = z
  .object({
    childId: id,
    activityId: id,
    from: isoDate,
    to: isoDate,
    weekType: weekType.default('all'),
    slots: z
      .array(z.object({ weekday: int.min(1).max(7), unitId: id }))
      .min(1, { error: 'Cochez au moins un jour de la semaine et une unité.' })
      .max(50)
  })
  .refine((q) => q.from <= q.to, { error: 'La date de fin précède la date de début.', path: ['to'] })

export const absenceInput = z
  .object({
    childId: id,
    from: isoDate,
    to: isoDate,
    reason: absenceReason,
    comment: z.string().trim().max(1000, { error: 'Commentaire : 1000 caractères au maximum.' }).default(''),
    /** An upload from POST /api/portal/files/upload (documents module), filed as a medical certificate. */
    certificateUploadId: id.nullable().default(null)
  })
  .refine((q) => q.from <= q.to, { error: 'La date de fin précède la date de début.', path: ['to'] })

export const familyChange = z.object({
  changeId: id,
  requestId: id.nullable(),
  kind: changeKind,
  status: changeStatus,
  late: z.boolean(),
  day: isoDate,
  childId: id,
  childName: z.string(),
  activityName: z.string(),
  unitName: z.string(),
  absenceReason: absenceReason.nullable(),
  reason: z.string(),
  priceCents: int,
  createdAt: z.string(),
  decidedAt: z.string().nullable()
})
export type FamilyChangeDto = z.infer<typeof familyChange>

// ---------------------------------------------------------------- staff

export const rules = z.object({ booking: deadlineRule, cancellation: deadlineRule, familyChanges: z.boolean() })
export const rulesOut = rules.extend({ isDefault: z.boolean(), bookingText: z.string(), cancellationText: z.string(), version: z.number().int() })

export const queueItem = z.object({
  changeId: id,
  requestId: id.nullable(),
  kind: changeKind,
  status: changeStatus,
  late: z.boolean(),
  absenceReason: absenceReason.nullable(),
  certificateDocumentId: id.nullable(),
  comment: z.string(),
  reason: z.string(),
  priceCents: int,
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  bookingId: id,
  bookingState,
  day: isoDate,
  childId: id,
  childName: z.string(),
  familyId: id,
  familyNumber: int,
  familyName: z.string(),
  unitId: id,
  unitName: z.string(),
  activityId: id,
  activityName: z.string(),
  suggestion: z.enum(['accept', 'cancel', 'excuse', 'bill'])
})
export type QueueItemDto = z.infer<typeof queueItem>

export const decision = z.enum(['accept', 'refuse', 'excuse', 'bill'])
export const DECISION_LABELS: Record<z.infer<typeof decision>, string> = { accept: 'Accepter', refuse: 'Refuser', excuse: 'Excuser', bill: 'Facturer' }

export const staffAction = z.enum(['book', 'accept', 'refuse', 'withdraw', 'keep', 'cancel', 'excuse', 'bill', 'mark-present', 'mark-absent', 'walk-in', 'unmark'])

export const attendanceRow = z.object({
  bookingId: id,
  state: z.enum(['DR', 'R', 'DA', 'PRESENT', 'ABSENT', 'A_EXC', 'A_FACT']),
  walkIn: z.boolean(),
  arrivedAt: z.string().nullable(),
  leftAt: z.string().nullable(),
  markedAt: z.string().nullable(),
  markedBy: z.string().nullable(),
  childId: id,
  firstName: z.string(),
  lastName: z.string(),
  initials: z.string(),
  birthDate: z.string(),
  grade: z.string(),
  familyNumber: int,
  /** A shared child (issue 16): the household that booked, 1 (« Foyer 1 ») or 2 (« Foyer 2 »); absent for one household. */
  household: z.union([z.literal(1), z.literal(2)]).optional(),
  unitId: id,
  unitName: z.string(),
  groupId: id.nullable(),
  groupName: z.string(),
  allergies: z.boolean(),
  allergyNotes: z.string(),
  pai: z.boolean(),
  diet: z.string(),
  mealType: z.string(),
  healthNotes: z.string(),
  leaveAlone: z.boolean(),
  pickups: z.array(z.object({ pickupId: z.number().int(), name: z.string(), relationship: z.string(), phone: z.string(), emergency: z.boolean(), hasPhoto: z.boolean() })),
  emergencyPhones: z.array(z.object({ label: z.string(), phone: z.string() }))
})
export type AttendanceRowDto = z.infer<typeof attendanceRow>

export const attendanceList = z.object({
  day: isoDate,
  activityId: id,
  activityName: z.string(),
  units: z.array(z.object({ id, name: z.string(), startTime: z.string(), endTime: z.string(), slot })),
  groups: z.array(z.object({ id, name: z.string() })),
  rows: z.array(attendanceRow),
  counts: z.object({ expected: int, present: int, absent: int, excused: int, pending: int })
})
export type AttendanceListDto = z.infer<typeof attendanceList>

export const attendanceQuery = z.object({ day: isoDate, activityId: id, unitId: id.optional(), groupId: id.optional() })
/** The printable list: « pointage » (tick boxes, flags, phones) or « émargement » (arrival, departure and signatures). */
export const attendancePdfQuery = attendanceQuery.extend({ sheet: z.enum(['pointage', 'emargement']).default('pointage') })
/** The health sheets of an outing: the day's list, or a selection of its children. */
export const healthSheetsQuery = attendanceQuery.extend({ childIds: z.array(id).min(1, { error: 'Choisissez au moins un enfant.' }).max(500).optional() })

export const occupancy = z.object({
  from: isoDate,
  to: isoDate,
  activities: z.array(z.object({ id, name: z.string(), units: z.array(z.object({ id, name: z.string(), startTime: z.string() })) })),
  days: z.array(isoDate),
  cells: z.array(z.object({ day: isoDate, unitId: id, capacity: int.nullable(), booked: int, pending: int, free: int.nullable() }))
})
export type OccupancyDto = z.infer<typeof occupancy>

export const pdfFile = z.object({ fileName: z.string(), pdfBase64: z.string() })
