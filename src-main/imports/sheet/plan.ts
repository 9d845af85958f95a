import { cafValues, childValues, healthValues, personStaffValues, type MEAL_TYPES } from '@shared/contract/family-file-shapes'
import type { SpreadsheetInfoDto } from '@shared/contract/imports-shapes'
import { IMPORT_FIELDS, type ImportFieldId } from '@shared/imports/fields'
import type { Core } from '../../core/app-core'
import { DomainError } from '../../core/errors'
import { digits, normalize } from '../../core/text'
import { emptyPlan, personName, type ImportPlan, type PlanChild, type PlanFamily, type PlanPerson } from '../plan'
import { checkFields, cleanLines, cleanText, frDay, parseBirthDate, parseCivility, parseDay, parseQuotient, parseRegime, parseSex, phoneText, postalCodeText, type FieldProblem } from '../values'
import { guessMapping, rememberedMapping } from './fields'
import { columnLetter, readGrid, type Cell, type Grid, type GridRow } from './read'

type Mapping = (ImportFieldId | '')[]

/** A family being gathered from its rows. */
type Building = PlanFamily & { rows: number[]; code: string }

const text = (c: Cell | undefined): string => (c === null || c === undefined ? '' : c instanceof Date ? c.toISOString().slice(0, 10) : cleanText(c))

export async function inspectSpreadsheet(core: Core, format: 'csv' | 'xlsx', data: Buffer, name = 'fichier'): Promise<SpreadsheetInfoDto> {
  const g = await readGrid(format, data, name)
  const memory = await core.tx.read(async () => rememberedMapping(core.db))
  const { mapping, remembered } = guessMapping(g.headers, memory)
  return {
    headers: g.headers,
    samples: g.rows.slice(0, 5).map((r) => r.cells.map((c) => (c instanceof Date ? frDay(c.toISOString().slice(0, 10)) : text(c)))),
    rowCount: g.rows.length,
    mapping,
    remembered,
    facts: [...g.facts, { label: 'Lignes', value: String(g.rows.length) }]
  }
}

/** Checks the mapping the staff member chose: each field once, the columns a family needs, one layout. */
function checkMapping(g: Grid, mapping: Mapping): void {
  const label = (f: ImportFieldId) => IMPORT_FIELDS[f].label
  const bad = (message: string) => {
    throw new DomainError('bad_mapping', message, 400, { mapping: message })
  }
  if (mapping.length > g.headers.length) bad('La correspondance des colonnes ne correspond pas à ce fichier : rechargez-le.')
  const at = new Map<string, number>()
  mapping.forEach((f, i) => {
    if (!f) return
    const first = at.get(f)
    if (first !== undefined) bad(`Les colonnes « ${g.headers[first]} » (${columnLetter(first)}) et « ${g.headers[i]} » (${columnLetter(i)}) sont toutes deux associées à « ${label(f)} » : gardez-en une seule.`)
    at.set(f, i)
  })
  if (at.has('role')) {
    const both = [...at.keys()].filter((f) => /^r[12]/.test(f))
    if (both.length) bad(`Avec la colonne « Rôle » (une ligne par personne), les colonnes « Responsable 1 » et « Responsable 2 » ne servent pas : associez plutôt « ${g.headers[at.get(both[0])!]} » au champ de la personne de la ligne.`)
    for (const f of ['famille', 'nom', 'prenom'] as const) if (!at.has(f)) bad(`Avec une ligne par personne, associez une colonne à « ${label(f)} ».`)
  } else {
    for (const f of ['r1Nom', 'r1Prenom'] as const) if (!at.has(f)) bad(`Associez une colonne à « ${label(f)} » : chaque famille a au moins un responsable.`)
  }
}

interface RowValues {
  get(f: ImportFieldId): Cell
  has(f: ImportFieldId): boolean
}

function rowValues(r: GridRow, index: Map<ImportFieldId, number>): RowValues {
  return {
    get: (f) => (index.has(f) ? (r.cells[index.get(f)!] ?? null) : null),
    // Readers give null for empty cells; a cell of spaces is empty too.
    has: (f) => {
      const c = index.has(f) ? r.cells[index.get(f)!] : null
      return c !== null && c !== undefined && (typeof c !== 'string' || c.trim() !== '')
    }
  }
}

