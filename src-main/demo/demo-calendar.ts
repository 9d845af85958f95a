/**
 * The demo's dates, reckoned from its clock: which school year is "this
 * year", its periods and enrolment windows, the holiday centres and the
 * closures. The demo was written for late November 2026; run on any other
 * day (`--clock`, or simply a later year), it shows the same structure at the
 * same point of its own school year.
 */
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { addDays, isoWeekday } from '@shared/bookings/days'
import { saveSchoolHoliday } from '../calendar/admin'
import { SchoolHoliday } from '../calendar/entities'

export interface DemoPeriod {
  name: string
  start: string
  end: string
  windowStart: string
  windowEnd: string
}

export interface DemoCalendar {
  today: string
  /** First calendar year of the demo's school year (2026 for 2026/2027): from July on, the coming one. */
  year: number
  /** Last year's, this year's, and next year's once its enrolment window has opened (10 March). */
  schoolYears: DemoPeriod[]
  wednesdays: DemoPeriod[]
  holidays: Record<'toussaint' | 'noel' | 'hiverBefore' | 'hiver' | 'printemps' | 'ete', DemoPeriod>
  /** The centre's annual closure (last two weeks of the summer centre), a training evening on the last day before Christmas, Christmas Eve. */
  closures: { summer: { start: string; end: string }; beforeChristmas: string; christmasEve: string }
  /** Lines to print when holidays had to be estimated (not yet published). */
  notes: string[]
}

const schoolYearName = (y: number) => `${y}/${y + 1}`
const csvYear = (y: number) => `${y}-${y + 1}`

/** The demo's school year: the running one, or from July the one starting in September. */
export function demoSchoolYear(today: string): number {
  const y = Number(today.slice(0, 4))
  return Number(today.slice(5, 7)) >= 7 ? y : y - 1
}

/** `day` moved by `years`, to the nearest same weekday (holidays start on a Saturday and end on a Monday). */
export function sameWeekdayYearsLater(day: string, years: number): string {
  const target = `${Number(day.slice(0, 4)) + years}${day.slice(4)}`
  const days = Math.round((Date.parse(target) - Date.parse(day)) / 86_400_000)
  return addDays(day, Math.round(days / 7) * 7)
}

/** Classes resume on 1 September unless it falls on a Friday or a weekend (then the Monday after). */
export function estimatedRentree(year: number): string {
  const sept1 = `${year}-09-01`
  const w = isoWeekday(sept1)
  return w <= 4 ? sept1 : addDays(sept1, 8 - w)
}

const mondayFrom = (day: string) => addDays(day, (8 - isoWeekday(day)) % 7)
const fridayBefore = (day: string) => addDays(day, -(((isoWeekday(day) - 5 + 7) % 7) || 7))
const wednesdayFrom = (day: string) => addDays(day, (3 - isoWeekday(day) + 7) % 7)
const wednesdayUntil = (day: string) => addDays(day, -((isoWeekday(day) - 3 + 7) % 7))

/**
 * Makes sure the zone has the school holidays of the given school years. The
 * shipped calendar stops where the ministry's arrêté stops; past it, the demo
 * adds the last known year moved to the same weekdays (and the rentrée on
 * 1 September), says so, and leaves published years untouched. "Pont" days
 * are skipped: they follow Ascension, not the calendar year.
 */
