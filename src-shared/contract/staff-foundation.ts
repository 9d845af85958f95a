import { z } from '../zod-fr'
import { email, empty, id, nonEmpty, ok, page, password, recordVersion, requestStatus } from './common'
import { proc, type ProcedureMap, type StaffRole } from './procedure'
import {
  auditEntry,
  backupCopyResult,
  backupInfo,
  backupLastRun,
  backupSettings,
  childInput,
  familyDetail,
  familyStatus,
  familySummary,
  outboxMail,
  outboxStatus,
  personInput,
  requestDto,
  smtpSettings,
  staffRole,
  staffUser,
  structureInput
} from './shapes'

export const ALL: readonly StaffRole[] = ['direction', 'accueil', 'comptable', 'animateur']
export const DIRECTION: readonly StaffRole[] = ['direction']
export const DESK: readonly StaffRole[] = ['direction', 'accueil']
export const FAMILY_READERS: readonly StaffRole[] = ['direction', 'accueil', 'comptable', 'animateur']

/**
 * A login still under way: `second-factor` (password right, the code awaited; `user` is null) or
 * `two-factor-setup` (this computer only: the second factor the direction requires must be set up first).
 */
export const loginStage = z.enum(['second-factor', 'two-factor-setup'])
export const sessionOut = z.object({ user: staffUser.nullable(), csrfToken: z.string(), stage: loginStage.nullable() })
/** A settings screen gets the version with the values and sends it back with the save. */
const loaded = { version: z.number().int() }
const sentBack = { version: recordVersion }

/**
 * Staff API: served on 127.0.0.1 (HTTP) and over Electron IPC, never on the
 * portal listener. Names are `domain-verb`.
 */
