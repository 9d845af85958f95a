import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { saveActivity, saveActivityType, saveCapacity, saveFacility, saveGroup, savePeriod, saveUnit } from '../activities/config'
import { acceptEnrolments, endEnrolment, enrolDirectly, refuseEnrolment, requestEnrolment, waitlistEnrolment } from '../activities/enrolment'
import { groupRefusal } from '../activities/eligibility'
import type { ActivityGroup, OpeningRule, ValidationMode } from '../activities/entities'
import { saveClosure } from '../calendar/admin'
import { Child } from '../families/entities'
import { PortalAccount } from '../accounts/entities'
import { prng } from './generate'
import type { DemoCalendar } from './demo-calendar'

const SEED: Actor = { kind: 'system', id: null, label: 'Données de démonstration' }

const MATERNELLE = ['PS', 'MS', 'GS'] as ('PS' | 'MS' | 'GS')[]
const ELEMENTAIRE = ['CP', 'CE1', 'CE2', 'CM1', 'CM2'] as ('CP' | 'CE1' | 'CE2' | 'CM1' | 'CM2')[]

interface UnitSpec {
  name: string
  start: string
  end: string
  price: number
  /** Names of earlier units this one excludes. */
  excludes?: string[]
  /** Includes a meal (the kitchen sheet counts it). */
  meal?: boolean
}
interface GroupSpec {
  name: string
  ageMin?: number
  ageMax?: number
  levels?: string[]
  places: number
}
interface PeriodSpec {
  name: string
  start: string
  end: string
  windowStart: string
  windowEnd: string
}
interface ActivitySpec {
  name: string
  rule: OpeningRule
  validation: ValidationMode
  autoBook?: boolean
  typicalWeek?: boolean
  description?: string
  units: UnitSpec[]
  groups: GroupSpec[]
  periods: PeriodSpec[]
}

interface BuiltActivity {
  id: number
  groups: ActivityGroup[]
  periods: Record<string, number>
  units: Record<string, number>
}

async function build(core: Core, typeId: number, spec: ActivitySpec): Promise<BuiltActivity> {
  const a = await saveActivity(core, SEED, {
    activityTypeId: typeId,
    name: spec.name,
    openingRule: spec.rule,
    validation: spec.validation,
    autoBook: spec.autoBook ?? false,
    typicalWeek: spec.typicalWeek ?? false,
    active: true,
    description: spec.description ?? ''
  })
  const units: Record<string, number> = {}
  for (const [i, u] of spec.units.entries()) {
    const saved = await saveUnit(core, SEED, {
      activityId: a.id,
      name: u.name,
      startTime: u.start,
      endTime: u.end,
      priceCents: u.price,
      sort: i + 1,
      meal: u.meal ?? false,
      excludes: (u.excludes ?? []).map((n) => units[n])
    })
    units[u.name] = saved.id
  }
  const groups: ActivityGroup[] = []
  for (const g of spec.groups) {
    const saved = await saveGroup(core, SEED, {
      activityId: a.id,
      name: g.name,
      ageMin: g.ageMin ?? null,
      ageMax: g.ageMax ?? null,
      levels: (g.levels ?? []) as never,
      places: null
    })
    groups.push(saved)
    for (const uid of Object.values(units)) await saveCapacity(core, SEED, { groupId: saved.id, unitId: uid, places: g.places, day: null })
  }
  const periods: Record<string, number> = {}
  for (const p of spec.periods) {
    const saved = await savePeriod(core, SEED, { activityId: a.id, name: p.name, startDate: p.start, endDate: p.end, windowStart: p.windowStart, windowEnd: p.windowEnd })
    periods[p.name] = saved.id
  }
  return { id: a.id, groups, periods, units }
}

const PERI_GROUPS: GroupSpec[] = [
  { name: 'Maternelle', levels: MATERNELLE, places: 40 },
  { name: 'Élémentaire', levels: ELEMENTAIRE, places: 60 }
]
const CL_UNITS: UnitSpec[] = [
  { name: 'Journée complète', start: '08:30', end: '17:30', price: 1450, meal: true },
  { name: 'Matin', start: '08:30', end: '12:00', price: 650, excludes: ['Journée complète'] },
  { name: 'Après-midi avec repas', start: '11:30', end: '17:30', price: 1050, excludes: ['Journée complète'], meal: true },
  { name: 'Après-midi sans repas', start: '13:30', end: '17:30', price: 750, excludes: ['Journée complète', 'Après-midi avec repas'] }
]

