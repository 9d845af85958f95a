import { z } from '../zod-fr'
import { id, isoDate, nonEmpty, recordVersion } from './common'

/** Shapes of issue #4: activity configuration, calendar and enrolment. */

export const activityKind = z.enum(['periscolaire', 'mercredi', 'vacances', 'restauration', 'petite-enfance'])
export const ACTIVITY_KIND_LABELS: Record<z.infer<typeof activityKind>, string> = {
  periscolaire: 'Périscolaire',
  mercredi: 'Mercredi',
  vacances: 'Vacances',
  restauration: 'Restauration',
  'petite-enfance': 'Petite enfance'
}
export const openingRule = z.enum(['school-days', 'wednesdays', 'holiday-weekdays', 'weekdays'])
export const OPENING_RULE_LABELS: Record<z.infer<typeof openingRule>, string> = {
  'school-days': 'Jours d’école',
  wednesdays: 'Mercredis hors vacances',
  'holiday-weekdays': 'Jours de semaine des vacances',
  weekdays: 'Tous les jours de semaine'
}
export const validationMode = z.enum(['auto', 'staff'])
export const enrolmentStatus = z.enum(['pending', 'validated', 'waiting', 'refused', 'ended', 'pre-enrolment'])
export type EnrolmentStatusDto = z.infer<typeof enrolmentStatus>
export const ENROLMENT_STATUS_LABELS: Record<EnrolmentStatusDto, string> = {
  pending: 'En attente de validation',
  validated: 'Validée',
  waiting: 'Liste d’attente',
  refused: 'Refusée',
  ended: 'Terminée',
  'pre-enrolment': 'Pré-inscription non validée'
}
/** The portal's one-character markers (004 guide): V validée, ? en attente, ! pré-inscription petite enfance. */
export const ENROLMENT_STATUS_MARKS: Record<EnrolmentStatusDto, string> = {
  pending: '?',
  validated: 'V',
  waiting: '?',
  refused: '',
  ended: '',
  'pre-enrolment': '!'
}

export const SCHOOL_LEVELS = ['TPS', 'PS', 'MS', 'GS', 'CP', 'CE1', 'CE2', 'CM1', 'CM2'] as const
export const schoolLevel = z.enum(SCHOOL_LEVELS)

export const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'Heure invalide (format attendu HH:MM).' })
const optionalId = id.nullable().default(null)

/** Every configuration record carries the version its save sends back (optional on creation). */
const version = z.number().int()
const versionIn = recordVersion.optional()

export const facility = z.object({ id, name: z.string(), active: z.boolean(), sort: z.number().int(), version })
export const facilityInput = z.object({
  id: id.optional(),
  version: versionIn,
  name: nonEmpty('Nom de l’équipement', 100),
  active: z.boolean().default(true),
  sort: z.number().int().min(0).max(9999).default(0)
})

export const activityType = z.object({ id, facilityId: id, name: z.string(), kind: activityKind, version })
export const activityTypeInput = z.object({ id: id.optional(), version: versionIn, facilityId: id, name: nonEmpty('Nom du type d’activité', 100), kind: activityKind })

export const activity = z.object({
  id,
  version,
  activityTypeId: id,
  name: z.string(),
  openingRule,
  validation: validationMode,
  autoBook: z.boolean(),
  typicalWeek: z.boolean(),
  active: z.boolean(),
  description: z.string()
})
export const activityInput = z.object({
  id: id.optional(),
  version: versionIn,
  activityTypeId: id,
  name: nonEmpty('Nom de l’activité', 100),
  openingRule,
  validation: validationMode.default('staff'),
  autoBook: z.boolean().default(false),
  typicalWeek: z.boolean().default(false),
  active: z.boolean().default(true),
  description: z.string().trim().max(2000).default('')
})

export const period = z.object({
  id,
  version,
  activityId: id,
  name: z.string(),
  startDate: z.string(),
  endDate: z.string(),
  windowStart: z.string(),
  windowEnd: z.string()
})
export const periodInput = z
  .object({
    id: id.optional(),
    version: versionIn,
    activityId: id,
    name: nonEmpty('Nom de la période', 100),
    startDate: isoDate,
    endDate: isoDate,
    windowStart: isoDate,
    windowEnd: isoDate
  })
  .refine((p) => p.startDate <= p.endDate, { path: ['endDate'], error: 'La fin de la période doit suivre son début.' })
  .refine((p) => p.windowStart <= p.windowEnd, { path: ['windowEnd'], error: 'La fin des inscriptions doit suivre leur ouverture.' })
  .refine((p) => p.windowStart <= p.endDate, { path: ['windowStart'], error: 'Les inscriptions doivent ouvrir avant la fin de la période.' })

