import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces'
import { CONSENT_LABELS, FIELD_LABELS, MEAL_TYPE_LABELS, type Consent } from '@shared/contract/family-file-shapes'
import { WEEKDAY_LONG, frDay, isoWeekday } from '@shared/bookings/days'
import { personName, upperName } from '@shared/names'
import type { Core } from '../core/app-core'
import type { Actor } from '../core/actor'
import { DomainError } from '../core/errors'
import { frenchDateTime } from '../core/clock'
import { renderPdf } from '../billing/pdf/printer'
import { getStructure } from '../settings/settings'
import { attendanceList, type AttendanceRow } from './attendance'
import { fileSlug } from './attendance-pdf'
import { auditRow, dbOf, stmt } from './sql'

export interface HealthSheetsQuery {
  day: string
  activityId: number
  unitId?: number
  groupId?: number
  /** A selection among the day's children (an outing with part of the group); none: all expected. */
  childIds?: number[]
}

/** What the sheet adds to the attendance row: the child's whole health file and the responsables in full. */
interface HealthFile {
  sex: string
  school: string
  vaccines: { name: string; date: string }[]
  doctorName: string
  doctorPhone: string
  glasses: boolean
  hearingAid: boolean
  imageRights: boolean
  outings: Consent
  emergencyCare: Consent
  paiOnFile: boolean
  responsables: { role: string; name: string; quality: string; address: string; phones: string[]; email: string }[]
}

/** Children with a declared absence, or marked absent, do not go on the outing. */
const AWAY = new Set<AttendanceRow['state']>(['ABSENT', 'A_EXC', 'A_FACT'])

function healthFiles(db: ReturnType<typeof dbOf>, childIds: number[]): Map<number, HealthFile> {
  const ids = JSON.stringify(childIds)
  const files = stmt(
    db,
    `SELECT ch.id AS childId, ch.family_id AS familyId, ch.sex, ch.school, COALESCE(cf.vaccines, '[]') AS vaccines,
            COALESCE(cf.doctor_name, '') AS doctorName, COALESCE(cf.doctor_phone, '') AS doctorPhone,
            COALESCE(cf.glasses, 0) AS glasses, COALESCE(cf.hearing_aid, 0) AS hearingAid,
            COALESCE(cf.image_rights, 0) AS imageRights, COALESCE(cf.outings, '') AS outings,
            COALESCE(cf.emergency_care, '') AS emergencyCare, cf.pai_document_id IS NOT NULL AS paiOnFile
     FROM child ch LEFT JOIN child_file cf ON cf.child_id = ch.id WHERE ch.id IN (SELECT value FROM json_each(?))`
  ).all(ids) as { childId: number; familyId: number; sex: string; school: string; vaccines: string; doctorName: string; doctorPhone: string; glasses: number; hearingAid: number; imageRights: number; outings: Consent; emergencyCare: Consent; paiOnFile: number }[]
  const people = stmt(
    db,
    `SELECT family_id AS familyId, role, civility, first_name AS firstName, last_name AS lastName, quality, address, postal_code AS postalCode, city,
            phone_mobile AS mobile, phone_home AS home, phone_work AS work, email
     FROM person WHERE family_id IN (SELECT hc.family_id FROM household_child hc WHERE hc.child_id IN (SELECT value FROM json_each(?))) ORDER BY family_id, role DESC`
  ).all(ids) as { familyId: number; role: string; civility: string; firstName: string; lastName: string; quality: string; address: string; postalCode: string; city: string; mobile: string; home: string; work: string; email: string }[]
  // A shared child's sheet lists the responsables of both its households, first household first (issue 16).
  const households = new Map<number, number[]>()
  for (const h of stmt(db, `SELECT child_id AS childId, family_id AS familyId FROM household_child WHERE child_id IN (SELECT value FROM json_each(?)) ORDER BY first DESC`).all(ids) as { childId: number; familyId: number }[]) {
    households.set(h.childId, [...(households.get(h.childId) ?? []), h.familyId])
  }
  const out = new Map<number, HealthFile>()
  for (const f of files) {
    const own = households.get(f.childId) ?? [f.familyId]
    out.set(f.childId, {
      sex: f.sex,
      school: f.school,
      vaccines: JSON.parse(f.vaccines) as HealthFile['vaccines'],
      doctorName: f.doctorName,
      doctorPhone: f.doctorPhone,
      glasses: f.glasses === 1,
      hearingAid: f.hearingAid === 1,
      imageRights: f.imageRights === 1,
      outings: f.outings,
      emergencyCare: f.emergencyCare,
      paiOnFile: f.paiOnFile === 1,
      responsables: people
        .filter((p) => own.includes(p.familyId))
        .sort((a, b) => own.indexOf(a.familyId) - own.indexOf(b.familyId))
        .map((p) => ({
          role: `${p.role === 'responsable' ? 'Responsable' : 'Conjoint(e)'}${p.familyId !== own[0] ? ' (second foyer)' : ''}`,
          name: [p.civility, p.firstName, upperName(p.lastName)].filter(Boolean).join(' '),
          quality: p.quality,
          address: [p.address, [p.postalCode, p.city].filter(Boolean).join(' ')].filter(Boolean).join(', '),
          phones: [
            p.mobile && `${p.mobile} (portable)`,
            p.home && `${p.home} (domicile)`,
            p.work && `${p.work} (travail)`
          ].filter(Boolean) as string[],
          email: p.email
        }))
    })
  }
  return out
}