/**
 * The demo activities (zone C, Toulouse), modelled on the 003 and 004
 * guides: périscolaire (ALAE matin, soirs, midi/restauration), centre de
 * loisirs (mercredis maternel and élémentaire, holiday centres), periods
 * of last year, this year (and next year once its window opens), closures, and
 * enrolments of the demo children: ALAE validated and auto-booked, mercredis
 * validated / pending / waiting / refused, holiday requests. All dates come
 * from the demo's calendar (demo-calendar.ts), so the demo looks the same on
 * any day of its school year.
 */
export async function seedDemoActivities(core: Core, cal: DemoCalendar): Promise<void> {
  const peri = await saveFacility(core, SEED, { name: 'Accueil périscolaire', active: true, sort: 1 })
  const periType = await saveActivityType(core, SEED, { facilityId: peri.id, name: 'Périscolaire (ALAE)', kind: 'periscolaire' })
  const restoType = await saveActivityType(core, SEED, { facilityId: peri.id, name: 'Restauration scolaire', kind: 'restauration' })
  const alae = (name: string, unit: UnitSpec, description: string) =>
    build(core, periType.id, {
      name,
      rule: 'school-days',
      validation: 'auto',
      autoBook: true,
      description,
      units: [unit],
      groups: PERI_GROUPS,
      periods: cal.schoolYears
    })
  const matin = await alae('ALAE Matin', { name: 'Matin 7h30-8h20', start: '07:30', end: '08:20', price: 90 }, 'Accueil du matin avant la classe. L’inscription réserve tous les jours d’école de l’année.')
  const soir1 = await alae('ALAE Soir 1', { name: 'Soir 16h-17h30', start: '16:00', end: '17:30', price: 150 }, 'Accueil du soir jusqu’à 17h30.')
  const soir2 = await alae('ALAE Soir 2', { name: 'Soir 16h-18h30', start: '16:00', end: '18:30', price: 230 }, 'Accueil du soir jusqu’à 18h30.')
  const midi = await build(core, restoType.id, {
    name: 'ALAE Midi / Restauration',
    rule: 'school-days',
    validation: 'auto',
    description: 'Pause méridienne et déjeuner. Réservations jusqu’au 20 du mois pour le mois suivant.',
    units: [{ name: 'Midi + déjeuner', start: '11:30', end: '13:30', price: 380, meal: true }],
    groups: PERI_GROUPS.map((g) => ({ ...g, places: g.places * 2 })),
    periods: cal.schoolYears
  })

  const cl = await saveFacility(core, SEED, { name: 'Centre de loisirs', active: true, sort: 2 })
  const wedType = await saveActivityType(core, SEED, { facilityId: cl.id, name: 'Mercredis', kind: 'mercredi' })
  const holType = await saveActivityType(core, SEED, { facilityId: cl.id, name: 'Vacances', kind: 'vacances' })
  const clMat = await build(core, wedType.id, {
    name: 'CL Maternel Mercredis',
    rule: 'wednesdays',
    validation: 'staff',
    typicalWeek: true,
    description: 'Accueil de loisirs du mercredi pour les 3-5 ans, avec ou sans repas.',
    units: CL_UNITS,
    // Few places: the demo shows a waiting list.
    groups: [{ name: 'Maternelle 3-5 ans', ageMin: 3, ageMax: 5, places: 6 }],
    periods: cal.wednesdays
  })
  const clElem = await build(core, wedType.id, {
    name: 'CL Élémentaire Mercredis',
    rule: 'wednesdays',
    validation: 'staff',
    typicalWeek: true,
    description: 'Accueil de loisirs du mercredi pour les 6-11 ans, avec ou sans repas.',
    units: CL_UNITS,
    groups: [
      { name: '6-8 ans', ageMin: 6, ageMax: 8, places: 24 },
      { name: '9-11 ans', ageMin: 9, ageMax: 11, places: 24 }
    ],
    periods: cal.wednesdays
  })
  // One activity per holiday, as in the 003 guide; each period has its own window (zone C dates).
  const holiday = (name: string, periods: PeriodSpec[]) =>
    build(core, holType.id, {
      name,
      rule: 'holiday-weekdays',
      validation: 'staff',
      typicalWeek: false,
      description: 'Centre de loisirs pendant les vacances, à la journée ou à la demi-journée.',
      units: CL_UNITS.slice(0, 3),
      groups: [
        { name: 'Maternelle 3-5 ans', ageMin: 3, ageMax: 5, places: 16 },
        { name: 'Élémentaire 6-11 ans', ageMin: 6, ageMax: 11, places: 32 }
      ],
      periods
    })
  const h = cal.holidays
  const toussaint = await holiday('CLV Toussaint', [h.toussaint])
  const noel = await holiday('CLV Noël', [h.noel])
  await holiday('CLV Hiver', [h.hiverBefore, h.hiver])
  await holiday('CLV Printemps', [h.printemps])
  await holiday('CLV Été', [h.ete])

  await saveClosure(core, SEED, { facilityId: cl.id, activityId: null, startDate: cal.closures.summer.start, endDate: cal.closures.summer.end, reason: 'Fermeture annuelle du centre de loisirs' })
  await saveClosure(core, SEED, { facilityId: null, activityId: soir2.id, startDate: cal.closures.beforeChristmas, endDate: cal.closures.beforeChristmas, reason: 'Formation des animateurs' })
  await saveClosure(core, SEED, { facilityId: null, activityId: null, startDate: cal.closures.christmasEve, endDate: cal.closures.christmasEve, reason: 'Veille de Noël : structure fermée' })

  // The demo families never asked for these: their e-mails would only clog the outbox ahead of real ones.
  const [{ last }] = await core.ds.query('SELECT COALESCE(MAX(id), 0) AS last FROM outbox_mail')
  await enrolDemoChildren(core, cal, { matin, soir1, soir2, midi, clMat, clElem, toussaint, noel })
  await core.tx.run((m) => m.query('DELETE FROM outbox_mail WHERE id > ?', [last]))
}

