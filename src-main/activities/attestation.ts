import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { frenchDate, parisDay } from '../core/clock'
import { conflict, notFound } from '../core/errors'
import { audit } from '../audit/audit'
import { pdfLogo, renderPdf } from '../billing/pdf/printer'
import { FamilyDocument, StoredFile } from '../documents/entities'
import { claimUploads, readStoredFile, stageUpload } from '../documents/storage'
import { Child, Family } from '../families/entities'
import { getStructure } from '../settings/settings'
import { Activity, ActivityGroup, ActivityPeriod, ActivityType, Enrolment, Facility } from './entities'
import { upperName } from '@shared/names'

export const ATTESTATION_DOC_TYPE = 'attestation-inscription'

interface AttestationFacts {
  structure: Awaited<ReturnType<typeof getStructure>>
  familyNumber: number
  child: Child
  facility: string
  activity: string
  period: ActivityPeriod
  group: string
  from: string
  to: string
  ended: boolean
  today: string
}

function attestationDoc(f: AttestationFacts): TDocumentDefinitions {
  const s = f.structure
  const logo = pdfLogo(s.logo)
  const identity: Content[] = [
    { text: s.name, bold: true, fontSize: 13 },
    [s.address, [s.postalCode, s.city].filter(Boolean).join(' ')].filter(Boolean).join('\n'),
    [s.phone && `Tél. ${s.phone}`, s.email].filter(Boolean).join(' — '),
    s.siret ? `SIRET ${s.siret}` : ''
  ]
  const born = f.child.sex === 'F' ? 'née' : f.child.sex === 'M' ? 'né' : 'né(e)'
  const enrolled = f.child.sex === 'F' ? 'inscrite' : f.child.sex === 'M' ? 'inscrit' : 'inscrit(e)'
  const childName = `${f.child.firstName} ${upperName(f.child.lastName)}`
  const sentence = f.ended
    ? `a été ${enrolled} du ${frenchDate(f.from)} au ${frenchDate(f.to)}`
    : `est ${enrolled} du ${frenchDate(f.from)} au ${frenchDate(f.to)}`
  return {
    pageSize: 'A4',
    pageMargins: [56, 56, 56, 56],
    info: { title: `Attestation d'inscription — ${childName}`, author: s.name },
    content: [
      { columns: [logo ? { image: logo, fit: [90, 60], width: 100 } : { text: '', width: 0 }, { stack: identity, width: '*' }], columnGap: 16 },
      { text: "Attestation d'inscription", fontSize: 18, bold: true, alignment: 'center', margin: [0, 48, 0, 24] },
      { text: `La structure ${s.name} atteste que l'enfant :`, fontSize: 11, margin: [0, 0, 0, 12] },
      { text: `${childName}, ${born} le ${frenchDate(f.child.birthDate)}`, fontSize: 12, bold: true, margin: [16, 0, 0, 12] },
      { text: `${sentence} à l'activité suivante :`, fontSize: 11, margin: [0, 0, 0, 12] },
      {
        margin: [16, 0, 0, 24],
        table: {
          widths: [110, '*'],
          body: [
            ['Équipement', f.facility],
            ['Activité', f.activity],
            ['Période', `${f.period.name} (du ${frenchDate(f.period.startDate)} au ${frenchDate(f.period.endDate)})`],
            ['Groupe', f.group],
            ['N° famille', String(f.familyNumber)]
          ]
        },
        layout: 'lightHorizontalLines',
        fontSize: 11
      },
      { text: 'Attestation délivrée pour servir et valoir ce que de droit.', fontSize: 11, margin: [0, 0, 0, 24] },
      { text: `Fait${s.city ? ` à ${s.city}` : ''}, le ${frenchDate(f.today)}.`, fontSize: 11, alignment: 'right' },
      { text: `Pour ${s.name}, la direction`, fontSize: 11, alignment: 'right', margin: [0, 4, 0, 0] }
    ],
    footer: { text: 'Document établi par le portail famille — Ribambelle', alignment: 'center', fontSize: 8, color: '#555555', margin: [0, 20, 0, 0] }
  }
}

