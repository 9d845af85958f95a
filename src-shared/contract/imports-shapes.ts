import { z } from '../zod-fr'
import { id } from './common'
import { IMPORT_FIELD_IDS } from '../imports/fields'

/** Largest file an import accepts (a commune's Noethys data file is a few MB; a .nod compresses it). */
export const IMPORT_MAX_BYTES = 40 * 1024 * 1024
export const IMPORT_MAX_LABEL = '40 Mo'

export const importFormat = z.enum(['noethys', 'noethys-backup', 'noethys-encrypted', 'noethys-photos', 'csv', 'xlsx'])
export type ImportFormat = z.infer<typeof importFormat>

export const importField = z.enum(IMPORT_FIELD_IDS)

export const spreadsheetInfo = z.object({
  /** Titles of the columns, in order ("Colonne F" when the title cell is empty). */
  headers: z.array(z.string()),
  /** A few data rows, as text, for the mapping dialog. */
  samples: z.array(z.array(z.string())),
  rowCount: z.number().int(),
  /** Field chosen for each column ('' = not imported): remembered from last time, else guessed. */
  mapping: z.array(z.union([importField, z.literal('')])),
  /** Columns whose field comes from the remembered mapping (not a guess). */
  remembered: z.array(z.boolean()),
  facts: z.array(z.object({ label: z.string(), value: z.string() }))
})
export type SpreadsheetInfoDto = z.infer<typeof spreadsheetInfo>

export const importUploadInfo = z.object({
  uploadId: id,
  name: z.string(),
  size: z.number().int(),
  format: importFormat,
  /** A .noc: the password is needed before anything can be read. */
  needsPassword: z.boolean(),
  spreadsheet: spreadsheetInfo.nullable()
})
export type ImportUploadInfoDto = z.infer<typeof importUploadInfo>

export const importOptions = z.object({
  openingBalances: z.boolean().default(false),
  mandates: z.boolean().default(true),
  /** Leave out the families that look like ones already in Ribambelle. */
  skipDuplicates: z.boolean().default(true)
})

export const importRequest = z.object({
  uploadId: id,
  /** Password of a .noc backup. */
  password: z.string().max(200).optional(),
  /** A Noethys `_PHOTOS.dat` sent separately. */
  photosUploadId: id.optional(),
  /** Spreadsheets: field of each column, by position ('' = not imported). */
  mapping: z.array(z.union([importField, z.literal('')])).max(200).optional(),
  options: importOptions.default({ openingBalances: false, mandates: true, skipDuplicates: true })
})
export type ImportRequest = z.output<typeof importRequest>

export const importCounts = z.object({
  families: z.number().int(),
  persons: z.number().int(),
  children: z.number().int(),
  pickups: z.number().int(),
  quotients: z.number().int(),
  healthFiles: z.number().int(),
  activities: z.number().int(),
  groups: z.number().int(),
  units: z.number().int(),
  enrolments: z.number().int(),
  balances: z.number().int(),
  balanceCents: z.number().int(),
  mandates: z.number().int(),
  photos: z.number().int(),
  notes: z.number().int()
})
export type ImportCountsDto = z.infer<typeof importCounts>

export const importIssue = z.object({
  row: z.number().int().nullable(),
  ref: z.string(),
  message: z.string(),
  effect: z.string(),
  level: z.enum(['refused', 'warning'])
})

export const importDuplicate = z.object({
  ref: z.string(),
  name: z.string(),
  /** Who matched: "Léa BERNARD, née le 11/02/2018". */
  match: z.string(),
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string()
})

export const importPreview = z.object({
  source: z.enum(['noethys', 'csv', 'xlsx']),
  fileName: z.string(),
  facts: z.array(z.object({ label: z.string(), value: z.string() })),
  counts: importCounts,
  mapping: z.array(z.object({ from: z.string(), to: z.string(), count: z.number().int(), note: z.string().optional() })),
  /** At most 1,000 issues are listed; `issueCount` says how many there are. */
  issues: z.array(importIssue),
  issueCount: z.number().int(),
  refusedCount: z.number().int(),
  duplicates: z.array(importDuplicate),
  skipped: z.array(z.object({ label: z.string(), count: z.number().int(), reason: z.string() })),
  /** A sample of what will be created, for a look before confirming. */
  sample: z.array(z.object({ ref: z.string(), name: z.string(), children: z.array(z.string()), city: z.string() }))
})
export type ImportPreviewDto = z.infer<typeof importPreview>

export const importBatch = z.object({
  id,
  source: z.enum(['noethys', 'csv', 'xlsx']),
  fileName: z.string(),
  fileSize: z.number().int(),
  counts: importCounts.partial(),
  status: z.enum(['committed', 'undone']),
  createdBy: z.string(),
  createdAt: z.string(),
  undoneBy: z.string().nullable(),
  undoneAt: z.string().nullable(),
  backupName: z.string()
})
export type ImportBatchDto = z.infer<typeof importBatch>

export const undoBlocker = z.object({ label: z.string(), count: z.number().int() })

export const inviteStatus = z.object({
  /** Families of the batch with a responsable e-mail and no portal account yet. */
  invitable: z.number().int(),
  /** Invited, link not used yet. */
  invited: z.number().int(),
  /** Invited and a password chosen (or an account from elsewhere). */
  withAccount: z.number().int(),
  /** E-mails of the invitations: waiting, sent, failed. */
  mails: z.object({ pending: z.number().int(), sent: z.number().int(), failed: z.number().int() }),
  /** Families with no e-mail to write to: the desk calls them. */
  withoutEmail: z.array(z.object({ familyId: id, number: z.number().int(), name: z.string(), phone: z.string() })),
  /** Families whose e-mail is already the login of another account. */
  loginTaken: z.array(z.object({ familyId: id, number: z.number().int(), name: z.string(), email: z.string() }))
})
export type InviteStatusDto = z.infer<typeof inviteStatus>

export const importBatchDetail = importBatch.extend({
  /** Why the batch cannot be undone (empty: it can). */
  blockers: z.array(undoBlocker),
  invitations: inviteStatus
})
export type ImportBatchDetailDto = z.infer<typeof importBatchDetail>
