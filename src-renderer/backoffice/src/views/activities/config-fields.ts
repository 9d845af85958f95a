import { ACTIVITY_KIND_LABELS, OPENING_RULE_LABELS, SCHOOL_LEVELS } from '@shared/contract/activities-shapes'

export interface ConfigField {
  key: string
  label: string
  type: 'text' | 'textarea' | 'number' | 'money' | 'date' | 'time' | 'select' | 'multiselect' | 'bool'
  options?: { label: string; value: unknown }[]
  hint?: string
  required?: boolean
  /** Shown on a whole row. */
  wide?: boolean
}

const labelled = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ label, value }))

export const FACILITY_FIELDS: ConfigField[] = [
  { key: 'name', label: 'Nom de l’équipement', type: 'text', required: true, wide: true, hint: 'Par exemple « Accueil périscolaire », « Centre de loisirs ».' },
  { key: 'sort', label: 'Ordre d’affichage', type: 'number' },
  { key: 'active', label: 'Actif (proposé sur le portail)', type: 'bool' }
]

export const TYPE_FIELDS: ConfigField[] = [
  { key: 'name', label: 'Nom du type d’activité', type: 'text', required: true, wide: true },
  { key: 'kind', label: 'Nature', type: 'select', options: labelled(ACTIVITY_KIND_LABELS), required: true, hint: 'Petite enfance : les demandes sont des pré-inscriptions (!).' }
]

export const ACTIVITY_FIELDS: ConfigField[] = [
  { key: 'name', label: 'Nom de l’activité', type: 'text', required: true, wide: true, hint: 'Par exemple « ALAE Matin », « CL Maternel Mercredis », « CLV Hiver ».' },
  { key: 'openingRule', label: 'Jours d’ouverture', type: 'select', options: labelled(OPENING_RULE_LABELS), required: true },
  {
    key: 'validation',
    label: 'Validation des inscriptions',
    type: 'select',
    options: [
      { label: 'Par la structure', value: 'staff' },
      { label: 'Automatique (dans la limite des places)', value: 'auto' }
    ],
    required: true
  },
  { key: 'autoBook', label: 'Réservation automatique', type: 'bool', hint: 'une inscription acceptée réserve tous les jours d’ouverture de la période' },
  { key: 'typicalWeek', label: 'Semaine type', type: 'bool', hint: 'la famille peut proposer ses jours et unités' },
  { key: 'active', label: 'Active (proposée sur le portail)', type: 'bool' },
  { key: 'description', label: 'Description pour les familles', type: 'textarea', wide: true }
]

export const PERIOD_FIELDS: ConfigField[] = [
  { key: 'name', label: 'Nom de la période', type: 'text', required: true, wide: true, hint: 'Par exemple « 2026/2027 » ou « Hiver 2027 ».' },
  { key: 'startDate', label: 'Début', type: 'date', required: true },
  { key: 'endDate', label: 'Fin (incluse)', type: 'date', required: true },
  { key: 'windowStart', label: 'Inscriptions ouvertes du', type: 'date', required: true },
  { key: 'windowEnd', label: 'au (inclus)', type: 'date', required: true }
]

export const GROUP_FIELDS: ConfigField[] = [
  { key: 'name', label: 'Nom du groupe', type: 'text', required: true, wide: true, hint: 'Par exemple « Maternelle », « 6-8 ans ».' },
  { key: 'ageMin', label: 'Âge minimum (ans)', type: 'number', hint: 'Âge au premier jour de la période.' },
  { key: 'ageMax', label: 'Âge maximum (ans)', type: 'number' },
  { key: 'levels', label: 'Niveaux scolaires', type: 'multiselect', options: SCHOOL_LEVELS.map((l) => ({ label: l, value: l })), hint: 'Vide : pas de condition de niveau.' },
  { key: 'places', label: 'Places d’inscription', type: 'number', hint: 'Vide : la plus petite capacité des unités du groupe.' }
]

export function unitFields(others: { id: number; name: string }[]): ConfigField[] {
  return [
    { key: 'name', label: 'Nom de l’unité', type: 'text', required: true, wide: true, hint: 'Par exemple « Matin », « Après-midi avec repas ».' },
    { key: 'startTime', label: 'Début', type: 'time', required: true },
    { key: 'endTime', label: 'Fin', type: 'time', required: true },
    { key: 'priceCents', label: 'Prix indicatif', type: 'money', hint: 'Utilisé tant qu’aucun tarif n’est défini.' },
    { key: 'sort', label: 'Ordre', type: 'number' },
    { key: 'meal', label: 'Comprend un repas', type: 'bool', hint: 'compté sur la fiche cuisine, par régime' },
    { key: 'excludes', label: 'Incompatible avec', type: 'multiselect', options: others.map((o) => ({ label: o.name, value: o.id })), wide: true, hint: 'Un enfant ne peut pas avoir ces unités le même jour.' }
  ]
}
