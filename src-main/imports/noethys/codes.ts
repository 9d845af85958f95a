/**
 * Noethys' code values (reference/noethys/NOTES.md §3): they are constants
 * in its program, not rows of the data file.
 */

/** IDcivilite → civility and sex; 6–9 are legal persons (collectivité, association…). */
export const CIVILITIES: Record<number, { civility: '' | 'M.' | 'Mme'; sex: '' | 'F' | 'M'; legal?: true }> = {
  1: { civility: 'M.', sex: 'M' },
  2: { civility: 'Mme', sex: 'F' },
  3: { civility: 'Mme', sex: 'F' },
  4: { civility: '', sex: 'M' },
  5: { civility: '', sex: 'F' },
  6: { civility: '', sex: '', legal: true },
  7: { civility: '', sex: '', legal: true },
  8: { civility: '', sex: '', legal: true },
  9: { civility: '', sex: '', legal: true }
}

export const CATEGORY = { representant: 1, enfant: 2, contact: 3 } as const

/** IDtype_lien → "sujet est son …" in the masculine and feminine. */
export const LINK_TYPES: Record<number, [string, string]> = {
  1: ['père', 'mère'],
  2: ['fils', 'fille'],
  3: ['frère', 'sœur'],
  4: ['grand-père', 'grand-mère'],
  5: ['petit-fils', 'petite-fille'],
  6: ['oncle', 'tante'],
  7: ['neveu', 'nièce'],
  10: ['mari', 'femme'],
  11: ['concubin', 'concubine'],
  12: ['veuf', 'veuve'],
  13: ['beau-père', 'belle-mère'],
  14: ['beau-fils', 'belle-fille'],
  15: ['pacsé', 'pacsée'],
  16: ['ex-mari', 'ex-femme'],
  17: ['ex-concubin', 'ex-concubine'],
  18: ['tuteur', 'tutrice'],
  19: ['sous sa tutelle', 'sous sa tutelle'],
  20: ['assistant maternel', 'assistante maternelle'],
  21: ['sous sa garde', 'sous sa garde'],
  22: ['ami', 'amie'],
  23: ['voisin', 'voisine'],
  24: ['assistant familial', 'assistante familiale'],
  25: ['sous sa garde', 'sous sa garde']
}

/** Link between the two titulaires → the "Situation" of the family's people. */
export const SITUATION_BY_LINK: Record<number, string> = {
  10: 'Marié(e)',
  11: 'Vie maritale',
  12: 'Veuf / veuve',
  15: 'Pacsé(e)',
  16: 'Divorcé(e)',
  17: 'Séparé(e)'
}

/** IDautorisation of a link. */
export const AUTHORISATIONS: Record<number, string> = {
  1: 'responsable légal',
  2: 'à contacter en cas d’urgence',
  3: 'autorisé(e) à venir chercher l’enfant',
  4: 'n’est pas autorisé(e) à venir chercher l’enfant'
}

/** categories_medicales defaults (IDtype of problemes_sante); NULL means 1. */
export const HEALTH_TYPES: Record<number, string> = {
  1: 'Maladie',
  2: 'Alimentation',
  3: 'Médicamentation',
  4: 'Allergie',
  5: 'Accident',
  6: 'Hospitalisation',
  7: 'Opération',
  8: 'Autre'
}

export function linkLabel(type: number | null, feminine: boolean): string | null {
  if (type === null) return null
  const l = LINK_TYPES[type]
  return l ? l[feminine ? 1 : 0] : null
}

export const capitalise = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s)