const MEALS: Record<string, (typeof MEAL_TYPES)[number]> = { standard: 'standard', normal: 'standard', 'sans porc': 'sans-porc', vegetarien: 'vegetarien', vegetarienne: 'vegetarien', 'sans viande': 'sans-viande' }

class RowCheck {
  readonly problems: string[] = []
  constructor(readonly today: string) {}
  add(who: string, p: FieldProblem | string): void {
    this.problems.push(`${who}${typeof p === 'string' ? p : p.message}`)
  }
  person(v: RowValues, who: string, f: Record<'civ' | 'nom' | 'prenom' | 'naissance' | 'email' | 'mob' | 'dom' | 'pro' | 'job' | 'emp', ImportFieldId>, address: { address: string; postalCode: string; city: string }): PlanPerson | null {
    const birth = parseBirthDate(v.get(f.naissance), 'Date de naissance', this.today)
    if (!birth.ok) this.add(who, birth.message)
    const raw = {
      civility: parseCivility(v.get(f.civ)),
      lastName: text(v.get(f.nom)),
      firstName: text(v.get(f.prenom)),
      birthDate: birth.ok ? birth.value : null,
      ...address,
      phoneMobile: phoneText(v.get(f.mob)),
      phoneHome: phoneText(v.get(f.dom)),
      phoneWork: phoneText(v.get(f.pro)),
      email: text(v.get(f.email)).toLowerCase(),
      profession: text(v.get(f.job)),
      employer: text(v.get(f.emp))
    }
    const { value, problems } = checkFields(personStaffValues, raw)
    for (const p of problems) this.add(who, p)
    return problems.length || !birth.ok ? null : value
  }
  child(v: RowValues, key: string, defaultLastName: string): PlanChild | null {
    const who = 'Enfant — '
    const birth = parseBirthDate(v.get('naissance'), 'Date de naissance', this.today)
    if (!birth.ok) this.add(who, birth.message)
    else if (!birth.value) this.add(who, 'Date de naissance : obligatoire pour un enfant.')
    const sex = parseSex(v.get('sexe'))
    if (!sex.ok) this.add(who, sex.message)
    const { value, problems } = checkFields(childValues, {
      lastName: text(v.get('nom')) || defaultLastName,
      firstName: text(v.get('prenom')),
      birthDate: birth.ok ? (birth.value ?? '') : '',
      sex: sex.ok ? sex.value : '',
      school: text(v.get('ecole')),
      grade: text(v.get('classe'))
    })
    for (const p of problems) if (p.field !== 'birthDate') this.add(who, p)
    const allergies = cleanLines(v.get('allergies'))
    const noAllergy = /^(non|aucune?|neant|-|0|rien)$/i.test(normalize(allergies))
    const diet = cleanText(v.get('regimeAlimentaire'))
    const meal = MEALS[normalize(diet)]
    const health = checkFields(healthValues, {
      allergies: !!allergies && !noAllergy,
      allergyNotes: noAllergy ? '' : allergies,
      mealType: meal ?? 'standard',
      dietNotes: meal ? '' : diet,
      doctorName: text(v.get('medecin')),
      doctorPhone: phoneText(v.get('telMedecin'))
    })
    for (const p of health.problems) this.add(who, p)
    if (this.problems.length) return null
    const c = value
    const h = health.value
    const hasHealth = h.allergies || h.dietNotes || h.mealType !== 'standard' || h.doctorName || h.doctorPhone
    return { key, ...c, linkResponsable: '', linkConjoint: '', health: hasHealth ? h : null, pickups: [], photo: null }
  }
}

