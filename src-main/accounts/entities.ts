import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm'
import { RecordVersion } from '../db/version-column'
import type { StaffRole } from '../core/actor'

@Entity('staff_user')
export class StaffUser {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ type: 'text', unique: true }) login: string
  @Column({ name: 'display_name', type: 'text' }) displayName: string
  @Column({ type: 'text', default: '' }) email: string
  @Column({ type: 'text' }) role: StaffRole
  @Column({ name: 'password_hash', type: 'text' }) passwordHash: string
  @Column({ name: 'must_change_password', type: 'boolean', default: false }) mustChangePassword: boolean
  @Column({ type: 'boolean', default: true }) active: boolean
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'last_login_at', type: 'text', nullable: true }) lastLoginAt: string | null
  @RecordVersion() version: number
}

export type PortalAccountStatus = 'pending' | 'active' | 'refused' | 'disabled'

@Entity('portal_account')
export class PortalAccount {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'family_id', type: 'integer', nullable: true }) familyId: number | null
  /** The identifier a family logs in with: its e-mail, or a login handed out by the structure. */
  @Column({ type: 'text', unique: true }) login: string
  @Column({ name: 'password_hash', type: 'text' }) passwordHash: string
  @Column({ type: 'text' }) status: PortalAccountStatus
  @Column({ name: 'must_change_password', type: 'boolean', default: false }) mustChangePassword: boolean
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'validated_at', type: 'text', nullable: true }) validatedAt: string | null
  @Column({ name: 'last_login_at', type: 'text', nullable: true }) lastLoginAt: string | null
}

export type SessionKind = 'staff' | 'portal'

/** Server-side session. `id` is the SHA-256 of the cookie value, so a stolen database does not yield live cookies. */
@Entity('session')
export class Session {
  @PrimaryColumn({ type: 'text' }) id: string
  @Column({ type: 'text' }) kind: SessionKind
  @Column({ name: 'user_id', type: 'integer' }) userId: number
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'last_seen_at', type: 'text' }) lastSeenAt: string
  @Column({ name: 'expires_at', type: 'text' }) expiresAt: string
}

@Entity('password_token')
export class PasswordToken {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'token_hash', type: 'text', unique: true }) tokenHash: string
  @Column({ type: 'text' }) kind: SessionKind
  @Column({ name: 'user_id', type: 'integer' }) userId: number
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'expires_at', type: 'text' }) expiresAt: string
  @Column({ name: 'used_at', type: 'text', nullable: true }) usedAt: string | null
}

/** One throttle budget (accounts/throttle.ts): failures in the current window and when the last one happened. */
@Entity('login_throttle')
export class LoginThrottle {
  @PrimaryColumn({ type: 'text' }) key: string
  @Column({ type: 'integer' }) failures: number
  @Column({ name: 'window_start', type: 'text' }) windowStart: string
  @Column({ name: 'last_failure_at', type: 'text' }) lastFailureAt: string
  /** When the owner was last told of failed attempts (account budgets only). */
  @Column({ name: 'alerted_at', type: 'text', nullable: true }) alertedAt: string | null
}

/** An address this account logged in from successfully: it skips the account-wide budget. */
@Entity('login_known_address')
export class LoginKnownAddress {
  @PrimaryColumn({ type: 'text' }) kind: SessionKind
  @PrimaryColumn({ name: 'user_id', type: 'integer' }) userId: number
  @PrimaryColumn({ type: 'text' }) address: string
  @Column({ name: 'last_success_at', type: 'text' }) lastSuccessAt: string
}

/** The entities of accounts, registered in core/entities.ts (like its handlers in rpc/). */
export const accountsEntities: Function[] = [
  StaffUser,
  PortalAccount,
  Session,
  PasswordToken,
  LoginThrottle,
  LoginKnownAddress
]
