import { z } from '../zod-fr'

export const id = z.number().int().positive()
export const isoDate = z.iso.date({ error: 'Date invalide (format attendu AAAA-MM-JJ).' })
export const nonEmpty = (label: string, max = 200) =>
  z.string().trim().min(1, { error: `${label} : champ obligatoire.` }).max(max, { error: `${label} : ${max} caractères au maximum.` })
export const optionalText = (max = 200) => z.string().trim().max(max).default('')
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
/** What a get returns beside the record: its current version. */
export const versioned = z.object({ version: z.number().int() })

/** Password rules shared by both UIs: length only (no composition rules); the server also refuses common passwords. */
export const PASSWORD_MIN = 12
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
