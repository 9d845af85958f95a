import type { deskStaffProcedures } from '@shared/contract/staff-desk'
import { demoMailAttachment, demoMailMessage, listDemoMail, mailStatus, outboxAttachment, outboxMessage } from '../mail/mail-view'
import { parisDay, parisTime } from '../core/clock'
import { dbOf } from '../bookings/sql'
import { kitchenDays, mealsByDay } from '../dashboard/meals'
import { kitchenSheetPdf } from '../dashboard/kitchen-pdf'
import { moneyAtDesk } from '../dashboard/money'
import { queuesAtDesk } from '../dashboard/queues'
import { todayAtDesk } from '../dashboard/today'
import { weekAtDesk } from '../dashboard/week'
import { searchEverywhere } from '../search/everywhere'
import { requireActor, type HandlersFor, type StaffActor } from './types'

/** Staff handlers of issue #18 (the desk's day). */
export const deskStaffHandlers: HandlersFor<typeof deskStaffProcedures, StaffActor | null> = {
  'mail-status': (_i, ctx) => mailStatus(ctx.core),
  'outbox-get': (i, ctx) => outboxMessage(ctx.core, i.id),
  'outbox-attachment': (i, ctx) => outboxAttachment(ctx.core, i.id, i.index),
  'demo-mail-list': (i, ctx) => listDemoMail(ctx.core, i),
  'demo-mail-get': (i, ctx) => demoMailMessage(ctx.core, i.id),
  'demo-mail-attachment': (i, ctx) => demoMailAttachment(ctx.core, i.id, i.index),

  'dashboard-today': async (_i, { core }) => {
    const now = core.clock.now()
    return core.tx.read(async (m) => todayAtDesk(dbOf(m), parisDay(now), parisTime(now)))
  },
  'dashboard-meals': async (i, { core }) =>
    core.tx.read(async (m) => {
      const { from, to } = kitchenDays(dbOf(m), parisDay(core.clock.now()), i)
      return mealsByDay(dbOf(m), from, to)
    }),
  'kitchen-sheet-pdf': (i, { core }) => kitchenSheetPdf(core, i),
  'dashboard-week': async (_i, { core }) => weekAtDesk(core, parisDay(core.clock.now())),
  'dashboard-money': async (_i, { core }) => moneyAtDesk(core, parisDay(core.clock.now())),
  'desk-search': (i, ctx) => searchEverywhere(ctx.core, requireActor(ctx).role, i.query),
  'dashboard-queues': async (_i, ctx) => {
    const withMails = requireActor(ctx).role === 'direction'
    return ctx.core.tx.read(async (m) => queuesAtDesk(dbOf(m), ctx.core.clock.now(), withMails))
  }
}