async function enrolDemoChildren(core: Core, cal: DemoCalendar, a: Record<'matin' | 'soir1' | 'soir2' | 'midi' | 'clMat' | 'clElem' | 'toussaint' | 'noel', BuiltActivity>): Promise<void> {
  const r = prng(2026)
  const children = await core.tx.read((m) => m.find(Child, { order: { familyId: 'ASC', id: 'ASC' } }))
  const accounts = await core.tx.read((m) => m.find(PortalAccount))
  const familyActor = (familyId: number): Extract<Actor, { kind: 'family' }> => {
    const acc = accounts.find((x) => x.familyId === familyId)
    return { kind: 'family', id: acc?.id ?? 0, familyId, label: acc?.login ?? `famille ${familyId}` }
  }
  const [lastYear, thisYear] = cal.schoolYears
  const LAST = lastYear.name
  const THIS = thisYear.name
  const groupFor = (act: BuiltActivity, c: Child, period: string) => {
    const start = period === LAST ? lastYear.start : thisYear.start
    return act.groups.find((g) => !groupRefusal(g, c, start)) ?? null
  }
  /** Skips quietly what the rules refuse (a child too young last year…): the demo shows what the app allows. */
  const tryRun = async (fn: () => Promise<unknown>) => {
    try {
      await fn()
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
    }
  }
  const staffEnrol = (act: BuiltActivity, c: Child, period: string, typicalWeek: { weekday: number; unitId: number }[] = []) =>
    tryRun(async () => {
      const g = groupFor(act, c, period)
      if (!g) return
      await enrolDirectly(core, SEED, { childId: c.id, periodId: act.periods[period], groupId: g.id, typicalWeek, memo: '', startDate: null, ignoreAge: false, waitlistIfFull: true })
    })

  const toRequest: { c: Child; act: BuiltActivity; period: string; week: { weekday: number; unitId: number }[]; memo: string }[] = []
  for (const [i, c] of children.entries()) {
    // This year: most children eat at the canteen, many come to the morning or evening ALAE.
    if (r() < 0.85) await staffEnrol(a.midi, c, THIS)
    if (r() < 0.4) await staffEnrol(a.matin, c, THIS)
    const evening = r()
    if (evening < 0.25) await staffEnrol(a.soir1, c, THIS)
    else if (evening < 0.45) await staffEnrol(a.soir2, c, THIS)
    // Last year's Wednesday centre, ended in July: history on the family page.
    if (i % 5 === 0) await staffEnrol(groupFor(a.clMat, c, LAST) ? a.clMat : a.clElem, c, LAST)
    // Wednesday requests this year, decided below (validated, waiting, refused or left pending).
    if (r() < 0.45) {
      const act = groupFor(a.clMat, c, THIS) ? a.clMat : a.clElem
      const week = r() < 0.5 ? [{ weekday: 3, unitId: act.units['Journée complète'] }] : [{ weekday: 3, unitId: act.units['Après-midi avec repas'] }]
      toRequest.push({ c, act, period: THIS, week, memo: r() < 0.3 ? 'Récupéré par sa grand-mère le mercredi.' : '' })
    }
  }
  const requested: { id: number; act: BuiltActivity }[] = []
  for (const q of toRequest) {
    await tryRun(async () => {
      const g = groupFor(q.act, q.c, q.period)
      if (!g) return
      const res = await requestEnrolment(core, familyActor(q.c.familyId), {
        childId: q.c.id,
        periodId: q.act.periods[q.period],
        groupId: g.id,
        typicalWeek: q.week,
        memo: q.memo,
        siblingIds: []
      })
      for (const x of res.created) requested.push({ id: x.enrolmentId, act: q.act })
    })
  }
  // The desk decided most of them: accepted (waiting list when the group was full), one refused; the last few stay pending.
  const decided = requested.slice(0, Math.max(0, requested.length - 4))
  const refused = decided.find((x) => x.act === a.clElem)
  for (const x of decided) {
    if (x === refused) await tryRun(() => refuseEnrolment(core, SEED, x.id, 'Dossier sanitaire incomplet : merci de compléter les vaccinations puis de refaire la demande.'))
    else await acceptEnrolments(core, SEED, [x.id], true)
  }
  // Family 1 (the demo portal account) shows every status: V, ?, liste d'attente (rang N), refusée (motif).
  const first = children.filter((c) => c.familyId === 1)
  const f1 = familyActor(1)
  const noelIds: number[] = []
  for (const c of first) {
    await staffEnrol(a.matin, c, THIS)
    await tryRun(async () => {
      const g = a.noel.groups.find((x) => !groupRefusal(x, c, cal.holidays.noel.start))
      if (!g) return
      const res = await requestEnrolment(core, f1, { childId: c.id, periodId: a.noel.periods[cal.holidays.noel.name], groupId: g.id, typicalWeek: [], memo: 'Uniquement la première semaine.', siblingIds: [] })
      noelIds.push(...res.created.map((x) => x.enrolmentId))
    })
  }
  if (noelIds.length > 1) await tryRun(() => refuseEnrolment(core, SEED, noelIds[1], 'Plus de place dans ce groupe pour les vacances de Noël. Nous vous proposons la liste d’attente des mercredis.'))
  for (const c of first) {
    const act = groupFor(a.clMat, c, THIS) ? a.clMat : a.clElem
    const g = groupFor(act, c, THIS)
    if (!g) continue
    await tryRun(async () => {
      const res = await requestEnrolment(core, f1, { childId: c.id, periodId: act.periods[THIS], groupId: g.id, typicalWeek: [{ weekday: 3, unitId: act.units['Après-midi avec repas'] }], memo: '', siblingIds: [] })
      // The desk found the group full and offered the waiting list.
      await waitlistEnrolment(core, SEED, res.created[0].enrolmentId)
    })
    break
  }
  if (first[0]) {
    await tryRun(async () => {
      const g = a.toussaint.groups.find((x) => !groupRefusal(x, first[0], cal.holidays.toussaint.start))
      if (g) await enrolDirectly(core, SEED, { childId: first[0].id, periodId: a.toussaint.periods[cal.holidays.toussaint.name], groupId: g.id, typicalWeek: [], memo: '', startDate: null, ignoreAge: false, waitlistIfFull: true })
    })
  }
  // An enrolment ended during the year: its future bookings were cancelled.
  const ending = children.find((c) => c.familyId > 1 && groupFor(a.soir2, c, THIS))
  if (ending) {
    await tryRun(async () => {
      const g = groupFor(a.soir2, ending, THIS)!
      const out = await enrolDirectly(core, SEED, { childId: ending.id, periodId: a.soir2.periods[THIS], groupId: g.id, typicalWeek: [], memo: '', startDate: null, ignoreAge: false, waitlistIfFull: true })
      await endEnrolment(core, SEED, out.enrolmentId, cal.closures.beforeChristmas)
    })
  }
}
