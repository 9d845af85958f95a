import { z } from '../zod-fr'
import { empty, id, isoDate, page } from './common'
import { proc, type ProcedureMap } from './procedure'
import { ALL, DIRECTION } from './staff-foundation'
import { pdfFile } from './bookings-shapes'
import { BILLING } from './staff-billing'
import { deskSearchHit, dashboardMoney, dashboardQueues, dashboardToday, dashboardWeek, demoMailSummary, fileBytes, mailMessage, mealDay, mailStatus } from './desk-shapes'

/** A range of days for the kitchen (at most a month); none: the next day with meals. */
const mealRange = z
  .object({ from: isoDate.optional(), to: isoDate.optional() })
  .refine((q) => !q.from === !q.to, { error: 'Donnez la date de début et la date de fin.', path: ['to'] })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { error: 'La date de fin précède la date de début.', path: ['to'] })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= 31 * 86_400_000, { error: 'Choisissez au plus un mois.', path: ['to'] })

/** Staff procedures of issue #18: e-mails you can read, the day at a glance, printable lists, search. */
export const deskStaffProcedures = {
  'mail-status': proc({ input: empty, output: mailStatus, roles: DIRECTION, query: true }),
  /** One row of « E-mails envoyés », in full. */
  'outbox-get': proc({ input: z.object({ id }), output: mailMessage, roles: DIRECTION, query: true }),
  'outbox-attachment': proc({ input: z.object({ id, index: z.number().int().min(0).max(100) }), output: fileBytes, roles: DIRECTION, query: true }),
  /** The demo's « Boîte de démonstration » (mail/catcher.ts). */
  'demo-mail-list': proc({
    input: page,
    output: z.object({ total: z.number().int(), items: z.array(demoMailSummary) }),
    roles: DIRECTION,
    query: true
  }),
  'demo-mail-get': proc({ input: z.object({ id }), output: mailMessage, roles: DIRECTION, query: true }),
  'demo-mail-attachment': proc({ input: z.object({ id, index: z.number().int().min(0).max(100) }), output: fileBytes, roles: DIRECTION, query: true }),

  /** The back-office home, one call per tile so each loads (and fails) on its own. */
  'dashboard-today': proc({ input: empty, output: dashboardToday, roles: ALL, query: true }),
  /** Meals per day and diet; without dates, the next day with meals within a week (tomorrow if none). */
  'dashboard-meals': proc({ input: mealRange, output: z.array(mealDay), roles: ALL, query: true }),
  /** The kitchen sheet (A4 PDF) of the same days: counts per diet, PAI children named. */
  'kitchen-sheet-pdf': proc({ input: mealRange, output: pdfFile, roles: ALL, query: true }),
  'dashboard-week': proc({ input: empty, output: dashboardWeek, roles: ALL, query: true }),
  /** Money stays with the roles that see billing: never the desk's accueil nor the animateurs. */
  'dashboard-money': proc({ input: empty, output: dashboardMoney, roles: BILLING, query: true }),
  /** « Ctrl+K »: families, children, invoices (cashiers) and requests (desk) matching a fragment. */
  'desk-search': proc({
    input: z.object({ query: z.string().trim().min(2, { error: 'Tapez au moins deux caractères.' }).max(100) }),
    output: z.array(deskSearchHit),
    roles: ALL,
    query: true
  }),
  'dashboard-queues': proc({ input: empty, output: dashboardQueues, roles: ALL, query: true })
} satisfies ProcedureMap
