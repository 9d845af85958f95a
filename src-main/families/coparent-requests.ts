import type { EntityManager } from 'typeorm'
import {
  COPARENT_CONFIRMATION,
  COPARENT_PROOF_LABELS,
  COPARENT_REQUEST,
  coparentPayload,
  type CoparentCandidateDto,
  type CoparentPayload,
  type CoparentRequestInput
} from '@shared/contract/households-shapes'
import { upperName } from '@shared/names'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { frenchDate } from '../core/clock'
import { DomainError, notFound } from '../core/errors'
import { dbOf, stmt } from '../bookings/sql'
import { storeFamilyDocument } from '../documents/documents'
import { noticeToFamily } from '../messaging/messaging'
import { createRequest, decideRequest, pendingRequest } from '../requests/requests'
import { FamilyRequest } from '../requests/entities'
import { familyRecipient } from './contact'
import { childHouseholdLabels, childHouseholds, linkSecondHousehold } from './households'

type FamilyActor = Extract<Actor, { kind: 'family' }>
type StaffActor = Extract<Actor, { kind: 'staff' }>

/** A household may have this many « je suis l'autre parent » requests waiting at once (no flooding the direction). */
const MAX_PENDING = 3

/** Names compared as a desk would: no case, no accents, hyphens and apostrophes as spaces. */
const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[-'’\s]+/g, ' ')
    .trim()

/**
 * « Je suis l'autre parent »: files the request with its proof (a document of
 * the household's own, through the staged upload), whatever the structure
 * knows. Nothing here looks for the child: the answer, its wording and its
 * work are the same with or without a match; the direction matches later.
 */
export async function requestCoparentLink(core: Core, actor: FamilyActor, input: CoparentRequestInput): Promise<{ requestId: number; message: string }> {
  return core.tx.run(async (m) => {
    const pending = stmt(dbOf(m), `SELECT COUNT(*) AS n FROM request WHERE family_id = ? AND type = ? AND status = 'pending'`).get(actor.familyId, COPARENT_REQUEST) as { n: number }
    if (pending.n >= MAX_PENDING) {
      throw new DomainError('too_many_requests', `Vous avez déjà ${MAX_PENDING} demandes de rattachement en attente : attendez la réponse de la direction.`, 409)
    }
    const child = `${input.childFirstName} ${upperName(input.childLastName)}`
    const doc = await storeFamilyDocument(m, core, actor, {
      uploadId: input.uploadId,
      docType: 'autre',
      title: `${COPARENT_PROOF_LABELS[input.proofType]} — rattachement de ${child}`.slice(0, 200),
      childId: null
    })
    const { uploadId: _u, ...rest } = input
    const payload: CoparentPayload = { ...rest, documentId: doc.id, childId: null }
    const r = await createRequest(m, core, actor, {
      familyId: actor.familyId,
      accountId: actor.id,
      type: COPARENT_REQUEST,
      summary: `Rattachement de l’enfant ${child}, né(e) le ${frenchDate(input.birthDate)}`.slice(0, 300),
      payload
    })
    return { requestId: r.id, message: COPARENT_CONFIRMATION }
  })
}

function parsePayload(r: FamilyRequest): CoparentPayload {
  const p = coparentPayload.safeParse(r.payload)
  if (!p.success) throw new DomainError('bad_request_payload', 'Cette demande est illisible : refusez-la et demandez à la famille de la refaire.', 400)
  return p.data
}

/** The children of the structure named as in the request, born that day, not already the requesting household's. */
async function candidates(m: EntityManager, r: FamilyRequest, p: CoparentPayload): Promise<CoparentCandidateDto[]> {
  const rows = stmt(dbOf(m), 'SELECT id, first_name AS firstName, last_name AS lastName, birth_date AS birthDate FROM child WHERE birth_date = ? ORDER BY id').all(p.birthDate) as {
    id: number; firstName: string; lastName: string; birthDate: string
  }[]
  const out: CoparentCandidateDto[] = []
  for (const c of rows) {
    if (fold(c.firstName) !== fold(p.childFirstName) || fold(c.lastName) !== fold(p.childLastName)) continue
    const households = childHouseholds(m, c.id)
    if (households.includes(r.familyId)) continue
    const labels = (await childHouseholdLabels(m, c.id))!
    out.push({ childId: c.id, name: `${c.firstName} ${upperName(c.lastName)}`, birthDate: c.birthDate, household: labels.first, shared: households.length > 1 })
  }
  return out
}

export async function coparentCandidates(core: Core, requestId: number): Promise<CoparentCandidateDto[]> {
  return core.tx.read(async (m) => {
    const r = await m.findOneBy(FamilyRequest, { id: requestId })
    if (!r || r.type !== COPARENT_REQUEST) throw notFound('Demande')
    return candidates(m, r, parsePayload(r))
  })
}

/**
 * The direction accepts: the chosen child (one of the matches) is linked to
 * the requesting household with the link of the child's card (audited). The
 * household gets the answer; the child's first household learns that a
 * second one was linked, and nothing about it.
 */
export async function acceptCoparentLink(core: Core, actor: StaffActor, requestId: number, childId: number): Promise<void> {
  await core.tx.run(async (m) => {
    const r = await pendingRequest(m, requestId, COPARENT_REQUEST)
    const p = parsePayload(r)
    const match = (await candidates(m, r, p)).find((c) => c.childId === childId)
    if (!match) throw new DomainError('invalid_input', 'Cet enfant ne correspond pas à la demande (prénom, nom et date de naissance).', 400, { childId: 'Choisissez un des enfants proposés.' })
    const first = match.household.familyId
    await linkSecondHousehold(core, actor, childId, r.familyId)
    r.payload = { ...r.payload, childId }
    await decideRequest(m, core, actor, r, 'accepted')
    const firstName = match.name.split(' ')[0]
    await noticeToFamily(
      m, core, actor, r.familyId, await familyRecipient(m, r.familyId, r.accountId),
      'Votre demande de rattachement est acceptée',
      `Votre demande du ${frenchDate(r.createdAt)} est acceptée : ${match.name} figure désormais dans votre dossier famille. Vous pouvez consulter sa fiche, demander ses inscriptions et réserver vos jours depuis le portail.`
    )
    await noticeToFamily(
      m, core, actor, first, await familyRecipient(m, first),
      `${firstName} : un second foyer est rattaché`,
      `La direction a rattaché ${match.name} au foyer de son autre parent, sur justificatif. La fiche de ${firstName} (identité, santé, autorisations) est désormais commune aux deux foyers ; vos coordonnées, vos factures et vos messages restent les vôtres. Pour toute question, écrivez-nous depuis la messagerie.`
    )
  })
}

/** The direction refuses with a reason; the family gets it by message and e-mail, in the same words whether a child matched or not. */
export async function refuseCoparentLink(core: Core, actor: StaffActor, requestId: number, reason: string): Promise<void> {
  await core.tx.run(async (m) => {
    const r = await pendingRequest(m, requestId, COPARENT_REQUEST)
    await decideRequest(m, core, actor, r, 'refused', reason)
    await noticeToFamily(
      m, core, actor, r.familyId, await familyRecipient(m, r.familyId, r.accountId),
      'Votre demande de rattachement n’a pas été acceptée',
      `Votre demande de rattachement d’un enfant du ${frenchDate(r.createdAt)} n’a pas été acceptée.\nMotif : ${reason}`
    )
  })
}
