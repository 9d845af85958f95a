import ExcelJS from 'exceljs'
import Papa from 'papaparse'
import { normalize } from '../../core/text'
import { refuse } from '../noethys/file'
import { decodeCsv } from './decode'
import { XlsxReader } from './xlsx-reader'

/** A cell as the reader gives it: text (CSV, or XLSX text), a number or a date (XLSX), or nothing. */
export type Cell = string | number | Date | null

export interface GridRow {
  /** Row number in the sheet (the header row is usually 1). */
  row: number
  cells: Cell[]
  /** Columns whose cell holds a formula without a stored value, or an error value (#N/A…). */
  unreadable: { col: number; why: string }[]
}

export interface Grid {
  headers: string[]
  rows: GridRow[]
  facts: { label: string; value: string }[]
}

const MAX_ROWS = 200_000
const MAX_COLUMNS = 200

/** Excel's column letters: 0 → A, 26 → AA. */
export function columnLetter(i: number): string {
  let s = ''
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s
  return s
}

/**
 * The header row: the first row with a value. Empty titles become
 * « Colonne F »; two columns with the same title are refused, since the
 * mapping (and the one remembered for next time) goes by title.
 */
function headersOf(raw: Cell[]): string[] {
  const headers = raw.map((h, i) => (h === null || String(h).trim() === '' ? `Colonne ${columnLetter(i)}` : String(h instanceof Date ? h.toISOString().slice(0, 10) : h).replace(/\s+/g, ' ').trim()))
  const seen = new Map<string, number>()
  headers.forEach((h, i) => {
    const k = normalize(h)
    const first = seen.get(k)
    if (first !== undefined) {
      refuse(`Les colonnes ${columnLetter(first)} et ${columnLetter(i)} portent le même titre « ${h} » : donnez un titre différent à chaque colonne (par exemple « Nom de l’enfant » et « Nom du responsable »), puis envoyez le fichier à nouveau.`)
    }
    seen.set(k, i)
  })
  return headers
}

function grid(all: GridRow[], facts: Grid['facts']): Grid {
  const nonEmpty = all.filter((r) => r.cells.some((c) => c !== null && String(c).trim() !== '') || r.unreadable.length)
  if (!nonEmpty.length) refuse('Ce tableur est vide : aucune ligne à importer.')
  const [head, ...rows] = nonEmpty
  if (head.cells.length > MAX_COLUMNS) refuse(`Ce tableur a ${head.cells.length} colonnes : ${MAX_COLUMNS} au plus. Enlevez les colonnes inutiles.`)
  if (rows.length > MAX_ROWS) refuse(`Ce tableur a ${rows.length} lignes : ${MAX_ROWS} au plus par import. Coupez-le en plusieurs fichiers.`)
  if (!rows.length) refuse('Ce tableur n’a qu’une ligne de titres : aucune famille à importer.')
  const headers = headersOf(head.cells)
  const width = headers.length
  return { headers, rows: rows.map((r) => ({ ...r, cells: Array.from({ length: width }, (_, i) => r.cells[i] ?? null) })), facts }
}

const SEPARATORS: Record<string, string> = { ';': 'point-virgule (;)', ',': 'virgule (,)', '\t': 'tabulation' }

export function readCsv(data: Buffer, name: string): Grid {
  const { text, encoding } = decodeCsv(data, name)
  const parsed = Papa.parse<string[]>(text, { delimiter: '', delimitersToGuess: [';', ',', '\t'], skipEmptyLines: false, header: false })
  const quote = parsed.errors.find((e) => e.type === 'Quotes')
  if (quote) refuse(`Le fichier « ${name} » a un guillemet (") non fermé vers la ligne ${(quote.row ?? 0) + 1} : corrigez-le dans votre tableur puis envoyez-le à nouveau.`)
  const rows: GridRow[] = parsed.data.map((cells, i) => ({ row: i + 1, cells: cells.map((c) => (c.trim() === '' ? null : c)), unreadable: [] }))
  return grid(rows, [
    { label: 'Format', value: 'CSV' },
    { label: 'Encodage', value: encoding },
    { label: 'Séparateur', value: SEPARATORS[parsed.meta.delimiter] ?? parsed.meta.delimiter }
  ])
}

