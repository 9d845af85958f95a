import type { EntityManager } from 'typeorm'
import type { Audience, NewsItemDto } from '@shared/contract/family-file-shapes'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { DomainError, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { claimVersion } from '../db/versions'
import { StoredFile } from '../documents/entities'
import { claimUploads, unlinkAfterCommit } from '../documents/storage'
import { audienceLabel, resolveAudience } from '../families/audience'
import { NewsItem, NewsItemFamily } from './entities'

type StaffActor = Extract<Actor, { kind: 'staff' }>

export interface NewsInput {
  id: number | null
  /** As loaded; required with an id. */
  version?: number
  title: string
  body: string
  imageUploadId: number | null
  removeImage: boolean
  audience: Audience
  publishFrom: string
  publishUntil: string | null
}

/** Creates or updates a news item. A new image replaces the old one, whose file is removed. */
export async function saveNews(core: Core, actor: StaffActor, input: NewsInput): Promise<number> {
  const id = await core.tx.run(async (m) => {
    const now = core.clock.now().toISOString()
    const existing = input.id ? await m.findOneBy(NewsItem, { id: input.id }) : null
    if (input.id && !existing) throw notFound('Actualité')
    if (existing) existing.version = claimVersion(m, 'news_item', { id: existing.id }, input.version, actor, core.clock.now())
    const before = existing ? { ...existing } : null
    let imageFileId = existing?.imageFileId ?? null
    const oldImage = imageFileId
    if (input.imageUploadId) {
      const [f] = await claimUploads(m, [input.imageUploadId], null)
      if (!f.mime.startsWith('image/')) throw new DomainError('bad_file', 'L’illustration doit être une image JPEG ou PNG.', 400)
      imageFileId = f.id
    } else if (input.removeImage) imageFileId = null
    const n = await m.save(
      NewsItem,
      Object.assign(existing ?? new NewsItem(), {
        title: input.title,
        body: input.body,
        imageFileId,
        audience: JSON.stringify(input.audience),
        audienceAll: input.audience.kind === 'all',
        publishFrom: input.publishFrom,
        publishUntil: input.publishUntil,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        createdBy: existing?.createdBy ?? actor.id
      })
    )
    await m.delete(NewsItemFamily, { newsId: n.id })
    if (input.audience.kind !== 'all') {
      const ids = await resolveAudience(m, input.audience)
      if (ids.length === 0) throw new DomainError('empty_audience', 'Aucune famille active ne correspond à ce choix de destinataires.', 400)
      for (let i = 0; i < ids.length; i += 400) await m.insert(NewsItemFamily, ids.slice(i, i + 400).map((familyId) => ({ newsId: n.id, familyId })))
    }
    if (oldImage && oldImage !== imageFileId) {
      const f = await m.findOneBy(StoredFile, { id: oldImage })
      if (f) {
        await m.delete(StoredFile, { id: f.id })
        unlinkAfterCommit(core, [f.storageName])
      }
    }
    await audit(m, actor, core.clock.now(), { action: existing ? 'news-update' : 'news-create', entity: 'news_item', entityId: n.id, before, after: n })
    return n.id
  })
  return id
}

export async function deleteNews(core: Core, actor: StaffActor, id: number): Promise<void> {
  await core.tx.run(async (m) => {
    const n = await m.findOneBy(NewsItem, { id })
    if (!n) throw notFound('Actualité')
    await m.delete(NewsItem, { id })
    const f = n.imageFileId ? await m.findOneBy(StoredFile, { id: n.imageFileId }) : null
    if (f) {
      await m.delete(StoredFile, { id: f.id })
      unlinkAfterCommit(core, [f.storageName])
    }
    await audit(m, actor, core.clock.now(), { action: 'news-delete', entity: 'news_item', entityId: id, before: n })
  })
}

async function dto(m: EntityManager, n: NewsItem): Promise<NewsItemDto> {
  const audience = JSON.parse(n.audience) as Audience
  return {
    id: n.id,
    title: n.title,
    body: n.body,
    hasImage: n.imageFileId !== null,
    audience,
    audienceLabel: await audienceLabel(m, audience),
    publishFrom: n.publishFrom,
    publishUntil: n.publishUntil,
    createdAt: n.createdAt,
    updatedAt: n.updatedAt,
    version: n.version
  }
}

export async function listNewsStaff(core: Core): Promise<NewsItemDto[]> {
  return core.tx.read(async (m) => {
    const rows = await m.find(NewsItem, { order: { publishFrom: 'DESC', id: 'DESC' }, take: 500 })
    const out: NewsItemDto[] = []
    for (const n of rows) out.push(await dto(m, n))
    return out
  })
}

const VISIBLE = `(n.audience_all = 1 OR EXISTS (SELECT 1 FROM news_item_family x WHERE x.news_id = n.id AND x.family_id = ?))
  AND n.publish_from <= ? AND (n.publish_until IS NULL OR n.publish_until >= ?)`

/** "Actualités": the current news for a family, newest first. */
export async function listNewsForFamily(core: Core, familyId: number, limit: number) {
  const today = parisDay(core.clock.now())
  return core.tx.read(async (m) => {
    const rows: { id: number }[] = await m.query(`SELECT n.id FROM news_item n WHERE ${VISIBLE} ORDER BY n.publish_from DESC, n.id DESC LIMIT ?`, [familyId, today, today, limit])
    const out = []
    for (const r of rows) {
      const n = await m.findOneByOrFail(NewsItem, { id: Number(r.id) })
      out.push({ id: n.id, title: n.title, body: n.body, hasImage: n.imageFileId !== null, publishFrom: n.publishFrom, publishUntil: n.publishUntil })
    }
    return out
  })
}

export async function newsVisibleTo(m: EntityManager, newsId: number, familyId: number, today: string): Promise<boolean> {
  return (await m.query(`SELECT 1 FROM news_item n WHERE n.id = ? AND ${VISIBLE}`, [newsId, familyId, today, today])).length > 0
}
