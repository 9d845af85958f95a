import { childValues, healthValues, personStaffValues, pickupPerson, type HealthValues, type PickupPerson } from '@shared/contract/family-file-shapes'
import { maskIban } from '@shared/validators'
import { cleanLines, cleanText, checkFields, frDay, parseBirthDate, parseDay, type FieldProblem } from '../values'
import { personName, type PlanChild, type PlanIssue, type PlanPerson } from '../plan'
import { CIVILITIES, HEALTH_TYPES } from './codes'

/** A Noethys row: every column asked for, null when the file lacks it. */
export type Row = Record<string, unknown>

/** People by id (a Map, or the file's indexed lookup). */
export interface People {
  get(id: number): Row | undefined
}

export const num = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null
  const n = Number(v)
  return Number.isFinite(n) ? n : null
}
export const str = (v: unknown): string => cleanText(v)

export const INDIVIDU_COLUMNS = [
  'IDindividu', 'IDcivilite', 'nom', 'nom_jfille', 'prenom', 'date_naiss', 'deces', 'adresse_auto', 'rue_resid', 'cp_resid', 'ville_resid',
  'IDcategorie_travail', 'profession', 'employeur', 'travail_tel', 'travail_mail', 'tel_domicile', 'tel_mobile', 'mail', 'tel_mobile_sms',
  'IDmedecin', 'memo', 'IDtype_sieste', 'etat'
] as const

/** Collects what one family's import leaves in its « informations importées » note, and the preview's issues. */
export class FamilyReport {
  readonly notes: string[] = []
  constructor(
    readonly ref: string,
    private readonly issues: PlanIssue[]
  ) {}

  note(line: string): void {
    if (line && !this.notes.includes(line)) this.notes.push(line)
  }

  refused(message: string, effect: string): void {
    this.issues.push({ row: null, ref: this.ref, message, effect, level: 'refused' })
  }

  warning(message: string, effect: string): void {
    this.issues.push({ row: null, ref: this.ref, message, effect, level: 'warning' })
  }

  /** A value that broke our rules: not imported, its raw text kept in the note. */
  dropped(who: string, p: FieldProblem, secret = false): void {
    const shown = secret ? maskIban(p.raw) : p.raw
    this.refused(`${who} — ${p.message}`, 'valeur non importée, gardée dans la note')
    this.note(`${who} : ${p.label.toLowerCase()} non reprise (« ${shown} ») — ${p.message}`)
  }
}

interface Address {
  rue: string
  cp: string
  ville: string
}

/** The person's own address, or that of the person `adresse_auto` points at (spouses and children usually). */
export function resolveAddress(ind: Row, byId: People): Address {
  let cur: Row | undefined = ind
  const seen = new Set<number>()
  while (cur && num(cur.adresse_auto) && !seen.has(num(cur.IDindividu)!)) {
    seen.add(num(cur.IDindividu)!)
    cur = byId.get(num(cur.adresse_auto)!)
  }
  const src = cur ?? ind
  return { rue: cleanLines(src.rue_resid).replace(/\n/g, ', '), cp: str(src.cp_resid), ville: str(src.ville_resid) }
}

export function isFeminine(ind: Row): boolean {
  return CIVILITIES[num(ind.IDcivilite) ?? 0]?.sex === 'F'
}

export function individuName(ind: Row): string {
  return personName({ lastName: str(ind.nom), firstName: str(ind.prenom) })
}

/** The best phone of a person (mobile, home, work), as typed in Noethys. */
export function anyPhone(ind: Row): string {
  return str(ind.tel_mobile) || str(ind.tel_domicile) || str(ind.travail_tel)
}

/**
 * A responsable or conjoint from an individual. Values that break our rules
 * (e-mail, phone, postcode, birth date) are left out and kept in the note;
 * a person without a name cannot be imported (null).
 */
