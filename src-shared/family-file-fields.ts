import {
  CAF_REGIME_LABELS,
  CONSENT_KEYS,
  CONSENT_LABELS,
  FIELD_LABELS,
  LIVES_WITH_LABELS,
  MEAL_TYPE_LABELS,
  type FileSection
} from './contract/family-file-shapes'

/**
 * How each section of the family file is shown and edited, shared by the
 * back-office and the portal so both ask the same questions with the same
 * words. Values are those of the section schemas in family-file-shapes.ts.
 */
export type FieldType = 'text' | 'tel' | 'email' | 'date' | 'bool' | 'select' | 'int' | 'decimal' | 'textarea' | 'pickups' | 'vaccines' | 'iban'

export interface FieldSpec {
  key: string
  label: string
  type: FieldType
  options?: { value: string; label: string }[]
  hint?: string
  /** Shown only to staff (e-mail). */
  staffOnly?: boolean
  /** Free text offered with suggestions (qualité, situation…). */
  suggestions?: string[]
  autocomplete?: string
}

const f = (key: string, type: FieldType, extra: Partial<FieldSpec> = {}): FieldSpec => ({ key, label: FIELD_LABELS[key] ?? key, type, ...extra })
const opts = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }))

export const QUALITY_SUGGESTIONS = ['Mère', 'Père', 'Tuteur', 'Tutrice', 'Grand-mère', 'Grand-père', 'Famille d’accueil']
export const SITUATION_SUGGESTIONS = ['Marié(e)', 'Pacsé(e)', 'Vie maritale', 'Célibataire', 'Séparé(e)', 'Divorcé(e)', 'Veuf(ve)']
export const CSP_SUGGESTIONS = [
  'Agriculteur exploitant',
  'Artisan, commerçant, chef d’entreprise',
  'Cadre, profession intellectuelle supérieure',
  'Profession intermédiaire',
  'Employé',
  'Ouvrier',
  'Retraité',
  'Sans activité professionnelle'
]

const PERSON: FieldSpec[] = [
  f('civility', 'select', { options: [{ value: '', label: 'Non précisée' }, { value: 'Mme', label: 'Madame' }, { value: 'M.', label: 'Monsieur' }] }),
  f('lastName', 'text', { autocomplete: 'family-name' }),
  f('firstName', 'text', { autocomplete: 'given-name' }),
  f('birthDate', 'date', { autocomplete: 'bday' }),
  f('quality', 'text', { suggestions: QUALITY_SUGGESTIONS, hint: 'Mère, père, tuteur…' }),
  f('situation', 'text', { suggestions: SITUATION_SUGGESTIONS }),
  f('address', 'text', { autocomplete: 'street-address' }),
  f('postalCode', 'text', { autocomplete: 'postal-code', hint: '5 chiffres' }),
  f('city', 'text', { autocomplete: 'address-level2' }),
  f('phoneMobile', 'tel', { autocomplete: 'tel', hint: 'Exemple : 06 12 34 56 78' }),
  f('phoneHome', 'tel'),
  f('phoneWork', 'tel'),
  f('email', 'email', { staffOnly: true }),
  f('profession', 'text'),
  f('csp', 'text', { suggestions: CSP_SUGGESTIONS }),
  f('employer', 'text'),
  f('employerAddress', 'text'),
  f('consentEmail', 'bool'),
  f('consentSms', 'bool')
]

