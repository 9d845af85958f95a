import { frDay, parseDay } from '../values'
import type { ActivityKind, ImportPlan, PlanActivity, PlanEnrolment } from '../plan'
import type { NoethysFile } from './file'
import { num, str, type Row } from './people'

/**
 * Noethys has no notion of "périscolaire" or "mercredi": an activity is a
 * name and dates. Ribambelle's kind (and so its opening rule) is guessed from
 * the name, shown in the preview, and easy to change afterwards.
 */
export function guessKind(name: string): ActivityKind {
  const s = name.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase()
  if (/creche|multi.?accueil|halte.?garderie|micro.?creche|\bram\b|petite enfance/.test(s)) return 'petite-enfance'
  if (/cantine|restaura|repas|midi|pause meridienne/.test(s)) return 'restauration'
  if (/mercredi/.test(s)) return 'mercredi'
  if (/perisco|\balae\b|\baps\b|garderie|accueil du (matin|soir)|etude/.test(s)) return 'periscolaire'
  return 'vacances'
}

const RULES: Record<ActivityKind, PlanActivity['openingRule']> = {
  periscolaire: 'school-days',
  restauration: 'school-days',
  mercredi: 'wednesdays',
  vacances: 'holiday-weekdays',
  'petite-enfance': 'weekdays'
}

const KIND_LABELS: Record<ActivityKind, string> = {
  periscolaire: 'périscolaire',
  restauration: 'restauration',
  mercredi: 'mercredis',
  vacances: 'vacances',
  'petite-enfance': 'petite enfance'
}

const time = (v: unknown, fallback: string) => {
  const m = /^(\d{1,2}):(\d{2})/.exec(str(v))
  return m && Number(m[1]) < 24 && Number(m[2]) < 60 ? `${m[1].padStart(2, '0')}:${m[2]}` : fallback
}

/** Last day of the school year `today` is in (31 August). */
function schoolYearEnd(today: string): string {
  const y = Number(today.slice(0, 4))
  return Number(today.slice(5, 7)) >= 9 ? `${y + 1}-08-31` : `${y}-08-31`
}

/**
 * Activities that are not over, their groups and units, and the enrolments
 * in force today. Past activities and past or refused enrolments stay in
 * Noethys (counted in the preview).
 */