export async function ensureDemoHolidays(core: Core, actor: Actor, zone: 'A' | 'B' | 'C', years: number[]): Promise<string[]> {
  const notes: string[] = []
  const rows = await core.tx.read((m) => m.find(SchoolHoliday, { where: { zone }, order: { firstDayOff: 'ASC' } }))
  const known = [...new Set(rows.filter((r) => r.kind !== 'pont').map((r) => r.schoolYear))].sort()
  const source = known.at(-1)
  for (const y of years) {
    if (!source || rows.some((r) => r.schoolYear === csvYear(y))) continue
    const shift = y - Number(source.slice(0, 4))
    for (const r of rows.filter((x) => x.schoolYear === source && x.kind !== 'pont')) {
      await saveSchoolHoliday(core, actor, {
        zone,
        schoolYear: csvYear(y),
        name: r.name,
        kind: r.kind,
        firstDayOff: sameWeekdayYearsLater(r.firstDayOff, shift),
        backDay: r.backDay ? sameWeekdayYearsLater(r.backDay, shift) : null
      })
    }
    notes.push(`Vacances scolaires ${csvYear(y)} (zone ${zone}) non publiées : la démonstration utilise celles de ${source} décalées d’un an par an.`)
  }
  // A summer with no rentrée yet would never end: the school-days activities of the next year would have no day.
  const summers = await core.tx.read((m) => m.find(SchoolHoliday, { where: { zone, kind: 'grandes' } }))
  for (const s of summers) {
    const endsYear = Number(s.schoolYear.slice(5))
    if (s.backDay || !years.includes(endsYear)) continue
    const backDay = estimatedRentree(endsYear)
    await saveSchoolHoliday(core, actor, { id: s.id, version: s.version, zone, schoolYear: s.schoolYear, name: s.name, kind: s.kind, firstDayOff: s.firstDayOff, backDay })
    notes.push(`Rentrée ${endsYear} non publiée : la démonstration la suppose le ${backDay.slice(8)}/${backDay.slice(5, 7)}/${endsYear}.`)
  }
  return notes
}

/** Enrolment window of a holiday centre: opens seven weeks before, closes 18 days before (the 003 guide's rhythm). */
function holidayCentre(name: string, h: SchoolHoliday): DemoPeriod {
  const start = mondayFrom(h.firstDayOff)
  const end = fridayBefore(h.backDay ?? estimatedRentree(Number(h.schoolYear.slice(5))))
  return { name, start, end, windowStart: addDays(start, -48), windowEnd: addDays(start, -18) }
}

export async function demoCalendar(core: Core, actor: Actor, zone: 'A' | 'B' | 'C'): Promise<DemoCalendar> {
  const today = parisDay(core.clock.now())
  const year = demoSchoolYear(today)
  const nextOpen = today >= `${year + 1}-03-10`
  const years = [year - 1, year, ...(nextOpen ? [year + 1] : [])]
  const notes = await ensureDemoHolidays(core, actor, zone, years)
  const all = await core.tx.read((m) => m.find(SchoolHoliday, { where: { zone }, order: { firstDayOff: 'ASC' } }))
  const holiday = (y: number, name: string) => {
    const h = all.find((x) => x.schoolYear === csvYear(y) && x.name === name)
    if (!h) throw new Error(`Vacances ${name} ${csvYear(y)} absentes du calendrier (zone ${zone})`)
    return h
  }
  const schoolYear = (y: number): DemoPeriod => {
    // Families may join during the year: "jusqu'au 20 de chaque mois pour le mois suivant" (003 guide).
    const end = addDays(holiday(y, 'Été').firstDayOff, -1)
    return { name: schoolYearName(y), start: `${y}-09-01`, end, windowStart: `${y}-03-10`, windowEnd: `${y + 1}-06-20` }
  }
  const schoolYears = years.map(schoolYear)
  const wednesdays = schoolYears.map((p) => ({ ...p, start: wednesdayFrom(p.start), end: wednesdayUntil(p.end) }))
  const holidays = {
    toussaint: holidayCentre(`Toussaint ${year}`, holiday(year, 'Toussaint')),
    noel: holidayCentre(`Noël ${year}`, holiday(year, 'Noël')),
    hiverBefore: holidayCentre(`Hiver ${year}`, holiday(year - 1, 'Hiver')),
    hiver: holidayCentre(`Hiver ${year + 1}`, holiday(year, 'Hiver')),
    printemps: holidayCentre(`Printemps ${year + 1}`, holiday(year, 'Printemps')),
    ete: holidayCentre(`Été ${year + 1}`, holiday(year, 'Été'))
  }
  return {
    today,
    year,
    schoolYears,
    wednesdays,
    holidays,
    closures: {
      summer: { start: addDays(holidays.ete.end, -11), end: holidays.ete.end },
      beforeChristmas: addDays(holidays.noel.start, -3),
      christmasEve: `${year}-12-24`
    },
    notes
  }
}
