import type { StaffRole } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { notFound } from '../core/errors'
import { Message, MessageAttachment, MessageThread } from '../messaging/entities'
import { NewsItem } from '../news/entities'
import { newsVisibleTo } from '../news/news'
import { commonFileDocument, publishedVisibleTo } from './documents'
import { FamilyDocument, PublishedDocument, StoredFile } from './entities'
import { readStoredFile } from './storage'

export const DOWNLOAD_KINDS = ['attachment', 'document', 'published', 'news-image'] as const
export type DownloadKind = (typeof DOWNLOAD_KINDS)[number]

/**
 * Finds the file behind a download id, for a family (only what is its own or
 * published to it) or for staff (familyId null). Every refusal is "not found",
 * so an id of another family tells nothing.
 */
export async function resolveDownload(
  core: Core,
  familyId: number | null,
  kind: DownloadKind,
  id: number,
  role?: StaffRole
): Promise<{ file: StoredFile; data: Buffer }> {
  // Animateurs read PAI documents (allergy care) and what every family sees, not messages or other papers.
  const animateur = familyId === null && role === 'animateur'
  const today = parisDay(core.clock.now())
  const file = await core.tx.read(async (m) => {
    let fileId: number | null = null
    switch (kind) {
      case 'attachment': {
        const a = await m.findOneBy(MessageAttachment, { id })
        const msg = a ? await m.findOneBy(Message, { id: a.messageId }) : null
        const t = msg ? await m.findOneBy(MessageThread, { id: msg.threadId }) : null
        if (a && t && !animateur && (familyId === null || t.familyId === familyId)) fileId = a.fileId
        break
      }
      case 'document': {
        const d = await m.findOneBy(FamilyDocument, { id })
        if (d && (!animateur || d.docType === 'pai') && (familyId === null || d.familyId === familyId || commonFileDocument(m, d, familyId))) fileId = d.fileId
        break
      }
      case 'published': {
        const d = await m.findOneBy(PublishedDocument, { id })
        if (d && (familyId === null || (await publishedVisibleTo(m, id, familyId, today)))) fileId = d.fileId
        break
      }
      case 'news-image': {
        const n = await m.findOneBy(NewsItem, { id })
        if (n?.imageFileId && (familyId === null || (await newsVisibleTo(m, id, familyId, today)))) fileId = n.imageFileId
        break
      }
    }
    return fileId ? m.findOneBy(StoredFile, { id: fileId }) : null
  })
  if (!file) throw notFound('Document')
  return { file, data: readStoredFile(core, file) }
}
