import type { deskStaffProcedures } from '@shared/contract/staff-desk'
import { demoMailAttachment, demoMailMessage, listDemoMail, mailStatus, outboxAttachment, outboxMessage } from '../mail/mail-view'
import type { HandlersFor, StaffActor } from './types'

/** Staff handlers of issue #18 (the desk's day). */
export const deskStaffHandlers: HandlersFor<typeof deskStaffProcedures, StaffActor | null> = {
  'mail-status': (_i, ctx) => mailStatus(ctx.core),
  'outbox-get': (i, ctx) => outboxMessage(ctx.core, i.id),
  'outbox-attachment': (i, ctx) => outboxAttachment(ctx.core, i.id, i.index),
  'demo-mail-list': (i, ctx) => listDemoMail(ctx.core, i),
  'demo-mail-get': (i, ctx) => demoMailMessage(ctx.core, i.id),
  'demo-mail-attachment': (i, ctx) => demoMailAttachment(ctx.core, i.id, i.index)
}
