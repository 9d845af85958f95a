import { z } from '../zod-fr'
import { id, isoDate, nonEmpty, optionalText } from './common'
import { householdLabel } from './custody-shapes'

/**
 * « Je suis l'autre parent » (issue 16): a household asks to be linked to a
 * child the structure knows, with a proof. The portal's answer is the same
 * whether such a child exists or not; the direction matches and decides.
 */
export const COPARENT_REQUEST = 'household-link'
export const COPARENT_RELATIONS = ['mere', 'pere', 'tuteur'] as const
export const COPARENT_RELATION_LABELS: Record<(typeof COPARENT_RELATIONS)[number], string> = { mere: 'Mère', pere: 'Père', tuteur: 'Tuteur ou tutrice légal(e)' }
export const COPARENT_PROOFS = ['jugement', 'livret-famille', 'autre'] as const
export const COPARENT_PROOF_LABELS: Record<(typeof COPARENT_PROOFS)[number], string> = {
  jugement: 'Jugement (juge aux affaires familiales)',
  'livret-famille': 'Livret de famille',
  autre: 'Autre justificatif'
}
/** What the family reads after sending, whatever the structure knows: nothing to learn from it. */
export const COPARENT_CONFIRMATION =
  'Votre demande est enregistrée. La direction l’examinera avec votre justificatif et vous répondra par message et par e-mail. Vous pouvez la suivre dans « Mes demandes ».'

export const coparentRequestInput = z.object({
  childFirstName: nonEmpty('Prénom de l’enfant', 100),
  childLastName: nonEmpty('Nom de l’enfant', 100),
  birthDate: isoDate,
  relation: z.enum(COPARENT_RELATIONS, { error: 'Lien avec l’enfant : choisissez dans la liste.' }),
  proofType: z.enum(COPARENT_PROOFS, { error: 'Justificatif : choisissez dans la liste.' }),
  uploadId: id,
  message: optionalText(1000)
})
export type CoparentRequestInput = z.output<typeof coparentRequestInput>

/** What the request keeps (read by staff in the queue). */
export const coparentPayload = coparentRequestInput.omit({ uploadId: true }).extend({ documentId: id, childId: id.nullable().default(null) })
export type CoparentPayload = z.output<typeof coparentPayload>

/** A child of the structure that matches a request (same names, same birth date), for the direction only. */
export const coparentCandidate = z.object({
  childId: id,
  name: z.string(),
  birthDate: z.string(),
  household: householdLabel,
  /** Already linked to a second household: it must be detached before another link. */
  shared: z.boolean()
})
export type CoparentCandidateDto = z.output<typeof coparentCandidate>

/** Who a staff message about one child goes to (« Foyer 1 », « Foyer 2 », « Les deux foyers »). */
export const childHouseholds = z.enum(['first', 'second', 'both'])
