import type Database from 'better-sqlite3'
import { IMPORT_FIELDS, type ImportFieldId } from '@shared/imports/fields'

/** A column title as compared: lower case, no accents, words separated by one space. */
export function headerKey(h: string): string {
  return h
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[’']/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
}

type Slot = 'child' | 'r1' | 'r2' | 'row'
type Attr =
  | 'nom' | 'prenom' | 'naissance' | 'sexe' | 'civilite' | 'email' | 'telPortable' | 'telDomicile' | 'telTravail' | 'profession' | 'employeur'
  | 'ecole' | 'classe' | 'allergies' | 'regimeAlimentaire' | 'medecin' | 'telMedecin'
  | 'famille' | 'role' | 'adresse' | 'codePostal' | 'ville' | 'numAllocataire' | 'regimeCaf' | 'qf' | 'qfFin' | 'notes'

const has = (k: string, re: RegExp) => re.test(k)

function slotOf(k: string): Slot {
  if (has(k, /\b(enfant|eleve|fils|fille)\b/)) return 'child'
  if (has(k, /\b(conjoint|conjointe|responsable 2|resp 2|parent 2|representant 2|r2|mere|seconde? responsable)\b/)) return 'r2'
  if (has(k, /\b(responsable|resp|parent|pere|payeur|representant|r1|titulaire)\b/)) return 'r1'
  return 'row'
}

function attrOf(k: string): Attr | null {
  if (has(k, /\b(medecin|docteur)\b/)) return has(k, /\b(tel|telephone|portable)\b/) ? 'telMedecin' : 'medecin'
  if (has(k, /\b(qf|quotient)\b/)) return has(k, /\b(valid|valable|jusqu|fin|expir|echeance)/) ? 'qfFin' : 'qf'
  if (has(k, /\bprenom/)) return 'prenom'
  if (has(k, /\b(naissance|ne le|nee le|ne e le|date naiss|ddn|birth)\b/)) return 'naissance'
  if (has(k, /\b(mail|courriel|e mail|email|adresse electronique)\b/)) return 'email'
  if (has(k, /\b(allergie|allergies|allergique)\b/)) return 'allergies'
  if (has(k, /\bregime\b/)) return has(k, /\b(aliment|repas|menu)/) ? 'regimeAlimentaire' : 'regimeCaf'
  if (has(k, /\b(repas|menu|alimentation|sans porc)\b/)) return 'regimeAlimentaire'
  if (has(k, /\b(allocataire|caf|cnaf|msa)\b/)) return 'numAllocataire'
  if (has(k, /\b(portable|mobile|gsm|cellulaire)\b/)) return 'telPortable'
  if (has(k, /\b(tel|telephone|phone)\b/)) return has(k, /\b(travail|pro|professionnel|bureau)\b/) ? 'telTravail' : 'telDomicile'
  if (has(k, /\b(code postal|cp)\b/)) return 'codePostal'
  if (has(k, /\b(ville|commune|localite)\b/)) return 'ville'
  if (has(k, /\b(adresse|rue|voie|domicile)\b/)) return 'adresse'
  if (has(k, /\bemployeur|entreprise|societe\b/)) return 'employeur'
  if (has(k, /\b(profession|metier|emploi|fonction)\b/)) return 'profession'
  if (has(k, /\b(ecole|etablissement|groupe scolaire)\b/)) return 'ecole'
  if (has(k, /\b(classe|niveau)\b/)) return 'classe'
  if (has(k, /\b(sexe|genre)\b/)) return 'sexe'
  if (has(k, /\b(civilite|titre)\b/)) return 'civilite'
  if (has(k, /\b(role|qualite|lien|type de personne|statut)\b/)) return 'role'
  if (has(k, /\b(n famille|num famille|numero famille|code famille|id famille|famille|foyer|dossier)\b/) && !has(k, /\bnom\b/)) return 'famille'
  if (has(k, /\b(nom|name|nom de famille|patronyme)\b/)) return 'nom'
  if (has(k, /\b(remarque|remarques|observation|observations|commentaire|commentaires|note|notes|info|infos)\b/)) return 'notes'
  return null
}

const CHILD_ATTRS = new Set<Attr>(['nom', 'prenom', 'naissance', 'sexe', 'ecole', 'classe', 'allergies', 'regimeAlimentaire', 'medecin', 'telMedecin'])
const PERSON_ATTRS = new Set<Attr>(['civilite', 'nom', 'prenom', 'naissance', 'email', 'telPortable', 'telDomicile', 'telTravail', 'profession', 'employeur'])
const cap = (a: string) => a[0].toUpperCase() + a.slice(1)

function fieldFor(slot: Slot, attr: Attr): ImportFieldId | null {
  if (slot === 'r1' || slot === 'r2') {
    const a = attr === 'sexe' ? 'civilite' : attr
    if (PERSON_ATTRS.has(a)) return `${slot}${cap(a)}` as ImportFieldId
    return attr in IMPORT_FIELDS && !CHILD_ATTRS.has(attr) ? (attr as ImportFieldId) : null
  }
  if (slot === 'child') return CHILD_ATTRS.has(attr) ? (attr as ImportFieldId) : attr === 'civilite' ? 'sexe' : null
  if (attr === 'civilite') return 'sexe'
  return attr as ImportFieldId
}

/**
 * Sensible first guesses for a sheet's columns, from their titles: « Nom »,
 * « Prénom de l’enfant », « Mail du responsable », « Tél. portable »,
 * « Date de naissance »… A field is given to one column at most. Without a
 * « Rôle » column or any child column, each row is a family's responsable:
 * « Nom », « Mail »… then go to the responsable.
 */
export function guessMapping(headers: string[], remembered: Map<string, string>): { mapping: (ImportFieldId | '')[]; remembered: boolean[] } {
  // A title mapped before keeps its field, or stays unmapped if it was left out last time.
  const known = headers.map((h) => remembered.has(headerKey(h)))
  const fromMemory = headers.map((h) => (remembered.get(headerKey(h)) ?? '') as ImportFieldId | '')
  const guessed = headers.map((h) => {
    const k = headerKey(h)
    const attr = attrOf(k)
    return attr ? fieldFor(slotOf(k), attr) : null
  })
  const hasRole = guessed.includes('role') || fromMemory.includes('role')
  const hasChildOnly = guessed.some((f) => f && ['naissance', 'sexe', 'ecole', 'classe', 'allergies'].includes(f)) && guessed.some((f) => f?.startsWith('r1'))
  const childColumns = headers.some((h) => slotOf(headerKey(h)) === 'child') || hasChildOnly
  const adultOnly = new Set(['email', 'telPortable', 'telDomicile', 'telTravail', 'profession', 'employeur'])
  const final = guessed.map((f) => {
    if (!f || hasRole) return f
    // One row per child: the row's own person is the child, so adult-only columns belong to the responsable.
    if (adultOnly.has(f)) return `r1${cap(f)}` as ImportFieldId
    if (!childColumns && ['nom', 'prenom', 'naissance'].includes(f)) return `r1${cap(f)}` as ImportFieldId
    if (!childColumns && f === 'sexe') return 'r1Civilite'
    return f
  })
  const taken = new Set<string>(fromMemory.filter(Boolean))
  const mapping = headers.map((_, i) => {
    if (known[i]) return fromMemory[i]
    const f = final[i]
    if (!f || taken.has(f)) return ''
    taken.add(f)
    return f
  })
  return { mapping, remembered: known }
}

export function rememberedMapping(db: Database.Database): Map<string, string> {
  return new Map((db.prepare('SELECT header, field FROM import_column_memory').raw().all() as [string, string][]).filter(([, f]) => f in IMPORT_FIELDS || f === ''))
}

/** Saves the mapping an import used, title by title, for the next file. */
export function rememberMapping(db: Database.Database, headers: string[], mapping: string[], at: string): void {
  const up = db.prepare('INSERT INTO import_column_memory (header, field, updated_at) VALUES (?, ?, ?) ON CONFLICT(header) DO UPDATE SET field = excluded.field, updated_at = excluded.updated_at')
  headers.forEach((h, i) => up.run(headerKey(h), mapping[i] ?? '', at))
}
