import type { Content } from 'pdfmake/interfaces'
import { CONSENT_KEYS, FIELD_LABELS, FILE_SECTION_LABELS, REQUEST_CATEGORY_LABELS, type FamilyFileDto } from '@shared/contract/family-file-shapes'
import { displayValue } from '@shared/family-file-fields'
import { REQUEST_STATUS_LABELS } from '@shared/contract/common'
import type { Core } from '../core/app-core'
import { frenchDate, frenchDateTime, parisDay } from '../core/clock'
import { notFound } from '../core/errors'
import { PortalAccount } from '../accounts/entities'
import { renderPdf } from '../billing/pdf/printer'
import { FamilyDocument, StoredFile } from '../documents/entities'
import { Family } from '../families/entities'
import { loadFamilyFile } from '../families/file'
import { Message, MessageAttachment, MessageThread } from '../messaging/entities'
import { FamilyRequest } from '../requests/entities'
import { getStructure } from '../settings/settings'
import { rgpdExportSections } from './export-sections'
// Side effect: registers enrolments, bookings and billing (see the file).
import './register-sections'

// Other modules (reservations, invoices…) add their part of a family's data with registerRgpdExportSection
// (export-sections.ts): a section title, a function returning plain JSON, and French labels for the PDF.

export interface FamilyExport {
  exportedAt: string
  structure: string
  notice: string
  family: { number: number; status: string; address: string; postalCode: string; city: string; createdAt: string }
  file: Omit<FamilyFileDto, 'children'> & { children: Omit<FamilyFileDto['children'][number], 'custodyNotes'>[] }
  accounts: { login: string; status: string; createdAt: string; validatedAt: string | null; lastLoginAt: string | null }[]
  requests: { id: number; type: string; status: string; summary: string; details: unknown; reason: string; createdAt: string; decidedAt: string | null }[]
  messages: { subject: string; createdAt: string; messages: { from: string; at: string; body: string; attachments: string[] }[] }[]
  documents: { title: string; type: string; origin: string; status: string; reason: string; fileName: string; sha256: string; createdAt: string }[]
  other: Record<string, unknown>
}

/**
 * Everything held about one family (RGPD art. 15 and 20), as plain JSON.
 * Custody notes are left out of this self-service copy: they may concern the
 * other parent, and are communicated by the direction on request.
 */
export async function exportFamilyData(core: Core, familyId: number): Promise<FamilyExport> {
  return core.tx.read(async (m) => {
    const family = await m.findOneBy(Family, { id: familyId })
    if (!family) throw notFound('Famille')
    // Read as the desk would (full IBAN: it is the family's own data), custody notes dropped below.
    const file = await loadFamilyFile(m, core, familyId, 'accueil')
    const accounts = await m.find(PortalAccount, { where: { familyId }, order: { id: 'ASC' } })
    const requests = await m.find(FamilyRequest, { where: { familyId }, order: { createdAt: 'ASC', id: 'ASC' } })
    const threads = await m.find(MessageThread, { where: { familyId }, order: { createdAt: 'ASC', id: 'ASC' } })
    const messages: FamilyExport['messages'] = []
    for (const t of threads) {
      const msgs = await m.find(Message, { where: { threadId: t.id }, order: { createdAt: 'ASC', id: 'ASC' } })
      const out = []
      for (const x of msgs) {
        const atts = await m.find(MessageAttachment, { where: { messageId: x.id } })
        const names = []
        for (const a of atts) names.push((await m.findOneBy(StoredFile, { id: a.fileId }))?.name ?? '')
        out.push({ from: x.authorKind === 'staff' ? `La structure (${x.authorLabel})` : x.authorLabel, at: x.createdAt, body: x.body, attachments: names })
      }
      messages.push({ subject: t.subject, createdAt: t.createdAt, messages: out })
    }
    const docs = await m.find(FamilyDocument, { where: { familyId }, order: { createdAt: 'ASC', id: 'ASC' } })
    const documents: FamilyExport['documents'] = []
    for (const d of docs) {
      const f = await m.findOneBy(StoredFile, { id: d.fileId })
      documents.push({ title: d.title, type: d.docType, origin: d.origin === 'family' ? 'Envoyé par la famille' : 'Envoyé par la structure', status: d.status, reason: d.statusReason, fileName: f?.name ?? '', sha256: f?.sha256 ?? '', createdAt: d.createdAt })
    }
    const other: Record<string, unknown> = {}
    for (const [title, s] of Object.entries(rgpdExportSections)) other[title] = await s.fn(m, familyId, parisDay(core.clock.now()))
    return {
      exportedAt: core.clock.now().toISOString(),
      structure: (await getStructure(m)).name,
      notice:
        'Copie des données personnelles de votre famille (RGPD, articles 15 et 20). Les éventuelles notes relatives à la garde des enfants sont communiquées sur demande par la direction.',
      family: { number: family.number, status: family.status, address: family.address, postalCode: family.postalCode, city: family.city, createdAt: family.createdAt },
      // Nor does it name a shared child's other household (issue 16): that household's data is not this one's.
      file: { ...file, children: file.children.map(({ custodyNotes: _c, ...c }) => ({ ...c, household: { ...c.household, other: null } })) },
      accounts: accounts.map((a) => ({ login: a.login, status: a.status, createdAt: a.createdAt, validatedAt: a.validatedAt, lastLoginAt: a.lastLoginAt })),
      requests: requests.map((r) => ({
        id: r.id,
        type: r.type,
        status: r.status,
        summary: r.summary,
        details: r.payload.changes ?? null,
        reason: r.reason,
        createdAt: r.createdAt,
        decidedAt: r.decidedAt
      })),
      messages,
      documents,
      other
    }
  })
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—'
  if (typeof v === 'boolean') return v ? 'Oui' : 'Non'
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === 'object' ? Object.values(x as object).map(show).join(' · ') : show(x))).join('\n') : '—'
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return frenchDate(v)
  // Instants (request and decision times) as the portal shows them, in Paris time.
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v))) return frenchDateTime(new Date(v))
  return String(v)
}

