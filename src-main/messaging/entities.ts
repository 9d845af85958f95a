import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm'

/** "Service" list of the message form, configurable in the back-office. */
@Entity('message_service')
export class MessageService {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text', unique: true }) label: string
  @Column({ type: 'boolean', default: true }) active: boolean
  @Column({ type: 'integer', default: 0 }) position: number
}

/** "Thème" list of the message form. */
@Entity('message_theme')
export class MessageTheme {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text', unique: true }) label: string
  @Column({ type: 'boolean', default: true }) active: boolean
  @Column({ type: 'integer', default: 0 }) position: number
}

/** One message sent by staff to many families: one thread per family, so replies stay private. */
@Entity('message_broadcast')
export class MessageBroadcast {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text' }) subject: string
  @Column({ type: 'text' }) body: string
  @Column({ type: 'text' }) audience: string
  @Column({ type: 'integer', default: 0 }) recipients: number
  @Column({ type: 'integer', default: 0 }) emailed: number
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'created_by', type: 'integer', nullable: true }) createdBy: number | null
}

/** Links a broadcast to its outbox rows, for the progress bar. */
@Entity('broadcast_mail')
export class BroadcastMail {
  @PrimaryColumn({ name: 'broadcast_id', type: 'integer' }) broadcastId: number
  @PrimaryColumn({ name: 'outbox_id', type: 'integer' }) outboxId: number
}

export type FamilyFolder = 'active' | 'archived' | 'deleted'
export type StaffFolder = 'active' | 'archived'

@Entity('message_thread')
export class MessageThread {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ name: 'service_id', type: 'integer', nullable: true }) serviceId: number | null
  @Column({ name: 'theme_id', type: 'integer', nullable: true }) themeId: number | null
  @Column({ type: 'text' }) subject: string
  @Column({ type: 'text' }) origin: 'family' | 'staff'
  @Column({ name: 'family_folder', type: 'text', default: 'active' }) familyFolder: FamilyFolder
  @Column({ name: 'staff_folder', type: 'text', default: 'active' }) staffFolder: StaffFolder
  @Column({ name: 'broadcast_id', type: 'integer', nullable: true }) broadcastId: number | null
  @Column({ name: 'confirm_by_email', type: 'boolean', default: false }) confirmByEmail: boolean
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'last_message_at', type: 'text' }) lastMessageAt: string
}

@Entity('message')
export class Message {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'thread_id', type: 'integer' }) threadId: number
  @Column({ name: 'author_kind', type: 'text' }) authorKind: 'family' | 'staff'
  @Column({ name: 'author_id', type: 'integer', nullable: true }) authorId: number | null
  @Column({ name: 'author_label', type: 'text' }) authorLabel: string
  @Column({ type: 'text' }) body: string
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  /** When the other side first opened it. */
  @Column({ name: 'read_at', type: 'text', nullable: true }) readAt: string | null
}

@Entity('message_attachment')
export class MessageAttachment {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'message_id', type: 'integer' }) messageId: number
  @Column({ name: 'file_id', type: 'integer' }) fileId: number
}

/** The entities of messaging, registered in core/entities.ts (like its handlers in rpc/). */
export const messagingEntities: Function[] = [
  MessageService,
  MessageTheme,
  MessageBroadcast,
  BroadcastMail,
  MessageThread,
  Message,
  MessageAttachment
]
