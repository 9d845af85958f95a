import { z } from '../zod-fr'
import { id, isoDate, nonEmpty, ok, optionalText, page, recordVersion, requestStatus } from './common'
import { proc, type ProcedureMap, type StaffRole } from './procedure'
import { billingSplit, billingSplitView, custodyCalendar, custodyView } from './custody-shapes'
import { ALL, DESK, DIRECTION } from './staff-foundation'
import {
  anonymisePreview,
  audience,
  familyDocument,
  familyFile,
  fileChangeItem,
  fileSection,
  messageBody,
  messageOption,
  newChildValues,
  newsInput,
  newsItem,
  publishedCategory,
  publishedDocument,
  staffSectionInput,
  threadDetail,
  threadSummary,
  uploadInfo,
  MAX_ATTACHMENTS,
  MAX_UPLOAD_BYTES
} from './family-file-shapes'

/** Desk plus accounting: the money sections of the file, billing questions, attestations. */
const OFFICE: readonly StaffRole[] = ['direction', 'accueil', 'comptable']

const uploadIds = z.array(id).max(MAX_ATTACHMENTS, { error: `${MAX_ATTACHMENTS} pièces jointes au maximum.` }).default([])
const downloadKind = z.enum(['attachment', 'document', 'published', 'news-image'])
const fileContent = z.object({ name: z.string(), mime: z.string(), contentBase64: z.string() })

