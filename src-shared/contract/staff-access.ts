import { z } from '../zod-fr'
import { empty, ok, recordVersion } from './common'
import { proc, type ProcedureMap } from './procedure'
import { staffRole } from './shapes'
import { ALL, DIRECTION, sessionOut } from './staff-foundation'

/**
 * Who reaches the back-office, from where, and how: the back-office on the
 * local network (Paramètres › Postes et tablettes), the second factor (TOTP
 * and recovery codes), the connected posts.
 */
export const LAN_PORT_MIN = 1024
export const lanTlsMode = z.enum(['self-signed', 'operator'])
export const staffListener = z.enum(['loopback', 'lan', 'ipc'])
export type StaffListenerDto = z.infer<typeof staffListener>

export const networkSettings = z.object({
  enabled: z.boolean(),
  port: z
    .number({ error: 'Indiquez un numéro de port.' })
    .int({ error: 'Le port est un nombre entier.' })
    .min(LAN_PORT_MIN, { error: `Le port doit être compris entre ${LAN_PORT_MIN} et 65535.` })
    .max(65535, { error: `Le port doit être compris entre ${LAN_PORT_MIN} et 65535.` }),
  /** CIDR ranges (« 192.168.1.0/24 ») or single addresses; checked and put in canonical form by the server. */
  allowedRanges: z.array(z.string().trim().max(100)).max(50, { error: '50 plages au maximum.' }),
  tlsMode: lanTlsMode
})
export type NetworkSettingsDto = z.infer<typeof networkSettings>

/** The back-office on the LAN as it runs now. */
export const lanStatus = z.object({
  running: z.boolean(),
  /** Addresses to type on the other computers. */
  urls: z.array(z.string()),
  fingerprint: z.string().nullable(),
  certificateExpiresAt: z.string().nullable(),
  /** Why it does not run although enabled (port taken…), in French. */
  error: z.string().nullable(),
  /** False where this process cannot open the listener itself (then changes apply at the next start). */
  live: z.boolean(),
  refused: z.object({ count: z.number().int(), lastAddress: z.string(), lastAt: z.string() }).nullable()
})
export type LanStatusDto = z.infer<typeof lanStatus>

export const twoFactorPolicy = z.object({
  /** Roles that must give a second factor on this computer too (on the LAN it is always required). */
  loopbackRoles: z.array(staffRole).max(4)
})

export const connectedPost = z.object({
  id: z.string(),
  userId: z.number().int(),
  displayName: z.string(),
  login: z.string(),
  role: staffRole,
  listener: staffListener,
  address: z.string(),
  stage: z.enum(['full', 'second-factor', 'two-factor-setup']),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  current: z.boolean()
})
export type ConnectedPostDto = z.infer<typeof connectedPost>

const totpCode = z.string().trim().min(1, { error: 'Saisissez le code.' }).max(40)
const recoveryCodes = z.object({ recoveryCodes: z.array(z.string()) })
const currentPassword = z.string().max(256).default('')

export const accessStaffProcedures = {
  /** The second step of a login: the TOTP code (or a recovery code) of a session awaiting it. */
  'auth-second-factor': proc({ input: z.object({ code: totpCode }), output: sessionOut, public: true }),

  'network-settings-get': proc({
    input: empty,
    output: networkSettings.extend({ version: z.number().int(), suggestedRanges: z.array(z.string()), status: lanStatus, policy: twoFactorPolicy.extend({ version: z.number().int() }) }),
    roles: DIRECTION,
    query: true
  }),
  'network-settings-update': proc({
    input: networkSettings.extend({ certPem: z.string().max(100_000).default(''), keyPem: z.string().max(100_000).default(''), version: recordVersion }),
    output: lanStatus,
    roles: DIRECTION
  }),
  'two-factor-policy-update': proc({ input: twoFactorPolicy.extend({ version: recordVersion }), output: ok, roles: DIRECTION }),

  'sessions-list': proc({ input: empty, output: z.array(connectedPost), roles: DIRECTION, query: true }),
  'sessions-end': proc({ input: z.object({ id: z.string().min(1).max(64) }), output: ok, roles: DIRECTION }),

  'totp-status': proc({
    input: empty,
    output: z.object({
      enabled: z.boolean(),
      confirmedAt: z.string().nullable(),
      recoveryCodesLeft: z.number().int(),
      usable: z.boolean(),
      /** Whether this user must give a second factor on this computer (on the LAN: always). */
      requiredHere: z.boolean()
    }),
    roles: ALL,
    query: true
  }),
  /** A new secret to scan; the password is asked when one is already set up (moving it to another phone). */
  'totp-setup-start': proc({
    input: z.object({ password: currentPassword }),
    output: z.object({ secret: z.string(), uri: z.string(), qrDataUrl: z.string() }),
    roles: ALL
  }),
  'totp-setup-confirm': proc({ input: z.object({ code: totpCode }), output: recoveryCodes, roles: ALL }),
  'totp-recovery-regenerate': proc({ input: z.object({ password: currentPassword }), output: recoveryCodes, roles: ALL }),
  /** A lost phone: the direction removes someone's second factor (they set it up again on the main computer). */
  'staff-two-factor-reset': proc({ input: z.object({ id: z.number().int().positive() }), output: ok, roles: DIRECTION })
} satisfies ProcedureMap
