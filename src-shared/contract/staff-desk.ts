import { z } from '../zod-fr'
import { empty, id, page } from './common'
import { proc, type ProcedureMap } from './procedure'
import { DIRECTION } from './staff-foundation'
import { demoMailSummary, fileBytes, mailMessage, mailStatus } from './desk-shapes'

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
  'demo-mail-attachment': proc({ input: z.object({ id, index: z.number().int().min(0).max(100) }), output: fileBytes, roles: DIRECTION, query: true })
} satisfies ProcedureMap
