import type { familyFilePortalProcedures } from '@shared/contract/portal-family-file'
import { cancelFileChange, listFamilyRequests, requestChildAdd, requestFileChange } from '../families/change-requests'
import { loadFamilyFile } from '../families/file'
import { listFamilyDocuments, listPublishedForFamily, sendFamilyDocument } from '../documents/documents'
import { discardUpload } from '../documents/uploads'
import {
  familyThread,
  familyUnreadCount,
  listFamilyThreads,
  markThreadRead,
  messageOptions,
  moveFamilyThread,
  replyAsFamily,
  sendFamilyMessage
} from '../messaging/messaging'
import { listNewsForFamily } from '../news/news'
import { requireActor, type FamilyActor, type HandlersFor } from './types'

const OK = { ok: true as const }

/** Portal handlers of issue #3. Every one acts for `ctx.actor.familyId` only; ids were checked by `owns`. */
export const familyFilePortalHandlers: HandlersFor<typeof familyFilePortalProcedures, FamilyActor | null> = {
  'file-get': async (_i, ctx) => {
    const a = requireActor(ctx)
    return ctx.core.tx.read((m) => loadFamilyFile(m, ctx.core, a.familyId, 'family'))
  },
  'file-request-change': async (i, ctx) => ({ requestId: await requestFileChange(ctx.core, requireActor(ctx), i) }),
  'file-request-child': async (i, ctx) => ({ requestId: await requestChildAdd(ctx.core, requireActor(ctx), i) }),

  'requests-mine': async (i, ctx) => listFamilyRequests(ctx.core, requireActor(ctx).familyId, { category: i.category || undefined, from: i.from, to: i.to }),
  'requests-cancel': async (i, ctx) => {
    await cancelFileChange(ctx.core, requireActor(ctx), i.requestId)
    return OK
  },

  'messages-options': async (_i, ctx) => ctx.core.tx.read((m) => messageOptions(m, true)),
  'messages-list': async (i, ctx) => listFamilyThreads(ctx.core, requireActor(ctx).familyId, i.folder),
  'messages-thread': async (i, ctx) => familyThread(ctx.core, requireActor(ctx).familyId, i.threadId),
  'messages-mark-read': async (i, ctx) => {
    await markThreadRead(ctx.core, 'family', i.threadId, requireActor(ctx).familyId)
    return OK
  },
  'messages-send': async (i, ctx) => ({ threadId: await sendFamilyMessage(ctx.core, requireActor(ctx), i) }),
  'messages-reply': async (i, ctx) => ({ messageId: await replyAsFamily(ctx.core, requireActor(ctx), i.threadId, i.body, i.uploadIds) }),
  'messages-move': async (i, ctx) => {
    await moveFamilyThread(ctx.core, requireActor(ctx), i.threadId, i.folder)
    return OK
  },
  'messages-unread': async (_i, ctx) => ({ count: await ctx.core.tx.read((m) => familyUnreadCount(m, requireActor(ctx).familyId)) }),
  'uploads-discard': async (i, ctx) => {
    await discardUpload(ctx.core, requireActor(ctx), i.uploadId)
    return OK
  },

  'documents-mine': async (_i, ctx) => listFamilyDocuments(ctx.core, requireActor(ctx).familyId),
  'documents-downloads': async (_i, ctx) => listPublishedForFamily(ctx.core, requireActor(ctx).familyId),
  'documents-send': async (i, ctx) => ({ documentId: await sendFamilyDocument(ctx.core, requireActor(ctx), i) }),

  'news-list': async (i, ctx) => listNewsForFamily(ctx.core, requireActor(ctx).familyId, i.limit)
}
