import type { familyFileStaffProcedures } from '@shared/contract/staff-family-file'
import { DomainError } from '../core/errors'
import { parisDay } from '../core/clock'
import { acceptFileChange, listFileChanges, refuseFileChange } from '../families/change-requests'
import { addChild, loadFamilyFile, writeCustodyNotes, writeSection } from '../families/file'
import { getCustody, saveCustody } from '../families/custody'
import { getBillingSplit, saveBillingSplit } from '../families/billing-split'
import { familyIdByNumber, linkSecondHousehold, unlinkSecondHousehold } from '../families/households'
import { audienceChoices, audienceLabel, resolveAudience } from '../families/audience'
import {
  attachStaffDocument,
  decideFamilyDocument,
  deletePublishedDocument,
  listPublishedStaff,
  listStaffFamilyDocuments,
  publishDocument,
  updatePublishedDocument
} from '../documents/documents'
import { resolveDownload } from '../documents/downloads'
import { listPickupPhotos, pickupPhoto, setPickupPhoto } from '../families/pickup-photos'
import { receiveUpload } from '../documents/uploads'
import {
  assignThread,
  broadcastProgress,
  composeAsStaff,
  listBroadcasts,
  listStaffThreads,
  markThreadRead,
  messageOptions,
  optionsVersion,
  moveStaffThread,
  replyAsStaff,
  saveMessageOptions,
  staffThread,
  staffUnreadCounts
} from '../messaging/messaging'
import { deleteNews, listNewsStaff, saveNews } from '../news/news'
import { anonymiseFamily, previewAnonymisation, setDeparture } from '../rgpd/anonymise'
import { exportFamilyData, exportFamilyPdf } from '../rgpd/export'
import { requireActor, type HandlersFor, type StaffActor } from './types'

const OK = { ok: true as const }
const MONEY_SECTIONS = new Set(['fiscal', 'caf', 'bank'])

function forbidden(): never {
  throw new DomainError('forbidden_role', 'Votre rôle ne permet pas cette action.', 403)
}

