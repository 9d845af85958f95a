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
  /** The household's main responsable's login (issue 16): invites the other adults and sets their rights. */
  @Column({ type: 'boolean', default: true }) main: boolean
  /** What this login may do beyond seeing (portal-rights.ts), as a comma list. */
  @Column({ type: 'text', default: 'book,pay,edit' }) rights: string
  /** The adult holding the login, named in the audit log ('' on accounts made before: the responsable's name). */
  @Column({ name: 'first_name', type: 'text', default: '' }) firstName: string
  @Column({ name: 'last_name', type: 'text', default: '' }) lastName: string
  @Column({ name: 'person_id', type: 'integer', nullable: true }) personId: number | null
}

/** An adult invited to the household's portal by its main responsable (accounts/logins.ts). Single use, expires. */
@Entity('portal_invitation')
export class PortalInvitation {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'family_id', type: 'integer' }) familyId: number
  @Column({ type: 'text' }) email: string
  @Column({ name: 'first_name', type: 'text' }) firstName: string
  @Column({ name: 'last_name', type: 'text' }) lastName: string
  @Column({ name: 'person_id', type: 'integer', nullable: true }) personId: number | null
  @Column({ type: 'text' }) rights: string
  @Column({ name: 'token_hash', type: 'text', unique: true }) tokenHash: string
  @Column({ name: 'invited_by', type: 'integer', nullable: true }) invitedBy: number | null
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'expires_at', type: 'text' }) expiresAt: string
  @Column({ name: 'used_at', type: 'text', nullable: true }) usedAt: string | null
  @Column({ name: 'cancelled_at', type: 'text', nullable: true }) cancelledAt: string | null
  @Column({ name: 'account_id', type: 'integer', nullable: true }) accountId: number | null
}

export type SessionKind = 'staff' | 'portal'

/**
 * Where a session was opened, and the only place it is valid: the staff listener on 127.0.0.1, the staff listener
 * on the LAN, the desktop window (IPC), the family portal. A cookie carried from one to another is refused.
 */
export type SessionListener = 'loopback' | 'lan' | 'ipc' | 'portal'

/**
 * `full`: a working session. `second-factor`: the password was right and the TOTP code is awaited (nothing else is
 * allowed). `two-factor-setup`: on this computer only, the policy requires a second factor the user has not set up:
 * setting it up is all the session allows.
 */
export type SessionStage = 'full' | 'second-factor' | 'two-factor-setup'

/** Server-side session. `id` is the SHA-256 of the cookie value, so a stolen database does not yield live cookies. */
@Entity('session')
export class Session {
  @PrimaryColumn({ type: 'text' }) id: string
  @Column({ type: 'text' }) kind: SessionKind
  @Column({ name: 'user_id', type: 'integer' }) userId: number
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'last_seen_at', type: 'text' }) lastSeenAt: string
  @Column({ name: 'expires_at', type: 'text' }) expiresAt: string
  @Column({ type: 'text' }) listener: SessionListener
  @Column({ type: 'text' }) stage: SessionStage
  /** Client address as the listener saw it ('ipc' for the desktop window). */
  @Column({ type: 'text' }) address: string
  /** Random id the « Postes connectés » list names the session by (the primary key never leaves the server). */
  @Column({ name: 'public_id', type: 'text', unique: true }) publicId: string
}

/** A staff user's TOTP second factor (accounts/totp.ts). Secrets are sealed with the installation key. */
@Entity('staff_totp')
export class StaffTotp {
  @PrimaryColumn({ name: 'user_id', type: 'integer' }) userId: number
  /** The confirmed secret (sealed), null until one is confirmed. */
  @Column({ type: 'text', nullable: true }) secret: string | null
  @Column({ name: 'confirmed_at', type: 'text', nullable: true }) confirmedAt: string | null
  /** A secret being set up (sealed): it replaces `secret` once a code from it is entered. */
  @Column({ name: 'pending_secret', type: 'text', nullable: true }) pendingSecret: string | null
  @Column({ name: 'pending_since', type: 'text', nullable: true }) pendingSince: string | null
  /** RFC 6238 time step of the last code accepted: a code of that step or an earlier one is refused (replay). */
  @Column({ name: 'last_time_step', type: 'integer', default: 0 }) lastTimeStep: number
}

/** A single-use recovery code, stored as its SHA-256 (the codes are random, 80 bits). */
@Entity('staff_recovery_code')
export class StaffRecoveryCode {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number
  @Column({ name: 'user_id', type: 'integer' }) userId: number
  @Column({ name: 'code_hash', type: 'text', unique: true }) codeHash: string
  @Column({ name: 'created_at', type: 'text' }) createdAt: string
  @Column({ name: 'used_at', type: 'text', nullable: true }) usedAt: string | null
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
  PortalInvitation,
  Session,
  PasswordToken,
  LoginThrottle,
  LoginKnownAddress,
  StaffTotp,
  StaffRecoveryCode
]
