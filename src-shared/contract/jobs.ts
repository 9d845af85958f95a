import { z } from '../zod-fr'

/**
 * A commune-wide job (#19: a city's closure, a school year's auto-booking):
 * its progress while it runs, whether it was interrupted (« Reprendre »), its
 * counts when done.
 */
export const bulkJob = z.object({
  id: z.number().int(),
  kind: z.enum(['closure', 'autobook']),
  state: z.enum(['running', 'interrupted', 'done']),
  done: z.number().int(),
  total: z.number().int(),
  result: z.record(z.string(), z.number()),
  label: z.string(),
  createdAt: z.string(),
  createdBy: z.string()
})
export type BulkJobDto = z.infer<typeof bulkJob>