/** pdfmake throws on a table without rows (or columns): an empty part reads « Aucun élément. » instead. */
const NOTHING: Content = { text: 'Aucun élément.', italics: true, margin: [0, 0, 0, 8] }

function table(rows: [string, unknown][]): Content {
  if (!rows.length) return NOTHING
  return {
    table: { widths: [170, '*'], body: rows.map(([k, v]) => [{ text: k, bold: true }, { text: show(v) }]) },
    layout: 'lightHorizontalLines',
    margin: [0, 0, 0, 8]
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isRecordList = (v: unknown): v is Record<string, unknown>[] => Array.isArray(v) && v.every(isRecord)

/** A list of records as a table with one header row (repeated on each page), columns named by `label`. */
function recordTable(rows: Record<string, unknown>[], label: (k: string) => string): Content {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  if (!rows.length || !keys.length) return NOTHING
  return {
    table: {
      headerRows: 1,
      widths: keys.map(() => '*'),
      body: [keys.map((k) => ({ text: label(k), bold: true })), ...rows.map((r) => keys.map((k) => ({ text: show(r[k]) })))]
    },
    layout: 'lightHorizontalLines',
    fontSize: keys.length > 8 ? 7 : 8,
    margin: [0, 0, 0, 8]
  }
}

/** A registered section's JSON, legibly: lists of records as tables, records as label/value rows, nested parts under sub-titles. */
function sectionContent(v: unknown, labels: Record<string, string>): Content[] {
  const label = (k: string) => labels[k] ?? k
  if (isRecordList(v)) return [recordTable(v, label)]
  if (!isRecord(v)) return [{ text: show(v), margin: [0, 0, 0, 8] }]
  const out: Content[] = []
  const flat = Object.entries(v).filter(([, x]) => !isRecord(x) && !isRecordList(x))
  if (flat.length) out.push(table(flat.map(([k, x]) => [label(k), x])))
  for (const [k, x] of Object.entries(v)) {
    if (isRecordList(x)) out.push({ text: label(k), bold: true, margin: [0, 4, 0, 2] }, recordTable(x, label))
    else if (isRecord(x)) out.push({ text: label(k), bold: true, margin: [0, 4, 0, 2] }, ...sectionContent(x, labels))
  }
  return out
}

// Consents read as the family answered them (« Non renseigné » included), not as their stored codes.
const fieldRows = (o: Record<string, unknown> | null, skip: string[] = []): [string, unknown][] =>
  o
    ? Object.entries(o)
        .filter(([k]) => !skip.includes(k) && FIELD_LABELS[k])
        .map(([k, v]) => [FIELD_LABELS[k], (CONSENT_KEYS as readonly string[]).includes(k) ? displayValue(k, v) : v])
    : []

/** The same data as a readable PDF. */
export async function exportFamilyPdf(core: Core, familyId: number): Promise<Buffer> {
  const d = await exportFamilyData(core, familyId)
  const h = (text: string): Content => ({ text, style: 'h2', margin: [0, 10, 0, 4] })
  const content: Content[] = [
    { text: `Données personnelles — famille N° ${d.family.number}`, style: 'h1' },
    { text: `${d.structure} · extrait le ${frenchDateTime(new Date(d.exportedAt))}`, margin: [0, 0, 0, 6] },
    { text: d.notice, italics: true, margin: [0, 0, 0, 8] },
    h('Foyer'),
    table([['N° famille', d.family.number], ['Adresse', `${d.family.address} ${d.family.postalCode} ${d.family.city}`], ['Dossier créé le', d.family.createdAt.slice(0, 10)]])
  ]
  if (d.file.responsable) content.push(h(FILE_SECTION_LABELS.responsable), table(fieldRows(d.file.responsable)))
  if (d.file.conjoint) content.push(h(FILE_SECTION_LABELS.conjoint), table(fieldRows(d.file.conjoint)))
  if (d.file.fiscal) content.push(h('Informations fiscales'), table(fieldRows(d.file.fiscal)))
  if (d.file.caf) content.push(h('Informations CAF'), table(fieldRows(d.file.caf, ['quotientProofDocumentId'])))
  if (d.file.bank) content.push(h(FILE_SECTION_LABELS.bank), table(fieldRows(d.file.bank)))
  for (const c of d.file.children) {
    content.push(
      h(`Enfant : ${c.identity.firstName} ${c.identity.lastName}`),
      table([...fieldRows(c.identity), ...fieldRows(c.health, ['paiDocumentId']), ...fieldRows(c.authorisations)])
    )
  }
  content.push(h('Comptes du portail'), table(d.accounts.map((a) => [a.login, `${a.status}, créé le ${a.createdAt.slice(0, 10)}`])))
  content.push(
    h('Demandes'),
    d.requests.length
      ? table(d.requests.map((r) => [`${frenchDate(r.createdAt)} — ${REQUEST_CATEGORY_LABELS[r.type] ?? r.type}`, `${r.summary} (${REQUEST_STATUS_LABELS[r.status as keyof typeof REQUEST_STATUS_LABELS] ?? r.status})${r.reason ? ` — motif : ${r.reason}` : ''}`]))
      : { text: 'Aucune demande.' }
  )
  content.push(h('Messages'))
  if (!d.messages.length) content.push({ text: 'Aucun message.' })
  for (const t of d.messages) {
    content.push({ text: t.subject, bold: true, margin: [0, 4, 0, 2] })
    for (const x of t.messages) {
      content.push({ text: `${x.from} — ${frenchDateTime(new Date(x.at))}`, italics: true }, { text: x.body, margin: [0, 0, 0, 4] })
      if (x.attachments.length) content.push({ text: `Pièces jointes : ${x.attachments.join(', ')}`, margin: [0, 0, 0, 4] })
    }
  }
  content.push(
    h('Documents'),
    d.documents.length ? table(d.documents.map((x) => [`${frenchDate(x.createdAt)} — ${x.title}`, `${x.origin}, ${x.fileName}`])) : { text: 'Aucun document.' }
  )
  // Registered sections (enrolments, bookings, billing…) hold wide tables: they start on landscape pages.
  for (const [i, [title, v]] of Object.entries(d.other).entries()) {
    const heading = h(title)
    content.push(i === 0 ? { ...(heading as object), pageBreak: 'before', pageOrientation: 'landscape' } as Content : heading, ...sectionContent(v, rgpdExportSections[title]?.labels ?? {}))
  }
  return renderPdf({
    info: { title: `Données famille ${d.family.number}` },
    content,
    styles: { h1: { fontSize: 15, bold: true, margin: [0, 0, 0, 4] }, h2: { fontSize: 11, bold: true } }
  })
}
