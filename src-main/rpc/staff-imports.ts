import type { importsStaffProcedures } from '@shared/contract/staff-imports'
import { IMPORT_MAX_BYTES } from '@shared/contract/imports-shapes'
import { getBatch, listBatches, undoBatch } from '../imports/batches'
import { commitImport } from '../imports/commit'
import { inviteFamilies } from '../imports/invite'
import { previewImport } from '../imports/preview'
import { importTemplate } from '../imports/sheet/template'
import { receiveImportUpload, tooLarge } from '../imports/uploads'
import { requireActor, type HandlersFor, type StaffActor } from './types'

/** Staff handlers of issue #14. */
export const importsStaffHandlers: HandlersFor<typeof importsStaffProcedures, StaffActor | null> = {
  'imports-upload': async (i, ctx) => {
    // Base64 is 4/3 of the bytes: refuse before decoding a file far too large.
    if (i.contentBase64.length > Math.ceil(IMPORT_MAX_BYTES / 3) * 4 + 4) throw tooLarge(i.name)
    return receiveImportUpload(ctx.core, requireActor(ctx), i.name, Buffer.from(i.contentBase64, 'base64'))
  },
  'imports-preview': async (i, ctx) => previewImport(ctx.core, requireActor(ctx), i),
  'imports-commit': async (i, ctx) => commitImport(ctx.core, requireActor(ctx), i),
  'imports-list': async (_i, ctx) => listBatches(ctx.core),
  'imports-get': async (i, ctx) => getBatch(ctx.core, i.batchId),
  'imports-undo': async (i, ctx) => undoBatch(ctx.core, requireActor(ctx), i.batchId),
  'imports-invite': async (i, ctx) => inviteFamilies(ctx.core, requireActor(ctx), i.batchId, i.resend),
  'imports-template': async (i) => importTemplate(i.format)
}