const R1 = { civ: 'r1Civilite', nom: 'r1Nom', prenom: 'r1Prenom', naissance: 'r1Naissance', email: 'r1Email', mob: 'r1TelPortable', dom: 'r1TelDomicile', pro: 'r1TelTravail', job: 'r1Profession', emp: 'r1Employeur' } as const
const R2 = { civ: 'r2Civilite', nom: 'r2Nom', prenom: 'r2Prenom', naissance: 'r2Naissance', email: 'r2Email', mob: 'r2TelPortable', dom: 'r2TelDomicile', pro: 'r2TelTravail', job: 'r2Profession', emp: 'r2Employeur' } as const
const ROW = { civ: 'sexe', nom: 'nom', prenom: 'prenom', naissance: 'naissance', email: 'email', mob: 'telPortable', dom: 'telDomicile', pro: 'telTravail', job: 'profession', emp: 'employeur' } as const

/** Family-level values of a row: address, CAF and quotient, remarks. */
function household(v: RowValues, check: RowCheck): { address: { address: string; postalCode: string; city: string }; caf: PlanFamily['caf']; notes: string } {
  const address = { address: cleanLines(v.get('adresse')).replace(/\n/g, ', '), postalCode: postalCodeText(v.get('codePostal')), city: text(v.get('ville')) }
  let caf: PlanFamily['caf'] = null
  if (v.has('numAllocataire') || v.has('regimeCaf') || v.has('qf') || v.has('qfFin')) {
    const q = parseQuotient(v.get('qf'))
    if (!q.ok) check.add('', q.message)
    const until = parseDay(v.get('qfFin'), 'QF valable jusqu’au', check.today)
    if (!until.ok) check.add('', until.message)
    const regime = parseRegime(v.get('regimeCaf'))
    const r = checkFields(cafValues, { regime, allocataireNumber: text(v.get('numAllocataire')).replace(/[\s.\-/]/g, ''), quotient: q.ok ? q.value : null, quotientValidUntil: until.ok ? until.value : null })
    for (const p of r.problems) check.add('', p)
    caf = r.value
  }
  return { address, caf, notes: cleanLines(v.get('notes')) }
}

/** Cells the import cannot read (formula without value, error) or will not (a CSV cell that is a formula). */
function unreadableCells(r: GridRow, g: Grid, mapped: Set<number>, csv: boolean, check: RowCheck): void {
  for (const u of r.unreadable) if (mapped.has(u.col)) check.add(`Colonne « ${g.headers[u.col]} » : `, u.why)
  if (!csv) return
  for (const i of mapped) {
    const c = r.cells[i]
    if (typeof c === 'string' && /^\s*=/.test(c)) check.add(`Colonne « ${g.headers[i]} » : `, `« ${c.slice(0, 40)} » est une formule : Ribambelle ne calcule jamais de formule ; enregistrez les valeurs dans le fichier.`)
  }
}

/**
 * A spreadsheet read into an import plan. A row with any problem is refused
 * as a whole (its number and every reason listed): fix the file and send it
 * again, or import the other rows. Rows of one family (same « N° famille »,
 * or same responsable) are gathered; one row per child, or one per person
 * when a « Rôle » column is mapped.
 */
