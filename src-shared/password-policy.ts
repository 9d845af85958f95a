import { ZxcvbnFactory, type FeedbackType } from '@zxcvbn-ts/core'
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common'
import { dictionary as frenchDictionary, translations as frenchTranslations } from '@zxcvbn-ts/language-fr'
import { PASSWORD_MIN } from './contract/common'

/**
 * The password policy, one implementation for the server and the portal (the
 * portal loads this module lazily: its dictionaries weigh about 1 MB), so a
 * form refuses what the server would refuse, with the same French words.
 *
 * 1. At least 12 characters, no composition rule.
 * 2. Not one of the ~49,000 common passwords of zxcvbn-ts, nor the login.
 * 3. A zxcvbn score of at least 3 (« safely unguessable »: about 10^8
 *    guesses) with the French dictionaries (words, first and last names,
 *    Wikipedia) and the AZERTY keyboard, the person's own login and names
 *    counting as known words. The refusal says why, with zxcvbn's feedback in
 *    French (@zxcvbn-ts/language-fr).
 */
export const PASSWORD_MIN_SCORE = 3

export type PasswordProblemReason = 'short' | 'common' | 'weak'

export interface PasswordProblem {
  reason: PasswordProblemReason
  /** A French explanation, shown next to the field. */
  message: string
}

let common: Set<string> | null = null
let factory: ZxcvbnFactory | null = null

function zxcvbn(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    translations: frenchTranslations,
    graphs: adjacencyGraphs,
    dictionary: { ...commonDictionary, ...frenchDictionary },
    // The estimate's cost grows fast with length and look-alike characters ("1q2w3e4r" repeated took
    // over a second): the first 40 characters decide, which no weak password gets past anyway.
    maxLength: 40,
    l33tMaxSubstitutions: 20
  })
  return factory
}

/** The login and names, and their parts ("marie.dupont@exemple.fr" → marie, dupont, exemple), as known words. */
function knownWords(userInputs: string[]): string[] {
  const words = new Set<string>()
  for (const input of userInputs) {
    const v = input.trim().toLowerCase()
    if (!v) continue
    words.add(v)
    for (const part of v.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) words.add(part)
  }
  return [...words]
}

/** « Les dates sont faciles à deviner. » whatever the source's punctuation. */
function sentence(s: string): string {
  const t = s.trim()
  return /[.!?]$/.test(t) ? t : `${t}.`
}

function weakMessage(feedback: FeedbackType): string {
  const parts = [feedback.warning, ...feedback.suggestions].filter((s): s is string => !!s).map(sentence)
  if (parts.length === 0) parts.push('Ajoutez des mots moins courants.')
  return `Ce mot de passe est trop facile à deviner. ${parts.join(' ')} Une phrase de plusieurs mots inattendus est à la fois sûre et facile à retenir.`
}

export const PASSWORD_SHORT = `Le mot de passe doit contenir au moins ${PASSWORD_MIN} caractères.`
export const PASSWORD_COMMON = 'Ce mot de passe est trop courant. Choisissez-en un autre, par exemple une phrase de plusieurs mots.'

/** Why `password` is refused, or null when it is accepted. `userInputs`: the login, e-mail, names of the person. */
export function passwordProblem(password: string, userInputs: string[] = []): PasswordProblem | null {
  if (password.length < PASSWORD_MIN) return { reason: 'short', message: PASSWORD_SHORT }
  common ??= new Set(commonDictionary['passwords-common'].map((p) => p.toLowerCase()))
  const lower = password.toLowerCase()
  if (common.has(lower) || userInputs.some((i) => i.trim().toLowerCase() === lower)) return { reason: 'common', message: PASSWORD_COMMON }
  const result = zxcvbn().check(password, knownWords(userInputs))
  return result.score >= PASSWORD_MIN_SCORE ? null : { reason: 'weak', message: weakMessage(result.feedback) }
}