export const foundationStaffProcedures = {
  'auth-session': proc({ input: empty, output: sessionOut, public: true, query: true }),
  'auth-login': proc({
    input: z.object({ login: z.string().trim().min(1).max(200), password: z.string().min(1).max(256) }),
    output: sessionOut,
    public: true
  }),
  'auth-logout': proc({ input: empty, output: ok, roles: ALL }),
  'auth-change-password': proc({ input: z.object({ current: z.string(), next: password }), output: ok, roles: ALL }),

  'families-search': proc({
    input: page.extend({ query: z.string().trim().max(100).default(''), status: familyStatus.optional() }),
    output: z.object({ total: z.number().int(), items: z.array(familySummary) }),
    roles: FAMILY_READERS,
    query: true
  }),
  'families-get': proc({ input: z.object({ familyId: id }), output: familyDetail, roles: FAMILY_READERS, query: true }),
  'families-create': proc({
    input: z.object({
      responsable: personInput,
      conjoint: personInput.nullable().default(null),
      address: z.string().trim().max(200).default(''),
      postalCode: z.string().trim().max(10).default(''),
      city: z.string().trim().max(100).default(''),
      children: z.array(childInput).max(20).default([])
    }),
    output: z.object({ familyId: id, number: z.number().int() }),
    roles: DESK
  }),
  'accounts-create-portal': proc({
    input: z.object({ familyId: id, login: email }),
    output: z.object({ accountId: id }),
    roles: DESK
  }),
  'accounts-set-portal-status': proc({
    /** `newMainAccountId`: turning off a household's main login that has other active logins names who takes over. */
    input: z.object({ accountId: id, status: z.enum(['active', 'disabled']), newMainAccountId: id.nullable().default(null) }),
    output: ok,
    roles: DESK
  }),
  'accounts-cancel-invitation': proc({
    input: z.object({ invitationId: id }),
    output: ok,
    roles: DESK
  }),

  'requests-list': proc({
    input: page.extend({ type: z.string().optional(), status: requestStatus.optional(), familyId: id.optional(), requestId: id.optional() }),
    output: z.object({ total: z.number().int(), items: z.array(requestDto) }),
    roles: ALL,
    query: true
  }),
  'registrations-accept': proc({
    input: z.object({ requestId: id, linkFamilyId: id.nullable().default(null) }),
    output: z.object({ familyId: id }),
    roles: DESK
  }),
  'registrations-refuse': proc({
    input: z.object({ requestId: id, reason: nonEmpty('Motif du refus', 1000) }),
    output: ok,
    roles: DESK
  }),

  'structure-get': proc({ input: empty, output: structureInput.extend(loaded), roles: ALL, query: true }),
  'structure-update': proc({ input: structureInput.extend(sentBack), output: ok, roles: DIRECTION }),
  'smtp-get': proc({ input: empty, output: smtpSettings.extend(loaded), roles: DIRECTION, query: true }),
  'smtp-update': proc({ input: smtpSettings.extend(sentBack), output: ok, roles: DIRECTION }),
  'smtp-test': proc({ input: z.object({ to: email }), output: z.object({ ok: z.boolean(), message: z.string() }), roles: DIRECTION }),
  'portal-info': proc({
    input: empty,
    output: z.object({
      urls: z.array(z.string()),
      publicUrl: z.string(),
      tlsMode: z.enum(['self-signed', 'operator', 'reverse-proxy']),
      fingerprint: z.string().nullable(),
      certificateExpiresAt: z.string().nullable(),
      ...loaded
    }),
    roles: ALL,
    query: true
  }),
  'portal-update': proc({
    input: z.object({
      publicUrl: z.string().trim().max(300).default(''),
      tlsMode: z.enum(['self-signed', 'operator', 'reverse-proxy']),
      certPem: z.string().max(100_000).default(''),
      keyPem: z.string().max(100_000).default(''),
      ...sentBack
    }),
    output: ok,
    roles: DIRECTION
  }),

  'staff-list': proc({ input: empty, output: z.array(staffUser.extend({ twoFactor: z.boolean() })), roles: DIRECTION, query: true }),
  'staff-create': proc({
    input: z.object({
      login: nonEmpty('Identifiant', 100),
      displayName: nonEmpty('Nom affiché', 100),
      email: z.union([z.literal(''), email]).default(''),
      role: staffRole,
      password
    }),
    output: z.object({ id }),
    roles: DIRECTION
  }),
  'staff-update': proc({
    input: z.object({ id, displayName: nonEmpty('Nom affiché', 100), role: staffRole, active: z.boolean(), ...sentBack }),
    output: ok,
    roles: DIRECTION
  }),
  'staff-reset-password': proc({ input: z.object({ id, password }), output: ok, roles: DIRECTION }),

  'audit-list': proc({
    input: page.extend({ entity: z.string().optional(), entityId: z.string().optional(), action: z.string().optional() }),
    output: z.object({ total: z.number().int(), items: z.array(auditEntry) }),
    roles: DIRECTION,
    query: true
  }),
  'backups-list': proc({ input: empty, output: z.array(backupInfo), roles: DIRECTION, query: true }),
  'backups-create': proc({ input: empty, output: backupInfo.extend({ copy: backupCopyResult.nullable() }), roles: DIRECTION }),
  'backups-settings-get': proc({
    input: empty,
    output: backupSettings.extend({
      /** Short fingerprint of the encryption key ('' when no passphrase was set), to tell one passphrase's copies from another's. */
      keyFingerprint: z.string(),
      keySetAt: z.string().nullable(),
      lastRun: backupLastRun.nullable(),
      ...loaded
    }),
    roles: DIRECTION,
    query: true
  }),
  'backups-settings-update': proc({
    input: backupSettings.extend({ passphrase: z.string().max(256, { error: 'Phrase de passe trop longue (256 caractères au maximum).' }).default(''), ...sentBack }),
    output: ok,
    roles: DIRECTION
  }),
  'backups-passphrase-check': proc({ input: z.object({ passphrase: z.string().min(1).max(256) }), output: z.object({ matches: z.boolean() }), roles: DIRECTION }),
  'outbox-list': proc({
    input: page.extend({ status: outboxStatus.optional() }),
    output: z.object({ total: z.number().int(), items: z.array(outboxMail) }),
    roles: DIRECTION,
    query: true
  }),
  'outbox-retry': proc({ input: z.object({ id }), output: ok, roles: DIRECTION })
} satisfies ProcedureMap

