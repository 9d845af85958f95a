import { z } from '../zod-fr'
import { id, isoDate, nonEmpty, ok, optionalText } from './common'
import { proc, type ProcedureMap } from './procedure'
import {
  familyDocType,
  familyDocument,
  familyFile,
  familyRequestItem,
  messageBody,
  messageOption,
  newChildValues,
  portalChangeInput,
  publishedDocument,
  threadDetail,
  threadFolder,
  threadSummary,
  MAX_ATTACHMENTS
} from './family-file-shapes'

const uploadIds = z.array(id).max(MAX_ATTACHMENTS, { error: `${MAX_ATTACHMENTS} pièces jointes au maximum.` }).default([])

/**
 * Portal procedures of issue #3 (family file, requests, messaging, documents,
 * news). Every id a family sends is declared in `owns`; the cross-family
 * test suite is generated from these declarations and from `portalFileRoutes`.
 */
export const familyFilePortalProcedures = {
  // ------------------------------------------------------------ Mon dossier
  'file-get': proc({ input: z.object({}), output: familyFile, query: true }),
  /** Every edit of the file is a request: a field-level diff staff accept or refuse. */
  'file-request-change': proc({ right: 'edit', input: portalChangeInput, output: z.object({ requestId: id }), owns: { childId: 'child', documentId: 'document' } }),
  /** The add-child wizard (identity → CAF and health → family links → authorisations). */
  'file-request-child': proc({ right: 'edit', input: newChildValues, output: z.object({ requestId: id }) }),

  // ------------------------------------------------------------ Mes demandes
  'requests-mine': proc({
    input: z.object({ category: z.string().trim().max(30).default(''), from: isoDate.nullable().default(null), to: isoDate.nullable().default(null) }),
    output: z.object({ from: z.string(), to: z.string(), items: z.array(familyRequestItem) }),
    query: true
  }),
  'requests-cancel': proc({ right: 'edit', input: z.object({ requestId: id }), output: ok, owns: { requestId: 'request' } }),

  // ------------------------------------------------------------ Messagerie
  'messages-options': proc({ input: z.object({}), output: z.object({ services: z.array(messageOption), themes: z.array(messageOption) }), query: true }),
  'messages-list': proc({ input: z.object({ folder: threadFolder.default('inbox') }), output: z.array(threadSummary), query: true }),
  'messages-thread': proc({ input: z.object({ threadId: id }), output: threadDetail, owns: { threadId: 'thread' }, query: true }),
  'messages-mark-read': proc({ right: 'any', input: z.object({ threadId: id }), output: ok, owns: { threadId: 'thread' } }),
  'messages-send': proc({ right: 'any',
    input: z.object({
      serviceId: id,
      themeId: id,
      subject: nonEmpty('Objet', 200),
      body: messageBody(),
      confirmByEmail: z.boolean().default(false),
      uploadIds
    }),
    output: z.object({ threadId: id }),
    owns: { uploadIds: 'upload' }
  }),
  'messages-reply': proc({ right: 'any',
    input: z.object({ threadId: id, body: messageBody('Réponse'), uploadIds }),
    output: z.object({ messageId: id }),
    owns: { threadId: 'thread', uploadIds: 'upload' }
  }),
  'messages-move': proc({ right: 'any', input: z.object({ threadId: id, folder: z.enum(['active', 'archived', 'deleted']) }), output: ok, owns: { threadId: 'thread' } }),
  'messages-unread': proc({ input: z.object({}), output: z.object({ count: z.number().int() }), query: true }),
  /** Drops an upload the family removed from its form before sending. */
  'uploads-discard': proc({ right: 'any', input: z.object({ uploadId: id }), output: ok, owns: { uploadId: 'upload' } }),

  // ------------------------------------------------------------ Documents
  'documents-mine': proc({ input: z.object({}), output: z.array(familyDocument), query: true }),
  'documents-downloads': proc({ input: z.object({}), output: z.array(publishedDocument.omit({ audience: true, audienceLabel: true, recipients: true })), query: true }),
  'documents-send': proc({ right: 'edit',
    input: z.object({ uploadId: id, docType: familyDocType, title: optionalText(200), childId: id.nullable().default(null) }),
    output: z.object({ documentId: id }),
    owns: { uploadId: 'upload', childId: 'child' }
  }),

  // ------------------------------------------------------------ Actualités
  'news-list': proc({
    input: z.object({ limit: z.number().int().min(1).max(100).default(50) }),
    output: z.array(z.object({ id, title: z.string(), body: z.string(), hasImage: z.boolean(), publishFrom: z.string(), publishUntil: z.string().nullable() })),
    query: true
  })
} satisfies ProcedureMap
