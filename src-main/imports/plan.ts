import { personName as sharedPersonName } from '@shared/names'
import type { CafValues, HealthValues, PersonStaffValues, PickupPerson } from '@shared/contract/family-file-shapes'
import type { ImportSource } from './entities'

/**
 * What an import will write, read from a file before anything touches the
 * database. The Noethys and spreadsheet readers both produce one; the
 * preview counts it and the commit writes it as one transaction.
 */
export interface ImportPlan {
  source: ImportSource
  /** Facts about the file shown in the preview ("Noethys 1.3.4.2", "UTF-8, séparateur ;"). */
  facts: { label: string; value: string }[]
  families: PlanFamily[]
  activities: PlanActivity[]
  enrolments: PlanEnrolment[]
  /** Where each kind of source data goes (the "what maps where" of the preview). */
  mapping: MappingLine[]
  issues: PlanIssue[]
  /** What is knowingly left behind (past enrolments, tariffs…), with why. */
  skipped: { label: string; count: number; reason: string }[]
  /** Spreadsheets: the titles and the mapping used, remembered for the next file when the import commits. */
  sheet?: { headers: string[]; mapping: string[] }
}

export interface MappingLine {
  from: string
  to: string
  count: number
  note?: string
}

export interface PlanIssue {
  /** Spreadsheet row (1 = header row), when the problem has one. */
  row: number | null
  /** What the problem is about: "Ligne 14", "Famille Noethys n° 3 (MARTIN Pierre)". */
  ref: string
  message: string
  /** What the import does about it, in French ("ligne non importée", "valeur gardée dans la note"). */
  effect: string
  /** refused: data left out; warning: imported, worth a look. */
  level: 'refused' | 'warning'
}

export interface PlanPerson extends PersonStaffValues {}

export interface PlanChild {
  /** Stable id in the source (Noethys IDindividu, spreadsheet row) to attach enrolments and photos. */
  key: string
  lastName: string
  firstName: string
  birthDate: string
  sex: '' | 'F' | 'M'
  school: string
  grade: string
  linkResponsable: string
  linkConjoint: string
  /** Health values when the source has any (else the child gets no health file row). */
  health: HealthValues | null
  pickups: PickupPerson[]
  /** A photo read from the source (JPEG or PNG bytes, checked). */
  photo: Buffer | null
}

export interface PlanFamily {
  /** Stable id in the source (Noethys IDfamille, spreadsheet family key). */
  key: string
  /** How the preview names it: "Famille Noethys n° 1 (MARTIN Pierre)", "Lignes 2 à 4". */
  ref: string
  /** First spreadsheet row of the family, to sort and report. */
  row: number | null
  status: 'active' | 'archived'
  responsable: PlanPerson
  conjoint: PlanPerson | null
  address: string
  postalCode: string
  city: string
  children: PlanChild[]
  /** Keys of children planned in another family and also this household's (separated parents, issue 16). */
  sharedChildKeys?: string[]
  caf: CafValues | null
  mandate: PlanMandate | null
  /** What the family owes (positive) or is owed (negative), in cents; 0 = nothing to carry over. */
  openingBalanceCents: number
  /** Lines of the « informations importées » note. */
  notes: string[]
}

export interface PlanMandate {
  rum: string
  holder: string
  iban: string
  bic: string
  signedOn: string
  sequenceType: 'FRST' | 'RCUR' | 'OOFF' | 'FNAL'
}

export type ActivityKind = 'periscolaire' | 'mercredi' | 'vacances' | 'restauration' | 'petite-enfance'

export interface PlanActivity {
  key: string
  name: string
  kind: ActivityKind
  openingRule: 'school-days' | 'wednesdays' | 'holiday-weekdays' | 'weekdays'
  active: boolean
  description: string
  periodStart: string
  periodEnd: string
  groups: { key: string; name: string; places: number | null }[]
  units: { key: string; name: string; startTime: string; endTime: string; sort: number; groupKeys: string[] }[]
}

export interface PlanEnrolment {
  childKey: string
  activityKey: string
  groupKey: string
  status: 'validated' | 'waiting'
  startDate: string | null
  ref: string
}

export function emptyPlan(source: ImportSource): ImportPlan {
  return { source, facts: [], families: [], activities: [], enrolments: [], mapping: [], issues: [], skipped: [] }
}

/** "MARTIN Pierre". */
export function personName(p: { lastName: string; firstName: string }): string {
  return sharedPersonName(p.lastName, p.firstName)
}