export function readActivities(f: NoethysFile, plan: ImportPlan, ctx: { today: string; childKeys: Set<string> }): void {
  const acts = f.rows('activites', ['IDactivite', 'nom', 'abrege', 'date_debut', 'date_fin', 'nbre_inscrits_max'] as const, 'IDactivite')
  const groups = f.rows('groupes', ['IDgroupe', 'IDactivite', 'nom', 'ordre', 'nbre_inscrits_max'] as const, 'ordre')
  const units = f.rows('unites', ['IDunite', 'IDactivite', 'ordre', 'nom', 'type', 'heure_debut', 'heure_fin'] as const, 'ordre')
  const unitGroups = f.rows('unites_groupes', ['IDunite', 'IDgroupe'] as const)
  const inscriptions = f.rows('inscriptions', ['IDinscription', 'IDindividu', 'IDfamille', 'IDactivite', 'IDgroupe', 'date_inscription', 'parti', 'date_desinscription', 'statut'] as const, 'IDinscription')

  const ended: string[] = []
  const kept = new Map<number, PlanActivity>()
  for (const a of acts) {
    const id = num(a.IDactivite)
    if (id === null) continue
    const name = str(a.nom) || str(a.abrege) || `Activité ${id}`
    const own = inscriptions.filter((i) => num(i.IDactivite) === id)
    const start = parseDay(a.date_debut, 'Début')
    const end = parseDay(a.date_fin, 'Fin')
    const firstEnrolment = own.map((i) => parseDay(i.date_inscription, '')).filter((d) => d.ok && d.value).map((d) => (d as { value: string }).value).sort()[0]
    const periodStart = (start.ok && start.value) || firstEnrolment || ctx.today
    // 2999-01-01 is Noethys' "no end"; an activity without end runs to the end of this school year here.
    const rawEnd = end.ok && end.value && end.value < '2900-01-01' ? end.value : null
    const periodEnd = rawEnd ?? (schoolYearEnd(ctx.today) < periodStart ? schoolYearEnd(periodStart) : schoolYearEnd(ctx.today))
    if (periodEnd < ctx.today) {
      ended.push(`${name} (terminée le ${frDay(periodEnd)})`)
      continue
    }
    const kind = guessKind(`${name} ${str(a.abrege)}`)
    const activityUnits = units.filter((u) => num(u.IDactivite) === id)
    kept.set(id, {
      key: String(id),
      name: name.slice(0, 200),
      kind,
      openingRule: RULES[kind],
      active: true,
      description: `Importée de Noethys (activité n° ${id}${str(a.abrege) ? `, « ${str(a.abrege)} »` : ''}). Type deviné d’après le nom : ${KIND_LABELS[kind]}.`,
      periodStart,
      periodEnd: periodEnd < periodStart ? periodStart : periodEnd,
      groups: groups
        .filter((g) => num(g.IDactivite) === id)
        .map((g) => ({ key: String(num(g.IDgroupe)), name: (str(g.nom) || `Groupe ${num(g.IDgroupe)}`).slice(0, 200), places: (num(g.nbre_inscrits_max) ?? 0) > 0 ? num(g.nbre_inscrits_max) : null })),
      units: activityUnits.map((u, i) => ({
        key: String(num(u.IDunite)),
        name: (str(u.nom) || `Unité ${num(u.IDunite)}`).slice(0, 200),
        startTime: time(u.heure_debut, '00:00'),
        endTime: time(u.heure_fin, '23:59'),
        sort: num(u.ordre) ?? i,
        groupKeys: unitGroups.filter((x) => num(x.IDunite) === num(u.IDunite)).map((x) => String(num(x.IDgroupe)))
      }))
    })
  }
  plan.activities = [...kept.values()]
  if (ended.length) plan.skipped.push({ label: 'Activités terminées', count: ended.length, reason: `Leur historique reste dans Noethys : ${ended.slice(0, 10).join(', ')}${ended.length > 10 ? '…' : ''}` })

  let past = 0
  let refusedCount = 0
  const seen = new Set<string>()
  for (const i of inscriptions) {
    const act = kept.get(num(i.IDactivite) ?? 0)
    if (!act) {
      past++
      continue
    }
    const statut = str(i.statut) || 'ok'
    const left = parseDay(i.date_desinscription, '')
    if (num(i.parti) === 1 || (left.ok && left.value && left.value < ctx.today)) {
      past++
      continue
    }
    if (statut === 'refus') {
      refusedCount++
      continue
    }
    const childKey = String(num(i.IDindividu))
    const ref = `Inscription Noethys n° ${num(i.IDinscription)} (${act.name})`
    if (!ctx.childKeys.has(childKey)) {
      plan.issues.push({ row: null, ref, message: `L’enfant (individu n° ${childKey}) n’est pas importé.`, effect: 'inscription non importée', level: 'refused' })
      continue
    }
    const groupKey = String(num(i.IDgroupe))
    if (!act.groups.some((g) => g.key === groupKey)) {
      plan.issues.push({ row: null, ref, message: `Le groupe n° ${groupKey} n’existe pas dans l’activité.`, effect: 'inscription non importée', level: 'refused' })
      continue
    }
    // Ribambelle keeps one enrolment per child and period; a second (another family's, with inscriptions multiples) adds nothing.
    if (seen.has(`${childKey}|${act.key}`)) {
      plan.issues.push({ row: null, ref, message: 'L’enfant a déjà une inscription à cette activité (par son autre famille).', effect: 'inscription en double non importée', level: 'warning' })
      continue
    }
    seen.add(`${childKey}|${act.key}`)
    const since = parseDay(i.date_inscription, '')
    const enrolment: PlanEnrolment = {
      childKey,
      activityKey: act.key,
      groupKey,
      status: statut === 'attente' ? 'waiting' : 'validated',
      startDate: since.ok && since.value && since.value > act.periodStart && since.value <= act.periodEnd ? since.value : null,
      ref
    }
    plan.enrolments.push(enrolment)
  }
  if (past) plan.skipped.push({ label: 'Inscriptions passées', count: past, reason: 'Désinscriptions, départs et inscriptions d’activités terminées : leur historique reste dans Noethys.' })
  if (refusedCount) plan.skipped.push({ label: 'Inscriptions refusées', count: refusedCount, reason: 'Statut « refus » dans Noethys.' })
}
