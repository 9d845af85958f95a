import { z } from '../zod-fr'
import { id, isoDate } from './common'

/** A shared child's custody calendar as staff edit it (issue 16; see @shared/custody/rule). */
export const custodyCalendar = z
  .object({
    kind: z.enum(['none', 'alternate-weeks', 'weekdays']),
    oddWeeksFamilyId: id.nullable().default(null),
    weekdays: z.array(id.nullable()).length(7).default([null, null, null, null, null, null, null]),
    holidays: z.enum(['none', 'halves', 'halves-alternating']).default('none'),
    firstHalfFamilyId: id.nullable().default(null),
    exceptions: z.array(z.object({ day: isoDate, familyId: id })).max(400, { error: '400 exceptions au maximum.' }).default([])
  })
  .superRefine((c, ctx) => {
    if (c.kind === 'alternate-weeks' && c.oddWeeksFamilyId === null) ctx.addIssue({ code: 'custom', path: ['oddWeeksFamilyId'], message: 'Choisissez le foyer des semaines impaires.' })
    if (c.holidays !== 'none' && c.firstHalfFamilyId === null) ctx.addIssue({ code: 'custom', path: ['firstHalfFamilyId'], message: 'Choisissez le foyer de la première moitié des vacances.' })
    const days = c.exceptions.map((e) => e.day)
    if (new Set(days).size !== days.length) ctx.addIssue({ code: 'custom', path: ['exceptions'], message: 'Une date figure deux fois dans les exceptions.' })
  })
export type CustodyCalendarDto = z.output<typeof custodyCalendar>

export const householdLabel = z.object({ familyId: id, number: z.number().int(), name: z.string() })

export const custodyView = z.object({
  childId: id,
  households: z.array(householdLabel),
  calendar: custodyCalendar,
  version: z.number().int(),
  /** The month shown, "YYYY-MM" (the app's current month when none was asked for). */
  month: z.string(),
  /** The household of each day of the month asked for (null: no rule, either household may book). */
  days: z.array(z.object({ day: isoDate, familyId: id.nullable() }))
})
export type CustodyViewDto = z.output<typeof custodyView>

/**
 * How a shared child is billed (issue 16): « selon le foyer qui réserve », or a
 * fixed split where the first household pays `firstSharePercent` (up to two
 * decimals, 1 to 99) and the second the rest, from `fromDay` (null: every day
 * not billed yet).
 */
export const billingSplit = z
  .object({
    mode: z.enum(['booking', 'fixed']),
    firstSharePercent: z.coerce
      .number({ error: 'Saisissez la part du premier foyer, en %.' })
      .min(1, { error: 'La part d’un foyer est d’au moins 1 %.' })
      .max(99, { error: 'La part d’un foyer est d’au plus 99 %.' })
      .refine((x) => Number.isInteger(Math.round(x * 100)) && Math.abs(x * 100 - Math.round(x * 100)) < 1e-6, { error: 'Deux décimales au plus.' })
      .default(50),
    fromDay: isoDate.nullable().default(null)
  })
export type BillingSplitDto = z.output<typeof billingSplit>

export const billingSplitView = z.object({
  childId: id,
  households: z.array(householdLabel),
  split: billingSplit,
  /** The modes over time (migration 0032), oldest first: each applies from its day (null: since always) to the next one's. */
  history: z.array(z.object({ fromDay: isoDate.nullable(), mode: z.enum(['booking', 'fixed']), firstSharePercent: z.number() })),
  version: z.number().int()
})
export type BillingSplitViewDto = z.output<typeof billingSplitView>