/** Staff procedures of issue #3 (family file, requests, messaging, documents, news, RGPD). */
export const familyFileStaffProcedures = {
  // ------------------------------------------------------------ family file
  'family-file-get': proc({ input: z.object({ familyId: id }), output: familyFile, roles: ALL, query: true }),
  /** One section, applied at once with the audit trail. Accounting may only touch fiscal, CAF and bank. */
  'family-file-save': proc({ input: staffSectionInput, output: ok, roles: OFFICE }),
  'family-file-add-child': proc({ input: z.object({ familyId: id, child: newChildValues }), output: z.object({ childId: id }), roles: DESK }),
  'family-file-custody': proc({ input: z.object({ childId: id, custodyNotes: optionalText(4000), version: recordVersion }), output: ok, roles: DIRECTION }),
  /** Issue 16: the other parent's household (an existing, active family, by its N° famille) shares the child's file. */
  'child-household-link': proc({
    input: z.object({ childId: id, familyNumber: z.coerce.number({ error: 'Saisissez le N° famille du second foyer.' }).int().positive({ error: 'Saisissez le N° famille du second foyer.' }) }),
    output: ok,
    roles: DIRECTION
  }),
  'child-household-unlink': proc({ input: z.object({ childId: id }), output: ok, roles: DIRECTION }),
  /** The custody calendar of a shared child (which household has it each day), with the month shown (by default the app's, not the browser's). */
  'custody-get': proc({ input: z.object({ childId: id, month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'Mois invalide.' }).optional() }), output: custodyView, roles: ALL, query: true }),
  'custody-save': proc({ input: z.object({ childId: id, calendar: custodyCalendar, version: recordVersion }), output: ok, roles: DESK }),
  /** How a shared child is billed: by the booking household, or a fixed split set by the direction (a court decision). */
  'billing-split-get': proc({ input: z.object({ childId: id }), output: billingSplitView, roles: ALL, query: true }),
  'billing-split-save': proc({ input: z.object({ childId: id, split: billingSplit, version: recordVersion }), output: ok, roles: DIRECTION }),
  'family-file-departure': proc({ input: z.object({ familyId: id, leftAt: isoDate.nullable(), version: recordVersion }), output: ok, roles: DESK }),

  // ------------------------------------------------------------ change requests
  'file-changes-list': proc({
    input: page.extend({ status: requestStatus.optional(), familyId: id.optional(), section: fileSection.optional() }),
    output: z.object({ total: z.number().int(), items: z.array(fileChangeItem) }),
    roles: OFFICE,
    query: true
  }),
  'file-changes-accept': proc({ input: z.object({ requestId: id }), output: ok, roles: OFFICE }),
  'file-changes-refuse': proc({ input: z.object({ requestId: id, reason: nonEmpty('Motif du refus', 1000) }), output: ok, roles: OFFICE }),

  // ------------------------------------------------------------ messaging
  /** Each list is saved as a whole: its version (one per list) comes with it. */
  'messages-options-get': proc({
    input: z.object({}),
    output: z.object({ services: z.array(messageOption), themes: z.array(messageOption), versions: z.object({ service: z.number().int(), theme: z.number().int() }) }),
    roles: ALL,
    query: true
  }),
  'messages-options-save': proc({
    input: z.object({
      kind: z.enum(['service', 'theme']),
      version: recordVersion,
      items: z.array(z.object({ id: id.nullable().default(null), label: nonEmpty('Libellé', 80), active: z.boolean().default(true) })).min(1, { error: 'Gardez au moins une ligne.' }).max(50)
    }),
    output: ok,
    roles: DIRECTION
  }),
  'messages-staff-list': proc({
    input: page.extend({
      folder: z.enum(['inbox', 'sent', 'archived']).default('inbox'),
      serviceId: id.optional(),
      familyId: id.optional(),
      unreadOnly: z.boolean().default(false),
      search: z.string().trim().max(100).default('')
    }),
    output: z.object({ total: z.number().int(), items: z.array(threadSummary) }),
    roles: OFFICE,
    query: true
  }),
  'messages-staff-thread': proc({ input: z.object({ threadId: id }), output: threadDetail, roles: OFFICE, query: true }),
  'messages-staff-mark-read': proc({ input: z.object({ threadId: id }), output: ok, roles: OFFICE }),
  'messages-staff-reply': proc({ input: z.object({ threadId: id, body: messageBody('Réponse'), uploadIds }), output: z.object({ messageId: id }), roles: OFFICE }),
  'messages-staff-assign': proc({ input: z.object({ threadId: id, serviceId: id }), output: ok, roles: OFFICE }),
  'messages-staff-move': proc({ input: z.object({ threadId: id, folder: z.enum(['active', 'archived']) }), output: ok, roles: OFFICE }),
  /** Unread counts for the side menu (any role sees the badge, not the messages). */
  'messages-staff-unread': proc({
    input: z.object({}),
    output: z.object({ total: z.number().int(), byService: z.array(z.object({ serviceId: id.nullable(), label: z.string(), unread: z.number().int() })) }),
    roles: ALL,
    query: true
  }),
  'messages-staff-compose': proc({
    input: z.object({
      audience,
      serviceId: id.nullable().default(null),
      subject: nonEmpty('Objet', 200),
      body: messageBody(),
      sendEmail: z.boolean().default(true),
      uploadIds
    }),
    output: z.object({ broadcastId: id, recipients: z.number().int(), emails: z.number().int() }),
    roles: OFFICE
  }),
  'messages-audience-preview': proc({ input: z.object({ audience }), output: z.object({ count: z.number().int(), label: z.string() }), roles: OFFICE, query: true }),
  'messages-audience-choices': proc({
    input: z.object({}),
    output: z.object({
      schools: z.array(z.object({ school: z.string(), grade: z.string(), families: z.number().int() })),
      groups: z.array(z.object({ kind: z.string(), label: z.string(), items: z.array(z.object({ id, label: z.string() })) }))
    }),
    roles: OFFICE,
    query: true
  }),
  'messages-broadcast-progress': proc({
    input: z.object({ broadcastId: id }),
    output: z.object({ broadcastId: id, recipients: z.number().int(), emails: z.number().int(), sent: z.number().int(), failed: z.number().int(), pending: z.number().int() }),
    roles: OFFICE,
    query: true
  }),
  'messages-broadcasts-list': proc({
    input: page,
    output: z.object({
      total: z.number().int(),
      items: z.array(z.object({ id, subject: z.string(), audienceLabel: z.string(), recipients: z.number().int(), emails: z.number().int(), createdAt: z.string() }))
    }),
    roles: OFFICE,
    query: true
  }),

  // ------------------------------------------------------------ files
  /** Upload for the Electron window (IPC has no multipart); the headless back-office uses POST /api/staff/files/upload. */
  'files-upload': proc({
    input: z.object({ name: z.string().max(400), contentBase64: z.base64().max(Math.ceil((MAX_UPLOAD_BYTES + 1) / 3) * 4 + 8, { error: 'Le fichier dépasse la taille maximale de 6 Mo.' }) }),
    output: uploadInfo,
    roles: OFFICE
  }),
  /** Download for the Electron window; headless uses GET /api/staff/files/:kind/:id. */
  'files-fetch': proc({ input: z.object({ kind: downloadKind, id }), output: fileContent, roles: ALL, query: true }),

  // ------------------------------------------------------------ pickup persons' photos (staff only, never the portal)
  /** A child's pickup persons with their ids (the list the family file keeps), and whether each has a photo. */
  'pickup-photos-list': proc({
    input: z.object({ childId: id }),
    output: z.array(z.object({ pickupId: id, name: z.string(), relationship: z.string(), hasPhoto: z.boolean() })),
    roles: DESK,
    query: true
  }),
  /** Sets a photo (an upload of files-upload: JPEG or PNG, 2 Mo at most) or removes it (uploadId null). */
  'pickup-photo-set': proc({ input: z.object({ pickupId: id, uploadId: id.nullable() }), output: ok, roles: DESK }),
  /** The photo, for the tablet beside « Parti » and the child's page. */
  'pickup-photo-get': proc({ input: z.object({ pickupId: id }), output: z.object({ mime: z.string(), contentBase64: z.string() }), roles: ALL, query: true }),

  // ------------------------------------------------------------ documents
  'documents-staff-list': proc({
    input: page.extend({ familyId: id.optional(), origin: z.enum(['family', 'staff']).optional(), status: z.enum(['received', 'accepted', 'refused', 'sent']).optional() }),
    output: z.object({ total: z.number().int(), items: z.array(familyDocument) }),
    roles: OFFICE,
    query: true
  }),
  'documents-decide': proc({
    input: z.object({ documentId: id, status: z.enum(['received', 'accepted', 'refused']), reason: optionalText(1000) }),
    output: ok,
    roles: DESK
  }),
  'documents-attach': proc({
    input: z.object({ familyId: id, childId: id.nullable().default(null), uploadId: id, title: nonEmpty('Titre', 200), docType: z.string().trim().max(50).default('autre'), notify: z.boolean().default(true) }),
    output: z.object({ documentId: id }),
    roles: OFFICE
  }),
  'documents-published-list': proc({ input: z.object({}), output: z.array(publishedDocument), roles: OFFICE, query: true }),
  'documents-publish': proc({
    input: z.object({ uploadId: id, category: publishedCategory, title: nonEmpty('Titre', 200), audience, validFrom: isoDate.nullable().default(null), validUntil: isoDate.nullable().default(null) }),
    output: z.object({ documentId: id }),
    roles: DESK
  }),
  'documents-published-update': proc({
    input: z.object({ id, version: recordVersion, category: publishedCategory, title: nonEmpty('Titre', 200), audience, validFrom: isoDate.nullable().default(null), validUntil: isoDate.nullable().default(null) }),
    output: ok,
    roles: DESK
  }),
  'documents-published-delete': proc({ input: z.object({ id }), output: ok, roles: DESK }),

  // ------------------------------------------------------------ news
  'news-staff-list': proc({ input: z.object({}), output: z.array(newsItem), roles: OFFICE, query: true }),
  'news-save': proc({ input: newsInput, output: z.object({ id }), roles: DESK }),
  'news-delete': proc({ input: z.object({ id }), output: ok, roles: DESK }),

  // ------------------------------------------------------------ RGPD
  'rgpd-export-fetch': proc({ input: z.object({ familyId: id, format: z.enum(['json', 'pdf']) }), output: fileContent, roles: DESK, query: true }),
  'rgpd-anonymise-preview': proc({ input: z.object({ familyId: id }), output: anonymisePreview, roles: DIRECTION, query: true }),
  'rgpd-anonymise': proc({ input: z.object({ familyId: id, confirmation: z.string().min(8).max(64) }), output: anonymisePreview, roles: DIRECTION })
} satisfies ProcedureMap

