import { isExists } from 'date-fns'
import type { z } from 'zod'
import { FIELD_LABELS } from '@shared/contract/family-file-shapes'
import { withoutInvisible } from '@shared/validators'

/**
 * Turning the values of other programs' files into ours: dates, civilities,
 * régimes, quotients, texts. Shared by the Noethys and spreadsheet readers so
 * a value reads the same whichever way it came in.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string }

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
const bad = <T>(message: string): Parsed<T> => ({ ok: false, message })

/** Text as stored: invisible and bidirectional characters removed (they come from copy-paste), spaces squeezed. */
export function cleanText(raw: unknown): string {
  if (raw === null || raw === undefined) return ''
  const s = String(raw)
  // Most cells have nothing to clean: one test instead of three replacements (20,000 families = a million cells).
  if (PLAIN.test(s)) return s.trim()
  return withoutInvisible(s.replace(/[\r\n\t]+/g, ' '))
    .replace(/ {2,}/g, ' ')
    .trim()
}

const PLAIN = /^(?:(?! {2})[^\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff])*$/

/** Multi-line text (addresses, notes): lines kept, each cleaned. */
export function cleanLines(raw: unknown): string {
  if (raw === null || raw === undefined) return ''
  return String(raw)
    .split(/\r\n|\r|\n/)
    .map(cleanText)
    .filter(Boolean)
    .join('\n')
}

/** Two-digit years: 30 → 1930, 12 → 2012 (what a birth date or a recent day means). */
/**
 * A two-digit year's century, from the app's clock (never the machine's: the demo and tests run on another day).
 * Birth dates are in the past; other days (a quotient valid until « 31/12/27 ») may be up to 20 years ahead.
 */
function fullYear(y: number, digits: number, thisYear: number, past: boolean): number {
  if (digits > 2) return y
  return 2000 + y > thisYear + (past ? 0 : 20) ? 1900 + y : 2000 + y
}

/** Excel day 1 is 1900-01-01, with the 1900 leap-year bug: serial 60 does not exist, 61 is 1900-03-01. */
function excelSerialToIso(serial: number): string | null {
  if (!Number.isInteger(serial) || serial < 61 || serial > 2958465) return null
  const ms = Date.UTC(1899, 11, 30) + serial * 86_400_000
  return new Date(ms).toISOString().slice(0, 10)
}

/**
 * A calendar day from text ("31/12/2015", "2015-12-31", "31.12.15"), a
 * spreadsheet Date or an Excel day number. Impossible days (31/02/2015) are
 * refused, never rolled over to March.
 */