export function personFromIndividu(
  ind: Row,
  ctx: { byId: People; jobs: Map<number, string>; today: string },
  extra: { quality: string; situation: string },
  report: FamilyReport
): PlanPerson | null {
  const civ = CIVILITIES[num(ind.IDcivilite) ?? 0]
  const who = individuName(ind) || `Individu n° ${num(ind.IDindividu)}`
  let firstName = str(ind.prenom)
  // Legal persons (civilities 6–9: a works council paying for a child…) have no first name in Noethys.
  if (!firstName && civ?.legal) firstName = '(organisme)'
  const addr = resolveAddress(ind, ctx.byId)
  const mail = str(ind.mail)
  const workMail = str(ind.travail_mail)
  const raw: Record<string, unknown> = {
    civility: civ?.civility ?? '',
    lastName: str(ind.nom),
    firstName,
    quality: extra.quality,
    situation: extra.situation,
    address: addr.rue,
    postalCode: addr.cp,
    city: addr.ville,
    phoneMobile: str(ind.tel_mobile),
    phoneHome: str(ind.tel_domicile),
    phoneWork: str(ind.travail_tel),
    email: (mail || workMail).toLowerCase(),
    profession: str(ind.profession),
    employer: str(ind.employeur),
    csp: ctx.jobs.get(num(ind.IDcategorie_travail) ?? 0) ?? '',
    consentEmail: true,
    consentSms: num(ind.tel_mobile_sms) === 1
  }
  const birth = parseBirthDate(ind.date_naiss, 'Date de naissance', ctx.today)
  if (!birth.ok) report.dropped(who, { field: 'birthDate', label: 'Date de naissance', raw: str(ind.date_naiss), message: birth.message })
  raw.birthDate = birth.ok ? birth.value : null
  const { value, problems } = checkFields(personStaffValues, raw)
  for (const p of problems) {
    if (p.field === 'lastName' || p.field === 'firstName') {
      report.refused(`${who} — ${p.message}`, 'personne non importée, gardée dans la note')
      report.note(`Personne non reprise : ${who} (${p.message})`)
      return null
    }
    report.dropped(who, p)
  }
  if (mail && workMail && mail.toLowerCase() !== workMail.toLowerCase()) report.note(`${who} : e-mail professionnel ${workMail}`)
  if (str(ind.nom_jfille)) report.note(`${who} : nom de naissance ${str(ind.nom_jfille)}`)
  if (str(ind.memo)) report.note(`Mémo de ${who} : ${cleanText(ind.memo)}`)
  if (str(ind.etat) === 'archive') report.note(`${who} était archivé(e) dans Noethys.`)
  if (num(ind.deces) === 1) report.note(`${who} est signalé(e) décédé(e) dans Noethys.`)
  return value
}

export interface HealthSource {
  problems: Row[]
  vaccines: Row[]
  vaccineNames: Map<number, string>
  doctor: Row | null
  nap: string | null
}

/** Caps a text at `max` characters; the whole text goes to the note. */
function capped(text: string, max: number, label: string, report: FamilyReport): string {
  if (text.length <= max) return text
  report.note(`${label} (texte complet) : ${text}`)
  return `${text.slice(0, max - 40)}… (suite dans la note de la famille)`
}

/** The child's health file from problemes_sante, vaccins, medecins and types_sieste (null when there is nothing). */
export function healthFrom(child: string, src: HealthSource, report: FamilyReport): HealthValues | null {
  const allergy: string[] = []
  const diet: string[] = []
  const other: string[] = []
  for (const p of src.problems) {
    const type = num(p.IDtype) ?? 1
    const parts = [str(p.intitule), cleanText(p.description)].filter(Boolean)
    const dates = [p.date_debut && `depuis le ${frDay(str(p.date_debut).slice(0, 10))}`, p.date_fin && `jusqu’au ${frDay(str(p.date_fin).slice(0, 10))}`].filter(Boolean)
    if (dates.length) parts.push(dates.join(' '))
    if (num(p.traitement_medical) === 1) parts.push(`traitement : ${cleanText(p.description_traitement) || 'oui'}`)
    if (num(p.eviction) === 1) parts.push(`éviction${p.date_debut_eviction ? ` du ${frDay(str(p.date_debut_eviction).slice(0, 10))}` : ''}${p.date_fin_eviction ? ` au ${frDay(str(p.date_fin_eviction).slice(0, 10))}` : ''}`)
    const line = parts.join(' — ')
    if (!line) continue
    if (type === 4) allergy.push(line)
    else if (type === 2) diet.push(line)
    else other.push(`${HEALTH_TYPES[type] ?? 'Autre'} : ${line}`)
  }
  if (src.nap) other.push(`Sieste : ${src.nap}`)
  const vaccines: { name: string; date: string }[] = []
  for (const v of src.vaccines) {
    const name = src.vaccineNames.get(num(v.IDtype_vaccin) ?? 0) ?? 'Vaccin'
    const d = parseDay(v.date, `Vaccin ${name}`)
    if (d.ok && d.value) vaccines.push({ name: name.slice(0, 100), date: d.value })
    else report.dropped(child, { field: 'vaccines', label: `Vaccin ${name}`, raw: str(v.date), message: d.ok ? 'date absente' : d.message })
  }
  const doctor = src.doctor ? { name: personName({ lastName: str(src.doctor.nom), firstName: str(src.doctor.prenom) }), phone: str(src.doctor.tel_cabinet) || str(src.doctor.tel_mobile) } : null
  if (!allergy.length && !diet.length && !other.length && !vaccines.length && !doctor) return null
  const raw = {
    allergies: allergy.length > 0,
    allergyNotes: capped(allergy.join('\n'), 1000, `Allergies de ${child}`, report),
    dietNotes: capped(diet.join('\n'), 1000, `Alimentation de ${child}`, report),
    vaccines: vaccines.slice(0, 40),
    doctorName: doctor?.name.slice(0, 100) ?? '',
    doctorPhone: doctor?.phone ?? '',
    healthNotes: capped(other.join('\n'), 1000, `Santé de ${child}`, report)
  }
  if (vaccines.length > 40) report.note(`${child} : ${vaccines.length - 40} vaccins de plus dans Noethys (${vaccines.slice(40).map((v) => `${v.name} ${frDay(v.date)}`).join(', ')})`)
  const { value, problems } = checkFields(healthValues, raw)
  for (const p of problems) report.dropped(child, p)
  // The form's rule across fields (allergies need their description): the dropped text is in the note.
  if (value.allergies && !value.allergyNotes) value.allergyNotes = 'Voir la note de la famille (informations importées).'
  return value
}