export const group = z.object({
  id,
  version,
  activityId: id,
  name: z.string(),
  ageMin: z.number().int().nullable(),
  ageMax: z.number().int().nullable(),
  levels: z.array(z.string()),
  places: z.number().int().nullable()
})
export const groupInput = z
  .object({
    id: id.optional(),
    version: versionIn,
    activityId: id,
    name: nonEmpty('Nom du groupe', 100),
    ageMin: z.number().int().min(0).max(25).nullable().default(null),
    ageMax: z.number().int().min(0).max(25).nullable().default(null),
    levels: z.array(schoolLevel).max(9).default([]),
    places: z.number().int().min(0).max(10000).nullable().default(null)
  })
  .refine((g) => g.ageMin === null || g.ageMax === null || g.ageMin <= g.ageMax, { path: ['ageMax'], error: 'L’âge maximum doit être supérieur ou égal à l’âge minimum.' })

export const unit = z.object({
  id,
  version,
  activityId: id,
  name: z.string(),
  startTime: z.string(),
  endTime: z.string(),
  priceCents: z.number().int(),
  sort: z.number().int(),
  meal: z.boolean(),
  excludes: z.array(id)
})
export const unitInput = z
  .object({
    id: id.optional(),
    version: versionIn,
    activityId: id,
    name: nonEmpty('Nom de l’unité', 100),
    startTime: time,
    endTime: time,
    priceCents: z.number().int().min(0).max(100_000_00).default(0),
    sort: z.number().int().min(0).max(9999).default(0),
    /** Includes a meal (lunch, snack counted by the kitchen). */
    meal: z.boolean().default(false),
    excludes: z.array(id).max(50).default([])
  })
  .refine((u) => u.startTime < u.endTime, { path: ['endTime'], error: 'L’heure de fin doit suivre l’heure de début.' })

export const capacity = z.object({ id, groupId: id, unitId: id, places: z.number().int(), day: z.string().nullable(), version })
export const capacityInput = z.object({
  /** The capacity's version as loaded; absent or 0 when the screen saw none for this group, unit and day. */
  version: versionIn,
  groupId: id,
  unitId: id,
  places: z.number().int().min(0).max(10000),
  /** null = default capacity; a day = exception for that date. */
  day: isoDate.nullable().default(null)
})

export const closure = z.object({
  id,
  version,
  facilityId: id.nullable(),
  activityId: id.nullable(),
  startDate: z.string(),
  endDate: z.string(),
  reason: z.string()
})
export const closureInput = z
  .object({
    id: id.optional(),
    version: versionIn,
    facilityId: optionalId,
    activityId: optionalId,
    startDate: isoDate,
    endDate: isoDate,
    reason: nonEmpty('Motif de la fermeture', 200)
  })
  .refine((c) => c.startDate <= c.endDate, { path: ['endDate'], error: 'La fin de la fermeture doit suivre son début.' })

export const holidayKind = z.enum(['petites', 'grandes', 'pont'])
export const schoolHoliday = z.object({
  id,
  version,
  zone: z.enum(['A', 'B', 'C']),
  schoolYear: z.string(),
  name: z.string(),
  kind: holidayKind,
  firstDayOff: z.string(),
  backDay: z.string().nullable()
})
export const schoolHolidayInput = z
  .object({
    id: id.optional(),
    version: versionIn,
    zone: z.enum(['A', 'B', 'C']),
    schoolYear: z.string().regex(/^\d{4}-\d{4}$/, { error: 'Année scolaire au format 2026-2027.' }),
    name: nonEmpty('Nom des vacances', 100),
    kind: holidayKind,
    firstDayOff: isoDate,
    backDay: isoDate.nullable().default(null)
  })
  .refine((h) => h.backDay === null || h.firstDayOff < h.backDay, { path: ['backDay'], error: 'La reprise doit suivre le premier jour de vacances.' })

