import type { EntityManager } from 'typeorm'
import { frDay } from '@shared/bookings/days'
import type { Core } from '../core/app-core'
import { DomainError, notFound } from '../core/errors'
import type { FamilyActor } from '../rpc/types'
import type { AbsenceReason } from './change-entities'
import { writeFamilyLines, today } from './commit'
import { loadContext } from './context'
import { planAbsence } from './plan'
import { sendFamilyDocument } from '../documents/documents'
import { summarize, type RecapResult } from './recap'
import { childInHousehold } from '../families/households'
import { dbOf, stmt } from './sql'

export interface AbsenceInput {
  childId: number
  from: string
  to: string
  reason: AbsenceReason
  comment: string
  /** The medical certificate: a document the family already sent… */
  certificateDocumentId: number | null
  /** …or a fresh upload (documents module), filed as a "Certificat médical" document in the same transaction. */
  certificateUploadId?: number | null
}

const MAX_ABSENCE_DAYS = 92

/** `preview`: the certificate is not sent yet (it is uploaded with the declaration); a maladie is judged as if it came. */
async function plan(m: EntityManager, core: Core, actor: FamilyActor, input: AbsenceInput, preview = false) {
  const t = today(core)
  if (input.from > input.to) throw new DomainError('invalid_input', 'La date de fin précède la date de début.', 400, { to: 'Date de fin avant la date de début.' })
  if (input.to < t) throw new DomainError('invalid_input', 'Une absence se déclare pour aujourd’hui ou des jours à venir.', 400, { to: 'Date passée.' })
  if (!preview && input.reason === 'maladie' && !input.certificateDocumentId && !input.certificateUploadId) {
    throw new DomainError('certificate_required', 'Pour une absence pour maladie, joignez le certificat médical.', 400, { certificate: 'Certificat médical obligatoire.' })
  }
  const from = input.from < t ? t : input.from
  const ctx = await loadContext(m, { childIds: [input.childId], from, to: input.to, includeEnded: true })
  if (!ctx.children.has(input.childId) || !childInHousehold(m, input.childId, actor.familyId)) throw notFound('Enfant')
  if (input.certificateDocumentId) {
    const doc = stmt(dbOf(m), 'SELECT family_id AS familyId FROM family_document WHERE id = ?').get(input.certificateDocumentId) as { familyId: number } | undefined
    if (doc?.familyId !== actor.familyId) throw notFound('Certificat')
  }
  // A household declares absences on its own bookings only (a shared child's other household keeps its days).
  const lines = planAbsence(ctx, { ...input, from, hasCertificate: preview ? input.reason === 'maladie' : !!(input.certificateDocumentId || input.certificateUploadId) }, core.clock.now(), t).filter(
    (l) => ctx.foreignBooking(actor.familyId, l.childId, l.unitId, l.day) === null
  )
  if (!lines.length) {
    throw new DomainError(
      'nothing_reserved',
      `${ctx.children.get(input.childId)!.firstName} n’a aucune réservation ${from === input.to ? `le ${frDay(from)}` : `du ${frDay(from)} au ${frDay(input.to)}`} : il n’y a pas d’absence à déclarer.`,
      409
    )
  }
  return { ctx, lines }
}

function checkSpan(input: AbsenceInput) {
  const days = (Date.parse(input.to) - Date.parse(input.from)) / 86_400_000
  if (days > MAX_ABSENCE_DAYS) throw new DomainError('invalid_input', 'Une absence couvre au plus trois mois ; pour une absence plus longue, écrivez à la structure.', 400, { to: 'Période trop longue.' })
}

export async function previewAbsence(core: Core, actor: FamilyActor, input: AbsenceInput): Promise<RecapResult> {
  checkSpan(input)
  return core.tx.read(async (m) => {
    const { ctx, lines } = await plan(m, core, actor, input, true)
    return summarize(ctx, lines, [])
  })
}

/**
 * Declares an absence over a date range: every reserved day of the child
 * becomes an absence (excused, billed, or waiting for staff per the
 * activity's validation), in one transaction, with the recap e-mail.
 */
export async function declareAbsence(core: Core, actor: FamilyActor, input: AbsenceInput): Promise<RecapResult> {
  checkSpan(input)
  return core.tx.run(async (m) => {
    const { ctx, lines } = await plan(m, core, actor, input)
    let certificateDocumentId = input.certificateDocumentId
    if (!certificateDocumentId && input.certificateUploadId) {
      const span = input.from === input.to ? `du ${frDay(input.from)}` : `du ${frDay(input.from)} au ${frDay(input.to)}`
      // Nested tx.run: runs in this transaction, so the certificate exists iff the absence does.
      certificateDocumentId = await sendFamilyDocument(core, actor, {
        uploadId: input.certificateUploadId,
        docType: 'certificat-medical',
        title: `Certificat médical – ${ctx.children.get(input.childId)!.firstName} – absence ${span}`,
        childId: input.childId
      })
    }
    return writeFamilyLines(m, core, actor, ctx, lines, [], {
      certificateDocumentId,
      comment: input.comment,
      requestPayload: { absence: { from: input.from, to: input.to, reason: input.reason, certificateDocumentId } }
    })
  })
}
