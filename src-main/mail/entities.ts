import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm'

/** A file carried in the outbox row itself (a message's attachment, a small document). */
export interface OutboxFile {
  filename: string
  contentType: string
  /** base64 */
  content: string
}

/**
 * A document the sender renders when it sends (#19: the mass e-mail of a city's invoices would otherwise put
 * every PDF in the database, and in every backup). See mail/attachments.ts.
 */
export interface OutboxDocument {
  filename: string
  contentType: string
  document: 'invoice'
  invoiceId: number
}

export type OutboxAttachment = OutboxFile | OutboxDocument

/** 'sending': claimed by the sender before any SMTP traffic (see outbox.ts). */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed'

/** Every e-mail is written here first, in the same transaction as the change that caused it. */
@Entity('outbox_mail')
export class OutboxMail {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text' }) recipient: string
  @Column({ type: 'text' }) subject: string
  @Column({ name: 'text_body', type: 'text' }) textBody: string
  @Column({ name: 'html_body', type: 'text', nullable: true }) htmlBody: string | null
  @Column({ type: 'simple-json' }) attachments: OutboxAttachment[]
  @Column({ type: 'text' }) status: OutboxStatus
  @Column({ type: 'integer', default: 0 }) attempts: number
  @Column({ name: 'next_attempt_at', type: 'text' }) nextAttemptAt: string
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'sent_at', type: 'text', nullable: true }) sentAt: string | null
  /** Fixed at the first attempt: every later attempt carries the same Message-ID. */
  @Column({ name: 'message_id', type: 'text', nullable: true }) messageId: string | null
  /** When the server had the whole message, just before the final "." (see outbox.ts). */
  @Column({ name: 'handed_at', type: 'text', nullable: true }) handedAt: string | null
  /** The invoice this e-mail sends (attached by reference): a batch queues an invoice once. */
  @Column({ name: 'invoice_id', type: 'integer', nullable: true }) invoiceId: number | null
}

/** The entities of mail, registered in core/entities.ts (like its handlers in rpc/). */
export const mailEntities: Function[] = [
  OutboxMail
]
