/**
 * French-format validators shared by both UIs and the server, so a form
 * refuses what the server would refuse with the same words.
 */

/** Removes the separators people type in phone numbers. */
function compactPhone(s: string): string {
  return s.replace(/[\s.\-()/]/g, '')
}

/**
 * Normalises a phone number: French numbers (0X XX XX XX XX, +33, 0033,
 * overseas +262/+590/+594/+596/+269) become "06 12 34 56 78"; other
 * international numbers stay "+32…". Returns null when invalid.
 */
export function normalizePhone(raw: string): string | null {
  const s = compactPhone(raw.trim())
  if (s === '') return ''
  let national: string | null = null
  if (/^0[1-9]\d{8}$/.test(s)) national = s
  else if (/^\+33[1-9]\d{8}$/.test(s)) national = '0' + s.slice(3)
  else if (/^0033[1-9]\d{8}$/.test(s)) national = '0' + s.slice(4)
  if (national) return national.replace(/(\d{2})(?=\d)/g, '$1 ')
  // Overseas departments keep their own country codes.
  if (/^\+(262|269|590|594|596|508|681|687|689)\d{9}$/.test(s)) return s
  // Other countries (a grandparent in Belgium…): E.164, but not a disguised French number.
  if (/^\+(?!33)[1-9]\d{7,14}$/.test(s)) return s
  return null
}

export const PHONE_ERROR = 'Numéro de téléphone invalide : 10 chiffres commençant par 0 (ex. 06 12 34 56 78) ou format international (+33 6 12 34 56 78).'

/** French postcodes: 5 digits, department 01–95 or overseas 97x/98x. */
export function isFrenchPostalCode(s: string): boolean {
  return /^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$/.test(s)
}

export const POSTAL_CODE_ERROR = 'Code postal invalide : 5 chiffres (ex. 31000).'

/**
 * Bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069): they make text display other than it is stored — a child
 * "Léo\u202Etnomud" shows as "Léodumont" in one screen and not in the next
 * export, and "facture\u202Efdp.exe" shows as "factureexe.pdf". Nobody types
 * them; they come from copy-paste or from someone playing tricks. Refused in
 * every name and short text (contract/common.ts) and in uploaded file names.
 */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/

export function hasBidiControl(s: string): boolean {
  return BIDI_CONTROL.test(s)
}

export const BIDI_ERROR = 'contient un caractère invisible qui inverse le sens d’écriture (U+202A à U+202E, U+2066 à U+2069), souvent venu d’un copier-coller'

/** "Nom : contient un caractère invisible… Retapez-le." */
export function bidiError(label: string): string {
  return `${label} : ${BIDI_ERROR}. Retapez-le au clavier.`
}

/** Characters that show nothing or change how what follows shows: controls, zero-width and direction marks, bidi controls, BOM. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g

export function hasInvisible(s: string): boolean {
  INVISIBLE.lastIndex = 0
  return INVISIBLE.test(s)
}

/** A hostile text made safe to quote in a message (the UIs render it as text anyway). */
export function withoutInvisible(s: string): string {
  return s.replace(INVISIBLE, '')
}

// Bank identifiers: one implementation (ISO 13616 IBAN, ISO 9362 BIC), shared with billing's SEPA export.
export {
  normalizeIban as compactIban,
  ibanProblem as ibanError,
  formatIban,
  maskIban,
  isValidBic as isBic
} from './check-digits'