/** A child (rattachement catégorie Enfant). Without a valid name and birth date it is not imported (null). */
export function childFromIndividu(
  ind: Row,
  extra: { today: string; school: string; grade: string; linkResponsable: string; linkConjoint: string; health: HealthSource; pickups: PickupPerson[] },
  report: FamilyReport
): PlanChild | null {
  const who = individuName(ind) || `Individu n° ${num(ind.IDindividu)}`
  const birth = parseBirthDate(ind.date_naiss, 'Date de naissance', extra.today)
  const missing = birth.ok && birth.value === null
  if (!birth.ok || missing) {
    const message = birth.ok ? 'Date de naissance : absente (obligatoire pour un enfant).' : birth.message
    report.refused(`${who} — ${message}`, 'enfant non importé, gardé dans la note')
    report.note(`Enfant non repris : ${who}, date de naissance « ${str(ind.date_naiss)} » (${message})`)
    return null
  }
  const raw = {
    lastName: str(ind.nom),
    firstName: str(ind.prenom),
    birthDate: birth.value,
    sex: CIVILITIES[num(ind.IDcivilite) ?? 0]?.sex ?? '',
    school: extra.school,
    grade: extra.grade,
    linkResponsable: extra.linkResponsable,
    linkConjoint: extra.linkConjoint
  }
  const { value, problems } = checkFields(childValues, raw)
  for (const p of problems) {
    if (p.field === 'lastName' || p.field === 'firstName' || p.field === 'birthDate') {
      report.refused(`${who} — ${p.message}`, 'enfant non importé, gardé dans la note')
      report.note(`Enfant non repris : ${who} (${p.message})`)
      return null
    }
    report.dropped(who, p)
  }
  const v = value
  if (str(ind.memo)) report.note(`Mémo de ${who} : ${cleanText(ind.memo)}`)
  if (str(ind.etat) === 'archive') report.note(`${who} était archivé(e) dans Noethys.`)
  return {
    key: String(num(ind.IDindividu)),
    lastName: v.lastName,
    firstName: v.firstName,
    birthDate: v.birthDate,
    sex: v.sex,
    school: v.school,
    grade: v.grade,
    linkResponsable: v.linkResponsable,
    linkConjoint: v.linkConjoint,
    health: healthFrom(who, extra.health, report),
    pickups: extra.pickups,
    photo: null
  }
}

/** A person allowed to pick the child up; without a valid phone they stay in the note (the form requires one). */
export function pickupFrom(contact: Row, relationship: string, child: string, report: FamilyReport): PickupPerson | null {
  const name = individuName(contact)
  const r = pickupPerson.safeParse({ name, relationship: relationship.slice(0, 50), phone: anyPhone(contact), emergency: false })
  if (r.success) return r.data
  report.warning(`${name}, autorisé(e) à venir chercher ${child} : ${r.error.issues[0]?.message}`, 'gardé dans la note, à compléter')
  report.note(`${name} (${relationship}) est autorisé(e) à venir chercher ${child} — téléphone à compléter (« ${anyPhone(contact)} »)`)
  return null
}