/**
 * Builds the attestation d'inscription of a validated (or ended) enrolment
 * and files it in the family's documents (origin "structure"). The same
 * enrolment asked for again on the same day gives back the same document.
 */
export async function issueAttestation(core: Core, actor: Actor, enrolmentId: number): Promise<{ documentId: number; fileName: string; pdf: Buffer }> {
  const today = parisDay(core.clock.now())
  const facts = await core.tx.read(async (m): Promise<AttestationFacts & { familyId: number; title: string }> => {
    const e = await m.findOneBy(Enrolment, { id: enrolmentId })
    if (!e) throw notFound('Inscription')
    if (e.status !== 'validated' && e.status !== 'ended') throw conflict('Une attestation ne peut être délivrée que pour une inscription validée.')
    const child = await m.findOneByOrFail(Child, { id: e.childId })
    const family = await m.findOneByOrFail(Family, { id: child.familyId })
    const activity = await m.findOneByOrFail(Activity, { id: e.activityId })
    const type = await m.findOneByOrFail(ActivityType, { id: activity.activityTypeId })
    const facility = await m.findOneByOrFail(Facility, { id: type.facilityId })
    const period = await m.findOneByOrFail(ActivityPeriod, { id: e.periodId })
    const group = await m.findOneByOrFail(ActivityGroup, { id: e.groupId })
    const from = e.startDate && e.startDate > period.startDate ? e.startDate : period.startDate
    const to = e.status === 'ended' && e.endedOn ? e.endedOn : period.endDate
    return {
      structure: await getStructure(m),
      familyNumber: family.number,
      familyId: family.id,
      child,
      facility: facility.name,
      activity: activity.name,
      period,
      group: group.name,
      from,
      to,
      ended: e.status === 'ended',
      today,
      title: `Attestation d'inscription — ${child.firstName} — ${activity.name} ${period.name}`
    }
  })
  const fileName = `attestation-inscription-${facts.child.firstName}-${facts.period.name}`.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9-]+/g, '-') + '.pdf'

  const existing = await core.tx.read((m) =>
    m
      .createQueryBuilder(FamilyDocument, 'd')
      .where('d.family_id = :f AND d.doc_type = :t AND d.title = :title', { f: facts.familyId, t: ATTESTATION_DOC_TYPE, title: facts.title })
      .orderBy('d.id', 'DESC')
      .getOne()
  )
  if (existing && parisDay(new Date(existing.createdAt)) === today) {
    const file = await core.tx.read((m) => m.findOneByOrFail(StoredFile, { id: existing.fileId }))
    return { documentId: existing.id, fileName: file.name, pdf: readStoredFile(core, file) }
  }

  const pdf = await renderPdf(attestationDoc(facts))
  // Staged as a structure file (no family quota), then owned by the family once filed.
  const staged = await stageUpload(core, actor, { name: fileName, data: pdf, ownerFamilyId: null })
  const documentId = await core.tx.run(async (m) => {
    const [file] = await claimUploads(m, [staged.id], null)
    await m.update(StoredFile, { id: file.id }, { ownerFamilyId: facts.familyId })
    const d = await m.save(
      FamilyDocument,
      Object.assign(new FamilyDocument(), {
        familyId: facts.familyId,
        childId: facts.child.id,
        fileId: file.id,
        origin: 'staff',
        docType: ATTESTATION_DOC_TYPE,
        title: facts.title,
        status: 'sent',
        statusReason: '',
        createdAt: core.clock.now().toISOString(),
        decidedAt: null,
        decidedBy: null
      })
    )
    await audit(m, actor, core.clock.now(), {
      action: 'enrolment-attestation',
      entity: 'enrolment',
      entityId: enrolmentId,
      after: { documentId: d.id, fileId: file.id, sha256: file.sha256 }
    })
    return d.id
  })
  return { documentId, fileName: staged.name, pdf }
}