export async function planFromSpreadsheet(_core: Core, format: 'csv' | 'xlsx', data: Buffer, mapping: string[], today: string, name = 'fichier'): Promise<ImportPlan> {
  const g = await readGrid(format, data, name)
  const map = mapping.map((f) => (f in IMPORT_FIELDS ? f : '')) as Mapping
  checkMapping(g, map)
  const index = new Map<ImportFieldId, number>()
  map.forEach((f, i) => f && index.set(f, i))
  const mapped = new Set(index.values())
  const plan = emptyPlan(format)
  plan.sheet = { headers: g.headers, mapping: map }
  plan.facts.push(...g.facts, { label: 'Lignes de données', value: String(g.rows.length) })
  const perPerson = index.has('role')
  const families = new Map<string, Building>()
  const refuseRow = (r: GridRow, problems: string[]) =>
    plan.issues.push({ row: r.row, ref: `Ligne ${r.row}`, message: problems.join(' ; '), effect: 'ligne non importée', level: 'refused' })

  for (const r of g.rows) {
    const v = rowValues(r, index)
    if (![...mapped].some((i) => r.cells[i] !== null) && !r.unreadable.length) continue
    const check = new RowCheck(today)
    unreadableCells(r, g, mapped, format === 'csv', check)
    const home = household(v, check)
    if (perPerson) {
      personRow(r, v, home, check, families, plan)
      if (check.problems.length) refuseRow(r, check.problems)
      continue
    }
    const code = v.has('famille') ? `code:${normalize(text(v.get('famille')))}` : ''
    // A further row of a family whose responsable was given on its first row only.
    const continued = !!code && families.has(code) && !v.has('r1Nom') && !v.has('r1Prenom')
    const resp = continued ? families.get(code)!.responsable : check.person(v, 'Responsable 1 — ', R1, home.address)
    const conj = [...Object.values(R2)].some((f) => v.has(f)) ? check.person(v, 'Responsable 2 — ', R2, home.address) : null
    const childPresent = v.has('nom') || v.has('prenom') || v.has('naissance')
    const child = childPresent ? check.child(v, `ligne-${r.row}`, text(v.get('r1Nom'))) : null
    if (check.problems.length || !resp) {
      refuseRow(r, check.problems)
      continue
    }
    const key = code || `resp:${normalize(resp.lastName)}|${normalize(resp.firstName)}|${resp.email || digits(resp.phoneMobile) || normalize(resp.address)}`
    let fam = families.get(key)
    if (!fam) {
      fam = newFamily(key, r.row, v.has('famille') ? text(v.get('famille')) : '', resp, home)
      families.set(key, fam)
    } else {
      mergeRow(fam, r.row, continued ? null : resp, home, plan)
    }
    if (conj && !fam.conjoint) fam.conjoint = conj
    if (child) fam.children.push(child)
  }

  for (const fam of families.values()) {
    if (!fam.responsable.lastName) {
      plan.issues.push({ row: fam.rows[0], ref: familyRef(fam), message: 'Aucune ligne « Responsable » pour cette famille.', effect: `famille non importée (lignes ${fam.rows.join(', ')})`, level: 'refused' })
      continue
    }
    fam.ref = familyRef(fam)
    const { rows: _rows, code: _code, ...planned } = fam
    plan.families.push(planned)
  }
  plan.families.sort((a, b) => (a.row ?? 0) - (b.row ?? 0))
  plan.mapping = g.headers.map((h, i) => {
    const f = map[i]
    let filled = 0
    for (const r of g.rows) if (r.cells[i] !== null) filled++
    return { from: `Colonne ${columnLetter(i)} « ${h} »`, to: f ? `${IMPORT_FIELDS[f].group} — ${IMPORT_FIELDS[f].label}` : 'Non importée', count: filled }
  })
  const ignored = plan.mapping.filter((l) => l.to === 'Non importée' && l.count > 0)
  if (ignored.length) plan.skipped.push({ label: 'Colonnes non importées', count: ignored.length, reason: ignored.map((l) => l.from).join(', ') })
  return plan
}

function newFamily(key: string, row: number, code: string, resp: PlanPerson, home: ReturnType<typeof household>): Building {
  return {
    key,
    code,
    ref: '',
    row,
    rows: [row],
    status: 'active',
    responsable: resp,
    conjoint: null,
    address: home.address.address,
    postalCode: home.address.postalCode,
    city: home.address.city,
    children: [],
    caf: home.caf,
    mandate: null,
    openingBalanceCents: 0,
    notes: [...(code ? [`Code famille dans le fichier : ${code}`] : []), ...(home.notes ? [`Remarques (ligne ${row}) : ${home.notes}`] : [])]
  }
}

/** A further row of a family: its household values fill what is missing; different ones are pointed out. */
function mergeRow(fam: Building, row: number, resp: PlanPerson | null, home: ReturnType<typeof household>, plan: ImportPlan): void {
  fam.rows.push(row)
  if (!fam.address && home.address.address) Object.assign(fam, home.address)
  if (!fam.caf && home.caf) fam.caf = home.caf
  if (home.notes) fam.notes.push(`Remarques (ligne ${row}) : ${home.notes}`)
  if (resp && fam.responsable.lastName && normalize(personName(resp)) !== normalize(personName(fam.responsable))) {
    plan.issues.push({ row, ref: `Ligne ${row}`, message: `Même famille que la ligne ${fam.rows[0]}, mais le responsable diffère (${personName(resp)} au lieu de ${personName(fam.responsable)}).`, effect: `enfant rattaché à la famille de la ligne ${fam.rows[0]}`, level: 'warning' })
  }
}

