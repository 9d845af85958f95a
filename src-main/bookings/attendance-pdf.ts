import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces'
import { WEEKDAY_LONG, frDay, isoWeekday } from '@shared/bookings/days'
import type { Core } from '../core/app-core'
import { renderPdf } from '../billing/pdf/printer'
import { getStructure } from '../settings/settings'
import { attendanceList, type AttendanceRow } from './attendance'
import { personName } from '@shared/names'
import { parisTime } from '../core/clock'

const STATE_TEXT: Record<AttendanceRow['state'], string> = {
  DR: 'Demande en attente',
  R: '',
  DA: 'Annulation demandée',
  PRESENT: 'Présent',
  ABSENT: 'Absent',
  A_EXC: 'Absence excusée',
  A_FACT: 'Absence facturée'
}

function flags(r: AttendanceRow): string {
  const f: string[] = []
  if (r.pai) f.push('PAI')
  if (r.allergies) f.push(`Allergie${r.allergyNotes ? ` : ${r.allergyNotes}` : ''}`)
  if (r.diet) f.push(`Régime : ${r.diet}`)
  if (r.mealType && r.mealType !== 'standard') f.push(`Repas ${r.mealType.replace('-', ' ')}`)
  if (r.leaveAlone) f.push('Peut partir seul')
  return f.join('\n')
}

/**
 * The sign-in and sign-out sheet (« feuille d'émargement ») of one unit: the
 * time of arrival (already filled when the child was marked present) and of
 * departure, the signature of who brings and who takes the child, and the
 * people allowed to take it, so the desk checks them at the door.
 */
/** A shared child (issue 16): the household that booked, as on the screen. */
const householdText = (r: AttendanceRow) => (r.household ? `Foyer ${r.household}` : '')

function signInTable(rows: AttendanceRow[]): Content {
  const head = ['Enfant', 'Arrivée', 'Signature', 'Départ', 'Personnes autorisées', 'Récupéré par', 'Signature'].map((text) => ({ text, bold: true }))
  const body: TableCell[][] = [
    head,
    ...rows.map((r): TableCell[] => [
      {
        stack: [
          { text: personName(r.lastName, r.firstName), fontSize: 13, bold: true },
          { text: [r.groupName, householdText(r), r.leaveAlone ? 'peut partir seul' : '', STATE_TEXT[r.state]].filter(Boolean).join(' · '), fontSize: 9 }
        ]
      },
      { text: r.state === 'PRESENT' && r.arrivedAt ? parisTime(new Date(r.arrivedAt)).replace(':', 'h') : '', fontSize: 12, alignment: 'center' },
      { text: '' },
      { text: '' },
      { text: r.pickups.map((p) => `${p.name}${p.relationship ? ` (${p.relationship})` : ''}`).join('\n'), fontSize: 9 },
      { text: '' },
      { text: '' }
    ])
  ]
  return {
    table: { headerRows: 1, widths: ['*', 44, 80, 44, 130, 95, 80], heights: (i: number) => (i === 0 ? 14 : 34), body, dontBreakRows: true },
    layout: { fillColor: (i: number) => (i === 0 ? '#e5e7eb' : null) }
  }
}

/** « CL Élémentaire Mercredis » → « cl-elementaire-mercredis »: an activity's name in a downloaded file's name. */
export function fileSlug(name: string): string {
  return name.normalize('NFD').replace(/[^\w]+/g, '-').replace(/^-|-$/g, '').toLowerCase()
}

/**
 * The printable list for the desk: one row per child, large type (14 pt
 * names) so it reads at arm's length on a clipboard, a box to tick, the
 * flags, who may pick the child up and whom to call.
 */