const yesNo = (b: boolean) => (b ? 'Oui' : 'Non')
/** « non renseigné » in red: whoever leads the outing must ask the family before leaving. */
const consentRow = (key: 'outings' | 'emergencyCare', v: Consent): TableCell[] => row(FIELD_LABELS[key], CONSENT_LABELS[v].toLowerCase(), v !== 'yes')
const LABEL = { bold: true, color: '#374151' }
const row = (label: string, value: Content, alert = false): TableCell[] => [
  { text: label, ...LABEL },
  typeof value === 'string' ? { text: value || '—', color: alert ? '#991b1b' : undefined, bold: alert } : value
]
const section = (title: string): Content => ({ text: title, fontSize: 13, bold: true, margin: [0, 10, 0, 3] })
const grid = (body: TableCell[][], labelWidth = 150): Content => ({ table: { widths: [labelWidth, '*'], body }, layout: 'lightHorizontalLines' })

/** One child on one A4 page: the « fiche sanitaire de liaison » the animateurs carry on an outing. */
function childSheet(r: AttendanceRow, f: HealthFile, header: Content[], last: boolean): Content[] {
  const health: TableCell[][] = [
    row('Allergies', r.allergies ? r.allergyNotes || 'Oui (voir le dossier)' : 'Aucune déclarée', r.allergies),
    row('PAI', r.pai ? `Oui${f.paiOnFile ? ' (document au dossier)' : ''} — trousse et protocole à emporter` : 'Non', r.pai),
    row('Régime, type de repas', [r.diet, r.mealType !== 'standard' ? MEAL_TYPE_LABELS[r.mealType as keyof typeof MEAL_TYPE_LABELS] ?? r.mealType : ''].filter(Boolean).join(' — ') || 'Standard'),
    row('Recommandations médicales', r.healthNotes),
    row('Lunettes, appareil auditif', `${f.glasses ? 'Porte des lunettes' : 'Pas de lunettes'} · ${f.hearingAid ? 'appareil auditif' : 'pas d’appareil auditif'}`),
    row('Vaccinations', f.vaccines.length ? f.vaccines.map((v) => `${v.name} : ${frDay(v.date)}`).join('\n') : 'Non renseignées'),
    row('Médecin traitant', [f.doctorName, f.doctorPhone].filter(Boolean).join(' — '))
  ]
  const people: TableCell[][] = f.responsables.map((p) =>
    row(`${p.role}${p.quality ? ` (${p.quality})` : ''}`, { stack: [{ text: p.name, bold: true }, p.phones.join(' · ') || 'pas de téléphone', p.email, p.address].filter(Boolean) as Content[] })
  )
  const emergency = r.pickups.filter((p) => p.emergency)
  const pickups = r.pickups.map((p) => `${p.name}${p.relationship ? ` (${p.relationship})` : ''}${p.phone ? ` — ${p.phone}` : ''}`)
  return [
    ...header,
    { text: personName(r.lastName, r.firstName), fontSize: 20, bold: true, margin: [0, 6, 0, 0] },
    {
      text: [
        `Né${f.sex === 'F' ? 'e' : f.sex === 'M' ? '' : '(e)'} le ${frDay(r.birthDate)}`,
        f.school || r.grade ? ` · ${[f.school, r.grade].filter(Boolean).join(', ')}` : '',
        ` · famille N° ${r.familyNumber}`,
        r.groupName ? ` · groupe ${r.groupName}` : ''
      ].join(''),
      fontSize: 11,
      margin: [0, 2, 0, 0]
    },
    section('Santé'),
    grid(health),
    section('Responsables légaux'),
    people.length ? grid(people) : { text: 'Aucun responsable au dossier.', italics: true },
    section('En cas d’urgence'),
    grid([
      row('À prévenir', emergency.length ? emergency.map((p) => `${p.name}${p.relationship ? ` (${p.relationship})` : ''} — ${p.phone || 'pas de téléphone'}`).join('\n') : 'les responsables ci-dessus'),
      row('Médecin traitant', f.doctorPhone ? `${f.doctorName || 'Médecin'} — ${f.doctorPhone}` : f.doctorName)
    ]),
    section('Autorisations'),
    grid([
      row('Droit à l’image (photos)', yesNo(f.imageRights)),
      row('Peut partir seul', yesNo(r.leaveAlone)),
      consentRow('outings', f.outings),
      consentRow('emergencyCare', f.emergencyCare),
      row('Personnes autorisées à venir le chercher', pickups.join('\n') || 'Aucune autre que les responsables')
    ], 270), // wide labels: each consent reads as one sentence on one line
    { text: '', ...(last ? {} : { pageBreak: 'after' as const }) }
  ]
}