const ROLES: [RegExp, 'resp' | 'conj' | 'child' | 'contact'][] = [
  [/^(responsable|responsable 1|resp|resp 1|parent|parent 1|pere|mere|tuteur|tutrice|representant|representant legal|titulaire|allocataire)$/, 'resp'],
  [/^(conjoint|conjointe|responsable 2|resp 2|parent 2|second parent|epoux|epouse|concubin|concubine)$/, 'conj'],
  [/^(enfant|fils|fille|eleve)$/, 'child'],
  [/^(contact|autre|grand parent|grand mere|grand pere|tante|oncle|nounou|assistante maternelle|voisin|voisine|ami|amie|personne autorisee)$/, 'contact']
]

/** One row per person: the « Rôle » column says who the row is. */
function personRow(r: GridRow, v: RowValues, home: ReturnType<typeof household>, check: RowCheck, families: Map<string, Building>, plan: ImportPlan): void {
  const code = text(v.get('famille'))
  if (!code) check.add('', 'N° famille : vide (obligatoire avec une ligne par personne).')
  const roleText = text(v.get('role'))
  const role = ROLES.find(([re]) => re.test(normalize(roleText).replace(/[^a-z0-9]+/g, ' ').trim()))?.[1]
  if (!role) check.add('', `Rôle : « ${roleText} » n’est pas reconnu (Responsable, Conjoint, Enfant ou Contact).`)
  const key = `code:${normalize(code)}`
  const fam = families.get(key)
  const person = role === 'resp' || role === 'conj' ? check.person(v, '', ROW, home.address) : null
  const child = role === 'child' ? check.child(v, `ligne-${r.row}`, fam?.responsable.lastName ?? '') : null
  const contact = role === 'contact' ? `${personName({ lastName: text(v.get('nom')), firstName: text(v.get('prenom')) })}${roleText ? ` (${roleText})` : ''}${text(v.get('telPortable')) || text(v.get('telDomicile')) ? ` — tél. ${text(v.get('telPortable')) || text(v.get('telDomicile'))}` : ''}` : ''
  if (check.problems.length) return
  const target = fam ?? newFamily(key, r.row, code, emptyPerson(), home)
  if (fam) mergeRow(fam, r.row, null, home, plan)
  else families.set(key, target)
  if (person) {
    if (!target.responsable.lastName && role === 'resp') target.responsable = person
    else if (!target.conjoint) target.conjoint = person
    else if (!target.responsable.lastName) target.responsable = person
    else {
      plan.issues.push({ row: r.row, ref: `Ligne ${r.row}`, message: `La famille « ${code} » a déjà deux responsables.`, effect: 'personne gardée dans la note de la famille', level: 'warning' })
      target.notes.push(`Autre responsable : ${personName(person)}${person.email ? `, ${person.email}` : ''}${person.phoneMobile ? `, tél. ${person.phoneMobile}` : ''}`)
    }
  }
  if (child) target.children.push(child)
  if (contact) target.notes.push(`Contact : ${contact}`)
}

/** A family whose « Responsable » row has not come yet (one row per person). */
function emptyPerson(): PlanPerson {
  return { ...personStaffValues.parse({ lastName: 'x', firstName: 'x' }), lastName: '', firstName: '' }
}

/** "Famille « 12 », lignes 2 à 4 (DUPONT Marie)". */
function familyRef(fam: Building): string {
  const rows = fam.rows.length === 1 ? `ligne ${fam.rows[0]}` : `lignes ${fam.rows[0]} à ${fam.rows[fam.rows.length - 1]}`
  const who = fam.responsable.lastName ? ` (${personName(fam.responsable)})` : ''
  return fam.code ? `Famille « ${fam.code} », ${rows}${who}` : `${rows[0].toUpperCase()}${rows.slice(1)}${who}`
}
