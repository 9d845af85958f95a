import { z } from '../zod-fr'
import { bidiError, hasBidiControl } from '../validators'

export const id = z.number().int().positive()
export const isoDate = z.iso.date({ error: 'Date invalide (format attendu AAAA-MM-JJ).' })
/** Names and short texts: required, at most `max` characters, no bidirectional control (validators.ts). */
export const nonEmpty = (label: string, max = 200) =>
  z
    .string()
    .trim()
    .min(1, { error: `${label} : champ obligatoire.` })
    .max(max, { error: `${label} : ${max} caractères au maximum.` })
    .refine((v) => !hasBidiControl(v), { error: bidiError(label) })
export const optionalText = (max = 200) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((v) => !hasBidiControl(v), { error: bidiError('Ce champ') })
    .default('')
export const email = z.string().trim().toLowerCase().pipe(z.email({ error: 'Adresse e-mail invalide.' }))
export const phone = z
  .string()
  .trim()
  .regex(/^(\+?[0-9][0-9 .\-]{7,18})?$/, { error: 'Numéro de téléphone invalide.' })
  .default('')
export const postalCode = z.string().trim().regex(/^(\d{5})?$/, { error: 'Code postal invalide (5 chiffres).' }).default('')
export const empty = z.object({})
export const ok = z.object({ ok: z.literal(true) })
export const civility = z.enum(['M.', 'Mme', ''])

/**
 * The version of a record as a screen loaded it. Every get returns it, every
 * save sends it back; a save from a stale copy is refused (409, code
 * `stale_version`) naming who changed the record. 0 = not saved yet.
 */
export const recordVersion = z.number({ error: 'Version de l’enregistrement manquante : rechargez la page.' }).int().min(0)

/**
 * Password rules shared by both UIs: at least 12 characters, no composition rule, and hard to guess
 * (src-shared/password-policy.ts: common passwords, zxcvbn-ts score with French dictionaries).
 */
export const PASSWORD_MIN = 12
export const PASSWORD_HINT = `Au moins ${PASSWORD_MIN} caractères, difficile à deviner : ni mot seul, ni suite de touches (azerty…), ni date, ni votre nom. Une phrase de plusieurs mots est facile à retenir.`
export const password = z
  .string()
  .min(PASSWORD_MIN, { error: `Le mot de passe doit contenir au moins ${PASSWORD_MIN} caractères.` })
  .max(256, { error: 'Le mot de passe est trop long (256 caractères au maximum).' })

export const page = z.object({
  limit: z.number().int().min(1).max(500).default(50),
  offset: z.number().int().min(0).default(0)
})

export const requestStatus = z.enum(['pending', 'accepted', 'refused', 'cancelled'])
export const REQUEST_STATUS_LABELS: Record<z.infer<typeof requestStatus>, string> = {
  pending: 'En attente',
  accepted: 'Acceptée',
  refused: 'Refusée',
  cancelled: 'Annulée'
}
