import { Child } from '../../../src-main/families/entities'
import { FamilyRequest } from '../../../src-main/requests/entities'
import { PDF, PNG, upload } from '../files'
import type { CrossFamilyModule } from './types'

/** Cross-family cases of #3 (family file, requests, messaging, documents, news). */
export const module: CrossFamilyModule = {
  async seed(ctx, { family, portal }) {
    const { core, staff, staffApp, portalApp } = ctx
    const tag = family.lastName
    const child = await core.tx.read((m) => m.findOneByOrFail(Child, { familyId: family.familyId }))
    const req = await portal.call('file-request-change', { section: 'fiscal', values: { taxYear: 2025, referenceIncome: 41_000 + family.familyId, dependentChildren: 1 } })
    if (req.status !== 200) throw new Error(`seed request: ${JSON.stringify(req.body)}`)
    const o = (await portal.call('messages-options', {})).body
    const att = await upload(portalApp, portal, `piece-${tag}.pdf`, PDF)
    const thread = await portal.call('messages-send', { serviceId: o.services[0].id, themeId: o.themes[0].id, subject: `Sujet secret ${tag}`, body: `Message privé de ${tag}`, uploadIds: [att.body.uploadId] })
    if (thread.status !== 200) throw new Error(`seed thread: ${JSON.stringify(thread.body)}`)
    await staff.call('messages-staff-reply', { threadId: thread.body.threadId, body: `Réponse privée pour ${tag}` })
    const attachmentId = (await portal.call('messages-thread', { threadId: thread.body.threadId })).body.messages[0].attachments[0].id
    const docUp = await upload(portalApp, portal, `justificatif-${tag}.pdf`, PDF)
    const doc = await portal.call('documents-send', { uploadId: docUp.body.uploadId, docType: 'justificatif-domicile', title: `Justificatif ${tag}` })
    const staged = await upload(portalApp, portal, `brouillon-${tag}.pdf`, PDF)
    const pubUp = await upload(staffApp, staff, `menu-${tag}.pdf`, PDF)
    const pub = await staff.call('documents-publish', { uploadId: pubUp.body.uploadId, category: 'menus', title: `Menu réservé ${tag}`, audience: { kind: 'families', familyIds: [family.familyId] } })
    const img = await upload(staffApp, staff, `image-${tag}.png`, PNG, 'image/png')
    const news = await staff.call('news-save', { title: `Actualité réservée ${tag}`, body: 'x', imageUploadId: img.body.uploadId, audience: { kind: 'families', familyIds: [family.familyId] }, publishFrom: '2026-01-01' })
    for (const r of [doc, pub, news]) if (r.status !== 200) throw new Error(`seed: ${JSON.stringify(r.body)}`)
    const request = await core.tx.read((m) => m.findOneByOrFail(FamilyRequest, { id: req.body.requestId }))
    return {
      child: child.id,
      person: (await portal.call('file-get', {})).body.responsable.id,
      request: request.id,
      thread: thread.body.threadId,
      attachment: attachmentId,
      document: doc.body.documentId,
      upload: staged.body.uploadId,
      published: pub.body.documentId,
      news: news.body.id
    }
  },
  markers: ({ family }) => [family.lastName, family.login, `Sujet secret ${family.lastName}`, `Justificatif ${family.lastName}`, String(41_000 + family.familyId)],
  cases: {
    'file-request-change': (id) => ({ section: 'health', childId: id('childId'), documentId: id('documentId'), values: { allergies: true, allergyNotes: 'Noix', pai: true } }),
    'requests-cancel': (id) => ({ requestId: id('requestId') }),
    'messages-thread': (id) => ({ threadId: id('threadId') }),
    'messages-mark-read': (id) => ({ threadId: id('threadId') }),
    'messages-send': (id) => ({ serviceId: 1, themeId: 1, subject: 'Objet', body: 'Texte', uploadIds: [id('uploadIds')] }),
    'messages-reply': (id) => ({ threadId: id('threadId'), body: 'Réponse', uploadIds: [id('uploadIds')] }),
    'messages-move': (id) => ({ threadId: id('threadId'), folder: 'archived' }),
    'uploads-discard': (id) => ({ uploadId: id('uploadId') }),
    'documents-send': (id) => ({ uploadId: id('uploadId'), docType: 'autre', childId: id('childId') })
  },
  downloads: { attachment: 'attachment', document: 'document', published: 'published', 'news-image': 'news' }
}
