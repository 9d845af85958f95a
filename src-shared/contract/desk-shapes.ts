import { z } from '../zod-fr'
import { id } from './common'

/** An attachment of an e-mail, listed (its bytes come from a separate call). `index` is its position in the message. */
export const mailAttachmentInfo = z.object({ index: z.number().int().min(0), filename: z.string(), contentType: z.string(), size: z.number().int() })

/**
 * One e-mail as the recipient reads it: the HTML part exactly as sent (the
 * back-office shows it in a sandboxed frame, scripts off), the text part,
 * the attachments.
 */
export const mailMessage = z.object({
  id,
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  /** ISO instant: sent (outbox) or received (demo box); null when never sent. */
  date: z.string().nullable(),
  html: z.string().nullable(),
  text: z.string(),
  attachments: z.array(mailAttachmentInfo)
})
export type MailMessageDto = z.infer<typeof mailMessage>

/** A file handed to the back-office as bytes (works over IPC, where there is no HTTP listener). */
export const fileBytes = z.object({ fileName: z.string(), mime: z.string(), base64: z.string() })

export const demoMailSummary = z.object({
  id,
  receivedAt: z.string(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  attachmentCount: z.number().int(),
  size: z.number().int()
})
export type DemoMailSummaryDto = z.infer<typeof demoMailSummary>

/**
 * Where e-mails go: nowhere yet (no SMTP server set: they wait « À envoyer »),
 * an SMTP server, or the demo's built-in catcher.
 */
export const mailStatus = z.object({ mode: z.enum(['none', 'smtp', 'demo']), host: z.string() })
export type MailStatusDto = z.infer<typeof mailStatus>

// ---------------------------------------------------------------- the desk's day at a glance (dashboard)

const int = z.number().int()
const isoDay = z.string()

/** Today, per activity and unit: who is expected, who is already marked, and who should be there by now but is not marked. */
export const dashboardToday = z.object({
  day: isoDay,
  /** HH:mm in Paris when the figures were read. */
  time: z.string(),
  units: z.array(
    z.object({
      activityId: id,
      activityName: z.string(),
      unitId: id,
      unitName: z.string(),
      startTime: z.string(),
      endTime: z.string(),
      /** Reserved (R, DA) or already marked (PRESENT, ABSENT). */
      expected: int,
      present: int,
      /** Marked absent without notice. */
      absent: int,
      /** Absences the family declared (excused or billed). */
      excused: int,
      /** Expected and not marked yet. */
      unmarked: int,
      /** The unit has started: its unmarked children are late arrivals to check. */
      started: z.boolean()
    })
  ),
  totals: z.object({ expected: int, present: int, absent: int, excused: int, late: int })
})
export type DashboardTodayDto = z.infer<typeof dashboardToday>

export const DIETS = ['standard', 'sans-porc', 'vegetarien', 'sans-viande', 'pai'] as const
export const diet = z.enum(DIETS)
export type Diet = z.infer<typeof diet>
export const DIET_LABELS: Record<Diet, string> = {
  standard: 'Standard',
  'sans-porc': 'Sans porc',
  vegetarien: 'Végétarien',
  'sans-viande': 'Sans viande',
  pai: 'PAI (panier repas ou menu adapté)'
}

/** Meals of one day per diet (a child counts once, whatever its meal units); PAI children are named for the kitchen. */
export const mealDay = z.object({
  day: isoDay,
  counts: z.record(diet, int),
  total: int,
  /** Requests not decided yet (DR): not in the counts. */
  pending: int,
  pai: z.array(z.object({ childId: id, name: z.string(), activityName: z.string(), allergies: z.string() }))
})
export type MealDayDto = z.infer<typeof mealDay>

/** This week: places taken per activity and day against capacity, and the waiting lists. */
export const dashboardWeek = z.object({
  from: isoDay,
  to: isoDay,
  days: z.array(isoDay),
  activities: z.array(
    z.object({
      activityId: id,
      name: z.string(),
      /** One per day of `days`; null when the activity is closed that day. For several units, the busiest one. */
      cells: z.array(z.object({ taken: int, capacity: int.nullable() }).nullable())
    })
  ),
  waiting: z.array(z.object({ activityId: id, activityName: z.string(), groupName: z.string(), count: int, since: z.string() }))
})
export type DashboardWeekDto = z.infer<typeof dashboardWeek>

export const AGE_BUCKET_LABELS = { notDue: 'Non échu', d30: '0 à 30 jours', d60: '31 à 60 jours', d90: '61 à 90 jours', older: 'Plus de 90 jours' } as const

export const dashboardMoney = z.object({
  asOf: isoDay,
  /** Unpaid amounts by time past their due date (the aged balance as of today). */
  aged: z.object({ notDue: int, d30: int, d60: int, d90: int, older: int, total: int, families: int, /** Part of `total` in a direct-debit file sent to the bank, collected later. */ inFlight: int }),
  schoolYear: z.string(),
  /** Sept → Aug: invoiced (issued, credit notes deducted) by the month served, received by the month paid. */
  months: z.array(z.object({ month: z.string(), invoicedCents: int, receivedCents: int })),
  /** The next direct debit: sent to the bank and not collected yet, or the next file the plan proposes. */
  nextDebit: z
    .object({ date: isoDay, status: z.enum(['sent', 'planned']), regieName: z.string(), count: int, amountCents: int })
    .nullable()
})
export type DashboardMoneyDto = z.infer<typeof dashboardMoney>

export const dashboardQueues = z.object({
  requests: z.array(z.object({ type: z.string(), count: int, oldest: z.string(), olderThan2Days: int, olderThan7Days: int })),
  /** Direction only (null for the other roles): e-mails given up after every retry, and those still being retried. */
  mails: z.object({ failed: int, retrying: int }).nullable()
})
export type DashboardQueuesDto = z.infer<typeof dashboardQueues>

// ---------------------------------------------------------------- search everywhere (Ctrl+K)

/** One thing found: the back-office opens it from its kind, id and family. */
export const deskSearchHit = z.object({
  kind: z.enum(['family', 'child', 'invoice', 'request']),
  id,
  familyId: id,
  /** For a request: its kind, so the queue opens on it. */
  requestType: z.string().optional(),
  label: z.string(),
  detail: z.string()
})
export type DeskSearchHitDto = z.infer<typeof deskSearchHit>
