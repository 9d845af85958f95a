import { z } from '../zod-fr'
import { empty, id } from './common'
import { proc, type ProcedureMap } from './procedure'
import { DESK, DIRECTION } from './staff-foundation'
import { importBatch, importBatchDetail, importPreview, importRequest, importUploadInfo, inviteStatus } from './imports-shapes'

const fileContent = z.object({ name: z.string(), mime: z.string(), contentBase64: z.string() })

/**
 * Staff procedures of issue #14: imports from Noethys and spreadsheets,
 * their batches and undo, and portal invitations for imported families.
 * The headless back-office sends files to `POST /api/staff/imports/upload`
 * (multipart); the Electron window uses `imports-upload`.
 */
export const importsStaffProcedures = {
  'imports-upload': proc({ input: z.object({ name: z.string().max(300), contentBase64: z.string() }), output: importUploadInfo, roles: DIRECTION }),
  /** Reads the file and says what an import would do; writes nothing. */
  'imports-preview': proc({ input: importRequest, output: importPreview, roles: DIRECTION }),
  /** A verified backup, then the whole import as one transaction. */
  'imports-commit': proc({ input: importRequest, output: z.object({ batchId: id, counts: importPreview.shape.counts }), roles: DIRECTION }),
  'imports-list': proc({ input: empty, output: z.array(importBatch), roles: DESK, query: true }),
  'imports-get': proc({ input: z.object({ batchId: id }), output: importBatchDetail, roles: DESK, query: true }),
  /** Removes everything the batch created, unless something was built on it since. */
  'imports-undo': proc({ input: z.object({ batchId: id }), output: importBatch, roles: DIRECTION }),
  /** Portal accounts for the batch's families with an e-mail: a link valid 7 days to choose a password. */
  'imports-invite': proc({ input: z.object({ batchId: id, resend: z.boolean().default(false) }), output: z.object({ invited: z.number().int(), status: inviteStatus }), roles: DESK }),
  'imports-template': proc({ input: z.object({ format: z.enum(['xlsx', 'csv']) }), output: fileContent, roles: DESK, query: true })
} satisfies ProcedureMap
