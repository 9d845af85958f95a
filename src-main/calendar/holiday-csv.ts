import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import type { HolidayKind } from './entities'

export interface HolidayRow {
  zone: 'A' | 'B' | 'C'
  schoolYear: string
  name: string
  kind: HolidayKind
  firstDayOff: string
  backDay: string | null
}

export const HOLIDAY_CSV = 'calendrier-scolaire-2024-2027-zones-ABC.csv'

/** The CSV spells names without accents; families read them. */
const NAMES: Record<string, string> = {
  Toussaint: 'Toussaint',
  Noel: 'Noël',
  Hiver: 'Hiver',
  Printemps: 'Printemps',
  Ete: 'Été',
  'Pont de l Ascension': "Pont de l'Ascension"
}

/** Minimal RFC 4180 reader: quoted fields may hold commas and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      field = ''
      if (row.some((f) => f !== '')) rows.push(row)
      row = []
    } else field += c
  }
  row.push(field)
  if (row.some((f) => f !== '')) rows.push(row)
  return rows
}

export function parseHolidayCsv(text: string): HolidayRow[] {
  const [header, ...rows] = parseCsv(text)
  const col = (name: string) => {
    const i = header.indexOf(name)
    if (i < 0) throw new Error(`Colonne ${name} absente du calendrier scolaire`)
    return i
  }
  const [year, zone, name, first, back] = ['annee_scolaire', 'zone', 'vacances', 'premier_jour_sans_classe', 'jour_de_reprise'].map(col)
  return rows.map((r) => {
    const raw = r[name]
    const kind: HolidayKind = raw === 'Ete' ? 'grandes' : raw.startsWith('Pont') ? 'pont' : 'petites'
    if (!['A', 'B', 'C'].includes(r[zone])) throw new Error(`Zone inconnue : ${r[zone]}`)
    return {
      zone: r[zone] as 'A' | 'B' | 'C',
      schoolYear: r[year],
      name: NAMES[raw] ?? raw,
      kind,
      firstDayOff: r[first],
      backDay: r[back] || null
    }
  })
}

/**
 * The shipped CSV. Two levels up from this file is the app root both in the
 * sources (src-main/calendar) and in the bundle (out/main); the working
 * directory is the fallback for scripts.
 */
export function shippedHolidayCsvPath(): string {
  const candidates = [join(__dirname, '..', '..', 'resources', 'calendar', HOLIDAY_CSV), join(process.cwd(), 'resources', 'calendar', HOLIDAY_CSV)]
  const found = candidates.find((p) => existsSync(p))
  if (!found) throw new Error(`Calendrier scolaire introuvable (${candidates.join(', ')})`)
  return found
}

export function loadShippedHolidays(): HolidayRow[] {
  return parseHolidayCsv(readFileSync(shippedHolidayCsvPath(), 'utf8'))
}