/**
 * The health sheets (« fiches sanitaires de liaison ») of the children of an
 * outing: one A4 page per child with identity, responsables and their phones,
 * doctor, vaccinations, allergies, diet, PAI, medical notes, authorisations
 * and who may pick the child up. Health data leaving the software: one audit
 * row names who printed whose sheet, written before the PDF is made.
 */
export async function healthSheetsPdf(core: Core, actor: Actor, q: HealthSheetsQuery): Promise<{ fileName: string; pdfBase64: string }> {
  const list = await attendanceList(core, q)
  const wanted = q.childIds ? new Set(q.childIds) : null
  if (wanted && [...wanted].some((id) => !list.rows.some((r) => r.childId === id))) {
    throw new DomainError('not_expected', 'Un des enfants choisis n’est pas attendu ce jour-là à cette activité : actualisez la liste.')
  }
  // One sheet per child, even when booked on several units of the day.
  const rows = [...new Map(list.rows.filter((r) => (wanted ? wanted.has(r.childId) : !AWAY.has(r.state))).map((r) => [r.childId, r])).values()]
  if (!rows.length) throw new DomainError('no_children', 'Aucun enfant attendu : il n’y a pas de fiche à imprimer.')
  const structure = await core.tx.read((m) => getStructure(m))
  const now = core.clock.now()
  const files = await core.tx.run(async (m) => {
    const db = dbOf(m)
    const out = healthFiles(db, rows.map((r) => r.childId))
    auditRow(db, actor, now.toISOString(), 'health-sheets-export', 'activity', q.activityId, null, {
      day: q.day,
      unitId: q.unitId ?? null,
      groupId: q.groupId ?? null,
      childIds: rows.map((r) => r.childId),
      count: rows.length
    })
    return out
  })
  const unitName = q.unitId ? list.units.find((u) => u.id === q.unitId)?.name : null
  const groupName = q.groupId ? list.groups.find((g) => g.id === q.groupId)?.name : null
  const title = [list.activityName, unitName, groupName].filter(Boolean).join(' – ')
  const header: Content[] = [
    { columns: [{ text: structure.name, fontSize: 10, color: '#374151' }, { text: `${title} — ${WEEKDAY_LONG[isoWeekday(q.day)]} ${frDay(q.day)}`, fontSize: 10, alignment: 'right', color: '#374151' }] },
    { text: 'Fiche sanitaire de liaison', fontSize: 16, bold: true, margin: [0, 4, 0, 0] }
  ]
  const content = rows.flatMap((r, i) => childSheet(r, files.get(r.childId)!, header, i === rows.length - 1))
  const doc: TDocumentDefinitions = {
    pageSize: 'A4',
    pageMargins: [36, 32, 36, 40],
    info: { title: `Fiches sanitaires ${title} ${frDay(q.day)}` },
    footer: (page: number, pages: number) => ({
      text: `Données de santé confidentielles — à remettre au responsable de la sortie, à détruire au retour. Imprimé le ${frenchDateTime(now)} par ${actor.label} — page ${page}/${pages}`,
      alignment: 'center',
      fontSize: 8,
      margin: [36, 10, 36, 0]
    }),
    content,
    defaultStyle: { fontSize: 10 }
  }
  const pdf = await renderPdf(doc)
  return { fileName: `fiches-sanitaires-${fileSlug(list.activityName)}-${q.day}.pdf`, pdfBase64: pdf.toString('base64') }
}
