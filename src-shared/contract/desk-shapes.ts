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
