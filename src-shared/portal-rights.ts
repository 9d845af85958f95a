/**
 * What a portal login may do beyond seeing the household's portal (issue 16): the household's main responsable sets
 * them for every other adult's login. The dispatcher refuses a procedure whose `right` the login lacks; the portal
 * hides or disables the same actions and says why, with the same words.
 */
export const PORTAL_RIGHTS = ['book', 'pay', 'edit'] as const
export type PortalRight = (typeof PORTAL_RIGHTS)[number]

/** A procedure's requirement: a right, `main` (the main responsable only: the household's logins), or `any` login (its own password, messages). */
export type PortalRequirement = PortalRight | 'main' | 'any'

export const RIGHT_LABELS: Record<PortalRight, string> = {
  book: 'Réserver et déclarer des absences',
  pay: 'Payer les factures',
  edit: 'Modifier le dossier'
}

/** The refusal, said by the server (403) and by the portal beside what it disables. */
export const RIGHT_REFUSALS: Record<PortalRight | 'main', string> = {
  book: 'Votre accès ne permet pas de réserver ni de déclarer des absences. Demandez ce droit au responsable principal du foyer.',
  pay: 'Votre accès ne permet pas de payer les factures. Demandez ce droit au responsable principal du foyer.',
  edit: 'Votre accès ne permet pas de modifier le dossier de la famille. Demandez ce droit au responsable principal du foyer.',
  main: 'Seul le responsable principal du foyer peut gérer les accès des autres adultes.'
}

/** Stored as a comma list in portal_account.rights (and portal_invitation.rights). */
export const parseRights = (s: string): PortalRight[] => PORTAL_RIGHTS.filter((r) => s.split(',').includes(r))
export const formatRights = (rights: readonly string[]): string => PORTAL_RIGHTS.filter((r) => rights.includes(r)).join(',')