export const SECTION_FIELDS: Record<FileSection, FieldSpec[]> = {
  responsable: PERSON,
  conjoint: PERSON,
  fiscal: [f('taxYear', 'int'), f('referenceIncome', 'int', { hint: 'En euros, sur votre avis d’imposition' }), f('taxShares', 'decimal'), f('dependentChildren', 'int')],
  caf: [
    f('allocataireName', 'text'),
    f('regime', 'select', { options: opts(CAF_REGIME_LABELS) }),
    f('allocataireNumber', 'text'),
    f('quotient', 'int', { hint: 'Indiqué sur votre attestation CAF' }),
    f('quotientValidUntil', 'date')
  ],
  bank: [f('holder', 'text'), f('bankName', 'text'), f('iban', 'iban', { hint: 'Exemple : FR76 3000 6000 0112 3456 7890 189' }), f('bic', 'text'), f('directDebit', 'bool')],
  authorisations: [
    f('imageRights', 'bool'),
    f('leaveAlone', 'bool'),
    f('outings', 'select', { options: opts(CONSENT_LABELS), hint: 'Sorties et transports (car, minibus, à pied) organisés par la structure' }),
    f('emergencyCare', 'select', { options: opts(CONSENT_LABELS), hint: 'Le responsable de l’accueil peut faire soigner l’enfant et, en cas d’urgence, le faire hospitaliser' }),
    f('pickups', 'pickups')
  ],
  health: [
    f('allergies', 'bool'),
    f('allergyNotes', 'textarea', { hint: 'Obligatoire si l’enfant a des allergies' }),
    f('pai', 'bool', { hint: 'Projet d’accueil individualisé' }),
    f('mealType', 'select', { options: opts(MEAL_TYPE_LABELS) }),
    f('dietNotes', 'textarea'),
    f('vaccines', 'vaccines'),
    f('doctorName', 'text'),
    f('doctorPhone', 'tel'),
    f('glasses', 'bool'),
    f('hearingAid', 'bool'),
    f('healthNotes', 'textarea')
  ],
  child: [
    f('lastName', 'text'),
    f('firstName', 'text'),
    f('birthDate', 'date'),
    f('sex', 'select', { options: [{ value: '', label: 'Non précisé' }, { value: 'F', label: 'Fille' }, { value: 'M', label: 'Garçon' }] }),
    f('school', 'text'),
    f('grade', 'text', { suggestions: ['TPS', 'PS', 'MS', 'GS', 'CP', 'CE1', 'CE2', 'CM1', 'CM2', '6e'] }),
    f('linkResponsable', 'text', { suggestions: QUALITY_SUGGESTIONS }),
    f('linkConjoint', 'text', { suggestions: QUALITY_SUGGESTIONS }),
    f('livesWith', 'select', { options: opts(LIVES_WITH_LABELS) })
  ]
}

/**
 * The wizard's four steps (000 guide: identity → « Informations CAF » and health → family links → authorisations).
 * CAF details (allocataire, quotient) belong to the family, not to a child: step 2 is health and meals, and points to
 * the family's CAF section instead of asking them again.
 */
export const CHILD_WIZARD_STEPS: { title: string; group: 'identity' | 'health' | 'authorisations'; keys: string[] }[] = [
  { title: 'Informations personnelles', group: 'identity', keys: ['lastName', 'firstName', 'birthDate', 'sex', 'school', 'grade'] },
  { title: 'Santé et repas', group: 'health', keys: SECTION_FIELDS.health.map((x) => x.key) },
  { title: 'Liens familiaux', group: 'identity', keys: ['linkResponsable', 'linkConjoint', 'livesWith'] },
  { title: 'Autorisations', group: 'authorisations', keys: SECTION_FIELDS.authorisations.map((x) => x.key) }
]

/** Empty values of a section, for a new conjoint or a new child. */
export function emptyValues(section: FileSection): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const s of SECTION_FIELDS[section]) {
    out[s.key] =
      s.type === 'bool' ? s.key === 'consentEmail' : s.type === 'pickups' || s.type === 'vaccines' ? [] : s.type === 'int' || s.type === 'decimal' || s.type === 'date' ? null : s.type === 'select' ? (s.options?.[0]?.value ?? '') : ''
  }
  if (section === 'health') out.mealType = 'standard'
  if (section === 'fiscal') out.dependentChildren = 0
  return out
}

/** A value as people read it in a diff or a summary ("Oui", "07/09/2026", one pick-up person per line…). */
export function displayValue(key: string, v: unknown): string {
  // Checked before the empty value: an unanswered consent reads « Non renseigné », not a dash.
  if ((CONSENT_KEYS as readonly string[]).includes(key)) return CONSENT_LABELS[v as keyof typeof CONSENT_LABELS] ?? CONSENT_LABELS['']
  if (v === null || v === undefined || v === '') return '—'
  if (typeof v === 'boolean') return v ? 'Oui' : 'Non'
  if (key === 'mealType') return MEAL_TYPE_LABELS[v as keyof typeof MEAL_TYPE_LABELS] ?? String(v)
  if (key === 'regime') return CAF_REGIME_LABELS[v as keyof typeof CAF_REGIME_LABELS] ?? String(v)
  if (key === 'livesWith') return LIVES_WITH_LABELS[v as keyof typeof LIVES_WITH_LABELS] ?? String(v)
  if (key === 'sex') return v === 'F' ? 'Fille' : v === 'M' ? 'Garçon' : String(v)
  if (key === 'civility') return v === 'Mme' ? 'Madame' : v === 'M.' ? 'Monsieur' : String(v)
  if (key === 'quotientProofDocumentId' || key === 'paiDocumentId') return 'Document joint'
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v.split('-').reverse().join('/')
  if (Array.isArray(v)) {
    if (v.length === 0) return 'Aucun'
    return v
      .map((x) => {
        const o = x as Record<string, unknown>
        if ('date' in o) return `${o.name} (${displayValue('date', o.date)})`
        return [o.name, o.relationship, o.phone, o.emergency ? 'à appeler en urgence' : ''].filter(Boolean).join(' · ')
      })
      .join('\n')
  }
  return String(v)
}