/** Staff handlers of issue #3. */
export const familyFileStaffHandlers: HandlersFor<typeof familyFileStaffProcedures, StaffActor | null> = {
  'family-file-get': async (i, ctx) => ctx.core.tx.read((m) => loadFamilyFile(m, ctx.core, i.familyId, requireActor(ctx).role)),
  'family-file-save': async (i, ctx) => {
    const a = requireActor(ctx)
    // Accounting keeps the money sections up to date, not the rest of the file.
    if (a.role === 'comptable' && !MONEY_SECTIONS.has(i.section)) forbidden()
    await ctx.core.tx.run((m) =>
      writeSection(m, ctx.core, a, i.section, { familyId: i.familyId, childId: 'childId' in i ? i.childId : null }, i.values, {
        documentId: 'documentId' in i ? i.documentId : undefined,
        version: i.version
      })
    )
    return OK
  },
  'family-file-add-child': async (i, ctx) => ({ childId: await ctx.core.tx.run((m) => addChild(m, ctx.core, requireActor(ctx), i.familyId, i.child)) }),
  'family-file-custody': async (i, ctx) => {
    await writeCustodyNotes(ctx.core, requireActor(ctx), i.childId, i.custodyNotes, i.version)
    return OK
  },
  'child-household-link': async (i, ctx) => {
    const familyId = await ctx.core.tx.read((m) => familyIdByNumber(m, i.familyNumber))
    await linkSecondHousehold(ctx.core, requireActor(ctx), i.childId, familyId)
    return OK
  },
  'child-household-unlink': async (i, ctx) => {
    await unlinkSecondHousehold(ctx.core, requireActor(ctx), i.childId)
    return OK
  },
  'custody-get': async (i, ctx) => ctx.core.tx.read((m) => getCustody(m, i.childId, i.month ?? parisDay(ctx.core.clock.now()).slice(0, 7))),
  'custody-save': async (i, ctx) => {
    await saveCustody(ctx.core, requireActor(ctx), i.childId, i.calendar, i.version)
    return OK
  },
  'billing-split-get': async (i, ctx) => ctx.core.tx.read((m) => getBillingSplit(m, i.childId)),
  'billing-split-save': async (i, ctx) => {
    await saveBillingSplit(ctx.core, requireActor(ctx), i.childId, i.split, i.version)
    return OK
  },
  'family-file-departure': async (i, ctx) => {
    await setDeparture(ctx.core, requireActor(ctx), i.familyId, i.leftAt, i.version)
    return OK
  },

  'file-changes-list': async (i, ctx) => listFileChanges(ctx.core, requireActor(ctx).role, i),
  'file-changes-accept': async (i, ctx) => {
    await acceptFileChange(ctx.core, requireActor(ctx), i.requestId)
    return OK
  },
  'file-changes-refuse': async (i, ctx) => {
    await refuseFileChange(ctx.core, requireActor(ctx), i.requestId, i.reason)
    return OK
  },

  'messages-options-get': async (_i, ctx) =>
    ctx.core.tx.read(async (m) => ({ ...(await messageOptions(m, false)), versions: { service: optionsVersion(m, 'service'), theme: optionsVersion(m, 'theme') } })),
  'messages-options-save': async (i, ctx) => {
    await saveMessageOptions(ctx.core, requireActor(ctx), i.kind, i.items, i.version)
    return OK
  },
  'messages-staff-list': async (i, ctx) =>
    listStaffThreads(ctx.core, { ...i, search: i.search || undefined }),
  'messages-staff-thread': async (i, ctx) => staffThread(ctx.core, i.threadId),
  'messages-staff-mark-read': async (i, ctx) => {
    await markThreadRead(ctx.core, 'staff', i.threadId)
    return OK
  },
  'messages-staff-reply': async (i, ctx) => ({ messageId: await replyAsStaff(ctx.core, requireActor(ctx), i.threadId, i.body, i.uploadIds) }),
  'messages-staff-assign': async (i, ctx) => {
    await assignThread(ctx.core, requireActor(ctx), i.threadId, i.serviceId)
    return OK
  },
  'messages-staff-move': async (i, ctx) => {
    await moveStaffThread(ctx.core, requireActor(ctx), i.threadId, i.folder)
    return OK
  },
  'messages-staff-unread': async (_i, ctx) => staffUnreadCounts(ctx.core),
  'messages-staff-compose': async (i, ctx) => composeAsStaff(ctx.core, requireActor(ctx), i),
  'messages-audience-preview': async (i, ctx) =>
    ctx.core.tx.read(async (m) => ({ count: (await resolveAudience(m, i.audience)).length, label: await audienceLabel(m, i.audience) })),
  'messages-audience-choices': async (_i, ctx) => ctx.core.tx.read((m) => audienceChoices(m)),
  'messages-broadcast-progress': async (i, ctx) => broadcastProgress(ctx.core, i.broadcastId),
  'messages-broadcasts-list': async (i, ctx) => listBroadcasts(ctx.core, i.limit, i.offset),

  'files-upload': async (i, ctx) => receiveUpload(ctx.core, requireActor(ctx), i.name, Buffer.from(i.contentBase64, 'base64')),
  'files-fetch': async (i, ctx) => {
    const a = requireActor(ctx)
    const { file, data } = await resolveDownload(ctx.core, null, i.kind, i.id, a.role)
    return { name: file.name, mime: file.mime, contentBase64: data.toString('base64') }
  },

  'pickup-photos-list': (i, ctx) => listPickupPhotos(ctx.core, i.childId),
  'pickup-photo-set': (i, ctx) => setPickupPhoto(ctx.core, requireActor(ctx), i),
  'pickup-photo-get': (i, ctx) => pickupPhoto(ctx.core, i.pickupId),

  'documents-staff-list': async (i, ctx) => listStaffFamilyDocuments(ctx.core, i),
  'documents-decide': async (i, ctx) => {
    await decideFamilyDocument(ctx.core, requireActor(ctx), i.documentId, i.status, i.reason)
    return OK
  },
  'documents-attach': async (i, ctx) => ({ documentId: await attachStaffDocument(ctx.core, requireActor(ctx), i) }),
  'documents-published-list': async (_i, ctx) => listPublishedStaff(ctx.core),
  'documents-publish': async (i, ctx) => ({ documentId: await publishDocument(ctx.core, requireActor(ctx), i) }),
  'documents-published-update': async (i, ctx) => {
    const { id, ...rest } = i
    await updatePublishedDocument(ctx.core, requireActor(ctx), id, rest)
    return OK
  },
  'documents-published-delete': async (i, ctx) => {
    await deletePublishedDocument(ctx.core, requireActor(ctx), i.id)
    return OK
  },

  'news-staff-list': async (_i, ctx) => listNewsStaff(ctx.core),
  'news-save': async (i, ctx) => ({ id: await saveNews(ctx.core, requireActor(ctx), i) }),
  'news-delete': async (i, ctx) => {
    await deleteNews(ctx.core, requireActor(ctx), i.id)
    return OK
  },

  'rgpd-export-fetch': async (i, ctx) => {
    const data = i.format === 'json' ? Buffer.from(JSON.stringify(await exportFamilyData(ctx.core, i.familyId), null, 2)) : await exportFamilyPdf(ctx.core, i.familyId)
    return { name: `donnees-famille-${i.familyId}.${i.format}`, mime: i.format === 'json' ? 'application/json' : 'application/pdf', contentBase64: data.toString('base64') }
  },
  'rgpd-anonymise-preview': async (i, ctx) => previewAnonymisation(ctx.core, i.familyId),
  'rgpd-anonymise': async (i, ctx) => anonymiseFamily(ctx.core, requireActor(ctx), i.familyId, i.confirmation)
}