export function parseDay(raw: unknown, label: string, today?: string, past = false): Parsed<string | null> {
  if (raw === null || raw === undefined) return ok(null)
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) return bad(`${label} : date illisible.`)
    // Spreadsheet dates are midnight UTC.
    return ok(raw.toISOString().slice(0, 10))
  }
  if (typeof raw === 'number') {
    const d = excelSerialToIso(raw)
    return d ? ok(d) : bad(`${label} : « ${raw} » n’est pas une date.`)
  }
  const text = cleanText(raw)
  if (!text) return ok(null)
  // Noethys and some exports put a time after the day.
  const s = text.replace(/[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$/, '')
  // Day first (31/12/2015, 31.12.15, 31-12-2015) as French files write it, or ISO (2015-12-31).
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(s) ?? /^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$/.exec(s)
  if (!m) return bad(`${label} : « ${text} » n’est pas une date (format attendu JJ/MM/AAAA).`)
  const iso = m[1].length === 4
  const day = Number(iso ? m[3] : m[1])
  const month = Number(m[2])
  const year = iso ? Number(m[1]) : fullYear(Number(m[3]), m[3].length, Number((today ?? new Date().toISOString()).slice(0, 4)), past)
  // date-fns says whether the day exists: 31/02/2015 is refused, never rolled over to March.
  if (!isExists(year, month - 1, day) || year < 1900 || year > 2100) return bad(`${label} : « ${text} » n’est pas une date qui existe (jour ou mois impossible).`)
  return ok(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`)
}

/** A birth date: a valid day, not in the future, not before 1900. */
export function parseBirthDate(raw: unknown, label: string, today: string): Parsed<string | null> {
  const d = parseDay(raw, label, today, true)
  if (!d.ok || d.value === null) return d
  if (d.value > today) return bad(`${label} : ${frDay(d.value)} est dans le futur.`)
  return d
}

/** "2015-02-28" → "28/02/2015". */
export function frDay(isoDay: string | null | undefined): string {
  if (!isoDay) return ''
  const [y, m, d] = isoDay.split('-')
  return `${d}/${m}/${y}`
}

const norm = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()

/** Adult civility from "Mme", "Madame", "F", "M.", "Monsieur"… ('' when unknown). */
export function parseCivility(raw: unknown): '' | 'M.' | 'Mme' {
  const s = norm(cleanText(raw))
  if (/^(m|mr|monsieur|homme|h|masculin|pere)$/.test(s)) return 'M.'
  if (/^(mme|madame|mlle|mademoiselle|melle|f|femme|feminin|mere)$/.test(s)) return 'Mme'
  return ''
}

/** A child's sex from "F", "Fille", "Féminin", "G", "Garçon"… */
export function parseSex(raw: unknown): Parsed<'' | 'F' | 'M'> {
  const s = norm(cleanText(raw))
  if (!s) return ok('')
  if (/^(f|fille|feminin|femme|mme|madame|mlle)$/.test(s)) return ok('F')
  if (/^(m|g|garcon|masculin|homme|mr|monsieur)$/.test(s)) return ok('M')
  return bad(`Sexe : « ${cleanText(raw)} » n’est pas reconnu (F, Fille, M, G ou Garçon).`)
}

/** The CAF régime of a family from a free text. */
export function parseRegime(raw: unknown): '' | 'general' | 'msa' | 'autre' | 'aucun' {
  const s = norm(cleanText(raw))
  if (!s) return ''
  if (/msa|agricole/.test(s)) return 'msa'
  if (/^(caf|general|regime general|cnaf)$/.test(s) || /general/.test(s)) return 'general'
  if (/aucun|non allocataire|sans/.test(s)) return 'aucun'
  return 'autre'
}

/** A family quotient: a whole number of euros between 0 and 100 000 ("742", "742,00", 742). */
export function parseQuotient(raw: unknown): Parsed<number | null> {
  if (raw === null || raw === undefined) return ok(null)
  const text = typeof raw === 'number' ? String(raw) : cleanText(raw).replace(/[\s\u00a0€]/g, '').replace(',', '.')
  if (!text) return ok(null)
  const n = Number(text)
  if (!Number.isFinite(n)) return bad(`Quotient familial : « ${cleanText(raw)} » n’est pas un nombre.`)
  if (!Number.isInteger(n)) return bad(`Quotient familial : « ${cleanText(raw)} » n’est pas un nombre entier d’euros.`)
  if (n < 0 || n > 100_000) return bad(`Quotient familial : ${n} est hors des bornes (0 à 100 000).`)
  return ok(n)
}

/** Phones typed in spreadsheets lose their leading zero when the column is numeric (612345678). */
export function phoneText(raw: unknown): string {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 100_000_000 && raw <= 999_999_999) return `0${raw}`
  return cleanText(raw)
}

/** Postcodes typed as numbers lose their leading zero too (1000 → 01000). */
export function postalCodeText(raw: unknown): string {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 1000 && raw <= 99999) return String(raw).padStart(5, '0')
  return cleanText(raw)
}

export interface FieldProblem {
  field: string
  label: string
  /** The value as found, for the « informations importées » note. */
  raw: string
  message: string
}

/** Each schema field's default (what an absent value becomes), computed once per schema. */
const defaults = new WeakMap<z.ZodObject, Record<string, unknown>>()

function defaultsOf(schema: z.ZodObject): Record<string, unknown> {
  let d = defaults.get(schema)
  if (!d) {
    d = {}
    for (const [key, field] of Object.entries(schema.shape)) {
      const r = (field as z.ZodType).safeParse(undefined)
      if (r.success) d[key] = r.data
    }
    defaults.set(schema, d)
  }
  return d
}

/**
 * Checks each field of `raw` with the matching field of a zod object schema
 * (the same schemas the forms use, so an imported value is held to the same
 * rules and refused in the same words). A field that fails is replaced by the
 * schema's default and reported; the caller decides whether that refuses the
 * row (spreadsheets) or only drops the value (Noethys). The value holds every
 * field of the schema (absent ones at their default); rules across fields
 * (superRefine) are the caller's.
 */
export function checkFields<S extends z.ZodObject>(schema: S, raw: Record<string, unknown>): { value: z.output<S>; problems: FieldProblem[] } {
  const value: Record<string, unknown> = {}
  // Array defaults are copied: each value owns its lists, as zod's own defaults do.
  for (const [key, d] of Object.entries(defaultsOf(schema))) value[key] = Array.isArray(d) ? [...d] : d
  const problems: FieldProblem[] = []
  for (const [key, v] of Object.entries(raw)) {
    const field = schema.shape[key] as z.ZodType | undefined
    if (!field) continue
    // An empty optional value is its default: no need to ask zod (most cells of a file are empty).
    if ((v === '' || v === null || v === undefined) && key in value) continue
    const r = field.safeParse(v)
    if (r.success) value[key] = r.data
    else {
      const label = FIELD_LABELS[key] ?? key
      const message = r.error.issues[0]?.message ?? 'valeur invalide'
      problems.push({ field: key, label, raw: String(v ?? ''), message: message.startsWith(label) ? message : `${label} : ${message}` })
    }
  }
  return { value: value as z.output<S>, problems }
}
