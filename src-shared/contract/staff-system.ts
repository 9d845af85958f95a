import { z } from '../zod-fr'
import { empty } from './common'
import { proc, type ProcedureMap } from './procedure'
import { ALL } from './staff-foundation'

export const healthLevel = z.enum(['ok', 'warning', 'danger'])
export type HealthLevel = z.infer<typeof healthLevel>

/** One line of « État du système »: what is checked, how it stands, and what to do, in French. */
export const healthCheck = z.object({
  key: z.enum(['disk', 'backup', 'outbox', 'certificate', 'database']),
  level: healthLevel,
  title: z.string(),
  message: z.string()
})
export type HealthCheckDto = z.infer<typeof healthCheck>

export const systemHealth = z.object({
  checkedAt: z.string(),
  dataDir: z.string(),
  /** Null when the file system cannot say (statfs unsupported). */
  disk: z.object({ freeBytes: z.number(), totalBytes: z.number() }).nullable(),
  database: z.object({ sizeBytes: z.number(), walBytes: z.number() }),
  lastBackup: z.object({ name: z.string(), createdAt: z.string(), sizeBytes: z.number() }).nullable(),
  outbox: z.object({ failed: z.number().int(), retrying: z.number().int(), waiting: z.number().int(), unconfirmed: z.number().int(), smtpConfigured: z.boolean() }),
  certificate: z.object({ mode: z.enum(['self-signed', 'operator', 'reverse-proxy']), expiresAt: z.string().nullable() }),
  checks: z.array(healthCheck)
})
export type SystemHealthDto = z.infer<typeof systemHealth>

/**
 * « État du système »: disk space, backups, e-mails, portal certificate,
 * database size. Read-only, so every staff role may see it (an animateur who
 * reads « disque presque plein » can tell the direction); the screens that
 * fix things stay the direction's.
 */
export const systemStaffProcedures = {
  'system-health': proc({ input: empty, output: systemHealth, roles: ALL, query: true })
} satisfies ProcedureMap