/** The whole configuration tree (small: a structure has tens of activities). */
export const activityNode = activity.extend({
  periods: z.array(period),
  groups: z.array(group),
  units: z.array(unit),
  capacities: z.array(capacity)
})
export const activityTypeNode = activityType.extend({ activities: z.array(activityNode) })
export const facilityNode = facility.extend({ types: z.array(activityTypeNode) })
export const activitiesTree = z.array(facilityNode)
export type ActivitiesTreeDto = z.infer<typeof activitiesTree>
export type ActivityNodeDto = z.infer<typeof activityNode>

export const calendarDay = z.object({
  day: z.string(),
  weekday: z.number().int(),
  holiday: z.object({ name: z.string(), kind: holidayKind }).nullable(),
  publicHoliday: z.string().nullable(),
  closures: z.array(z.object({ id, reason: z.string(), facilityId: id.nullable(), activityId: id.nullable() })),
  /** Only when an activity was asked for. */
  open: z.boolean().nullable()
})
export type CalendarDayDto = z.infer<typeof calendarDay>
export const calendarYear = z.object({
  zone: z.enum(['A', 'B', 'C']),
  department: z.string().nullable(),
  alsaceMoselle: z.boolean(),
  days: z.array(calendarDay),
  openCount: z.number().int().nullable()
})

export const calendarSettings = z.object({
  version: recordVersion,
  schoolWeekdays: z.array(z.number().int().min(1).max(5)).min(1).max(5)
})

export const typicalWeekSlot = z.object({ weekday: z.number().int().min(1).max(7), unitId: id })
export const typicalWeek = z.array(typicalWeekSlot).max(35)
export type TypicalWeekDto = z.infer<typeof typicalWeek>

/** One enrolment as staff and families see it. */
export const enrolment = z.object({
  id,
  childId: id,
  childName: z.string(),
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  facilityName: z.string(),
  activityId: id,
  activityName: z.string(),
  activityKind,
  periodId: id,
  periodName: z.string(),
  periodStart: z.string(),
  periodEnd: z.string(),
  groupId: id,
  groupName: z.string(),
  status: enrolmentStatus,
  /** Waiting-list rank (1 = next), for status 'waiting'. */
  rank: z.number().int().nullable(),
  reason: z.string(),
  memo: z.string(),
  typicalWeek: z.array(typicalWeekSlot.extend({ unitName: z.string() })),
  source: z.enum(['family', 'staff']),
  requestId: id.nullable(),
  startDate: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  endedOn: z.string().nullable()
})
export type EnrolmentDto = z.infer<typeof enrolment>

export const acceptOutcome = z.object({
  enrolmentId: id,
  outcome: z.enum(['validated', 'waiting', 'full', 'error']),
  rank: z.number().int().nullable(),
  bookings: z.number().int(),
  message: z.string(),
  /** Day × unit auto-bookings left out because the group was full that day (the message lists them). */
  fullSlots: z.number().int().optional()
})
export type AcceptOutcomeDto = z.infer<typeof acceptOutcome>

/** What the portal cascade offers one child. */
export const catalogPeriod = period.omit({ activityId: true, version: true }).extend({
  /** The child can enrol today: inside the enrolment window and not already enrolled for it. */
  open: z.boolean(),
  /** Where today falls against the enrolment window (a period already enrolled for is closed with the window open). */
  window: z.enum(['before', 'open', 'after']),
  /** Why the form is closed (outside the window, already enrolled…), in French. */
  closedReason: z.string().nullable(),
  groups: z.array(z.object({ id, name: z.string() }))
})
export const catalogActivity = z.object({
  id,
  name: z.string(),
  description: z.string(),
  typicalWeek: z.boolean(),
  openingRule,
  validation: validationMode,
  units: z.array(z.object({ id, name: z.string(), startTime: z.string(), endTime: z.string(), excludes: z.array(id) })),
  periods: z.array(catalogPeriod)
})
export const catalog = z.array(
  z.object({
    id,
    name: z.string(),
    types: z.array(z.object({ id, name: z.string(), kind: activityKind, activities: z.array(catalogActivity) }))
  })
)
export type CatalogDto = z.infer<typeof catalog>

export const enrolmentRequestResult = z.object({
  created: z.array(z.object({ childId: id, childName: z.string(), enrolmentId: id, status: enrolmentStatus, groupName: z.string(), rank: z.number().int().nullable() })),
  skipped: z.array(z.object({ childId: id, childName: z.string(), reason: z.string() }))
})