type ExcelValue = ExcelJS.CellValue

/** A cell's value without evaluating anything: formulas give the value the spreadsheet stored when it was saved. */
function cellValue(v: ExcelValue, formulaCount: { n: number }): { value: Cell; why?: string } {
  if (v === null || v === undefined) return { value: null }
  if (typeof v === 'string') return { value: v }
  if (typeof v === 'number') return { value: v }
  if (typeof v === 'boolean') return { value: v ? 'oui' : 'non' }
  if (v instanceof Date) return { value: v }
  if ('error' in v) return { value: null, why: `cellule en erreur (${v.error})` }
  if ('richText' in v) return { value: v.richText.map((t) => t.text).join('') }
  if ('formula' in v || 'sharedFormula' in v) {
    formulaCount.n++
    const result = (v as { result?: ExcelValue }).result
    if (result === undefined || result === null) {
      const f = 'formula' in v ? v.formula : (v as { sharedFormula: string }).sharedFormula
      // The streaming reader keeps no error result: « never calculated » and « in error » read the same.
      return { value: null, why: `formule « =${f} » sans valeur lisible (jamais calculée par le tableur, ou en erreur ; Ribambelle ne calcule jamais de formule)` }
    }
    if (typeof result === 'object' && !(result instanceof Date) && 'error' in result) return { value: null, why: `formule en erreur (${result.error})` }
    return cellValue(result, { n: 0 })
  }
  if ('text' in v) return { value: typeof v.text === 'string' ? v.text : cellValue(v.text as ExcelValue, formulaCount).value }
  return { value: String(v) }
}

/**
 * Reads the sheet named « Familles », else the first sheet with rows, through
 * exceljs' streaming parsers (see `XlsxReader`): one row at a time, so 20,000
 * families take a fraction of the memory a whole workbook model would (bench/imports.ts).
 */
export async function readXlsx(data: Buffer, name: string): Promise<Grid> {
  const sheets: { name: string; rows: GridRow[]; formulas: number }[] = []
  try {
    const reader = new XlsxReader(data, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' })
    for await (const ws of reader) {
      const formulas = { n: 0 }
      const rows: GridRow[] = []
      for await (const row of ws) {
        const cells: Cell[] = []
        const unreadable: GridRow['unreadable'] = []
        for (let col = 1; col <= Math.min(row.cellCount, MAX_COLUMNS + 1); col++) {
          const { value, why } = cellValue(row.getCell(col).value, formulas)
          cells.push(typeof value === 'string' && value.trim() === '' ? null : value)
          if (why) unreadable.push({ col: col - 1, why })
        }
        if (cells.some((c) => c !== null) || unreadable.length) rows.push({ row: row.number, cells, unreadable })
      }
      if (rows.length) sheets.push({ name: (ws as unknown as { name: string }).name, rows, formulas: formulas.n })
    }
  } catch (e) {
    refuse(`Le tableur « ${name} » est endommagé : il ne s’ouvre pas. Enregistrez-le à nouveau au format .xlsx depuis votre tableur.`, 400, e)
  }
  const sheet = sheets.find((x) => normalize(x.name) === 'familles') ?? sheets[0]
  if (!sheet) refuse('Ce tableur est vide : aucune ligne à importer.')
  const facts = [
    { label: 'Format', value: 'XLSX' },
    { label: 'Feuille', value: `« ${sheet.name} »${sheets.length > 1 ? ` (sur ${sheets.length} feuilles)` : ''}` }
  ]
  const n = sheet.formulas
  if (n) facts.push({ label: 'Formules', value: `${n} cellule${n > 1 ? 's' : ''} calculée${n > 1 ? 's' : ''} : la valeur enregistrée par le tableur est lue, la formule n’est jamais calculée` })
  return grid(sheet.rows, facts)
}


export function readGrid(format: 'csv' | 'xlsx', data: Buffer, name: string): Promise<Grid> | Grid {
  return format === 'csv' ? readCsv(data, name) : readXlsx(data, name)
}