export async function attendancePdf(
  core: Core,
  q: { day: string; activityId: number; unitId?: number; groupId?: number; sheet?: 'pointage' | 'emargement' }
): Promise<{ fileName: string; pdfBase64: string }> {
  const signIn = q.sheet === 'emargement'
  const list = await attendanceList(core, q)
  const structure = await core.tx.read((m) => getStructure(m))
  const unitName = q.unitId ? list.units.find((u) => u.id === q.unitId)?.name : null
  const groupName = q.groupId ? list.groups.find((g) => g.id === q.groupId)?.name : null
  const title = `${list.activityName}${unitName ? ` – ${unitName}` : ''}${groupName ? ` – ${groupName}` : ''}`
  const when = `${WEEKDAY_LONG[isoWeekday(q.day)]} ${frDay(q.day)}`
  const units = [...new Set(list.rows.map((r) => r.unitName))]
  const content: Content[] = [
    { text: structure.name, fontSize: 12, color: '#374151' },
    { text: `${signIn ? 'Feuille d’émargement' : 'Pointage'} – ${title}`, fontSize: 20, bold: true, margin: [0, 4, 0, 0] },
    { text: `${when} — ${list.counts.expected} enfant${list.counts.expected > 1 ? 's' : ''} attendu${list.counts.expected > 1 ? 's' : ''}`, fontSize: 14, margin: [0, 2, 0, 10] }
  ]
  for (const unit of units) {
    // The sign-in sheet lists the children expected (a declared absence has nothing to sign).
    const rows = list.rows.filter((r) => r.unitName === unit && !(signIn && (r.state === 'A_EXC' || r.state === 'A_FACT')))
    if (signIn) {
      content.push({ text: `${unit} (${rows.length})`, fontSize: 16, bold: true, margin: [0, 8, 0, 4] })
      content.push(signInTable(rows))
      continue
    }
    const body: TableCell[][] = [
      [
        { text: 'Présent', bold: true },
        { text: 'Enfant', bold: true },
        { text: 'À savoir', bold: true },
        { text: 'Peut venir le chercher', bold: true },
        { text: 'Téléphones', bold: true }
      ],
      ...rows.map((r): TableCell[] => [
        { text: r.state === 'PRESENT' ? 'X' : '', fontSize: 16, bold: true, alignment: 'center' },
        {
          stack: [
            { text: personName(r.lastName, r.firstName), fontSize: 14, bold: true },
            { text: [r.groupName, r.grade, householdText(r), r.walkIn ? 'sans réservation' : '', STATE_TEXT[r.state]].filter(Boolean).join(' · '), fontSize: 10 }
          ]
        },
        { text: flags(r), fontSize: 11, bold: r.pai || r.allergies, color: r.pai || r.allergies ? '#991b1b' : '#111827' },
        { text: r.pickups.map((p) => `${p.name}${p.relationship ? ` (${p.relationship})` : ''}`).join('\n'), fontSize: 10 },
        { text: r.emergencyPhones.slice(0, 4).map((p) => `${p.phone} – ${p.label}`).join('\n'), fontSize: 10 }
      ])
    ]
    content.push({ text: `${unit} (${rows.length})`, fontSize: 16, bold: true, margin: [0, 8, 0, 4] })
    content.push({
      table: { headerRows: 1, widths: [42, '*', 110, 120, 150], body, dontBreakRows: true },
      layout: { fillColor: (i: number) => (i === 0 ? '#e5e7eb' : i % 2 === 0 ? '#f9fafb' : null), paddingTop: () => 5, paddingBottom: () => 5 }
    })
  }
  if (!list.rows.length) content.push({ text: 'Aucun enfant attendu.', fontSize: 14 })
  const doc: TDocumentDefinitions = {
    pageSize: 'A4',
    pageOrientation: 'landscape',
    pageMargins: [28, 28, 28, 36],
    info: { title: `${signIn ? 'Émargement' : 'Pointage'} ${title} ${frDay(q.day)}` },
    footer: (page: number, pages: number) => ({ text: `${title} – ${frDay(q.day)} – page ${page}/${pages}`, alignment: 'center', fontSize: 9, margin: [0, 8, 0, 0] }),
    content,
    defaultStyle: { fontSize: 11 }
  }
  const pdf = await renderPdf(doc)
  return { fileName: `${signIn ? 'emargement' : 'pointage'}-${fileSlug(list.activityName)}-${q.day}.pdf`, pdfBase64: pdf.toString('base64') }
}
