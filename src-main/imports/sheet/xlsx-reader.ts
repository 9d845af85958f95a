import ExcelJS from 'exceljs'
import { openEntry, openZip, zipEntries } from '../zip'

type Part = { eventType: string; value: unknown }
/** The parts of exceljs' WorkbookReader that its own `parse` drives (exceljs 4.4, lib/stream/xlsx/workbook-reader.js). */
interface ReaderInternals {
  options: { sharedStrings: string }
  _parseRels(entry: NodeJS.ReadableStream): Promise<void>
  _parseWorkbook(entry: NodeJS.ReadableStream): Promise<void>
  _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncGenerator<Part>
  _parseStyles(entry: NodeJS.ReadableStream): Promise<void>
  _parseWorksheet(iterator: AsyncIterable<unknown>, sheetNo: string): Generator<Part>
}

const SHEET = /^xl\/worksheets\/sheet(\d+)\.xml$/

/**
 * exceljs' streaming reader walks the zip in stored order through unzipper and, on Node ≥ 18, now and then loses
 * an entry: a workbook written by exceljs (workbook.xml stored last) then fails about once in a thousand reads with
 * « Cannot read properties of undefined (reading 'sheets') » (exceljs issue 3064, still open in 4.4.0). CI saw it as
 * « Le tableur est endommagé » on the second read of the same bytes. The file is in memory anyway, so this reader
 * opens the zip by its central directory (yauzl) and hands exceljs' own part parsers the relations, the workbook,
 * the shared strings and the styles first, then one worksheet at a time, each decompressed only while it is read.
 */
export class XlsxReader extends ExcelJS.stream.xlsx.WorkbookReader {
  constructor(
    private readonly data: Buffer,
    options: Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions>
  ) {
    super(undefined as never, options)
  }

  override async *parse(): AsyncGenerator<Part> {
    const self = this as unknown as ReaderInternals
    const zip = await openZip(this.data)
    try {
      const entries = await zipEntries(zip)
      const named = (path: string) => entries.find((e) => e.fileName === path)
      const open = (path: string) => {
        const e = named(path)
        return e ? openEntry(zip, e) : null
      }
      const rels = await open('xl/_rels/workbook.xml.rels')
      if (rels) await self._parseRels(rels)
      const book = await open('xl/workbook.xml')
      if (!book) throw new Error('xl/workbook.xml missing')
      await self._parseWorkbook(book)
      const strings = await open('xl/sharedStrings.xml')
      if (strings) yield* self._parseSharedStrings(strings)
      else if (self.options.sharedStrings === 'cache') (this as unknown as { sharedStrings: unknown[] }).sharedStrings = []
      const styles = await open('xl/styles.xml')
      if (styles) await self._parseStyles(styles)
      const sheets = entries
        .map((e) => ({ e, no: SHEET.exec(e.fileName)?.[1] }))
        .filter((s): s is { e: (typeof entries)[number]; no: string } => s.no !== undefined)
        .sort((a, b) => Number(a.no) - Number(b.no))
      for (const s of sheets) yield* self._parseWorksheet(await openEntry(zip, s.e), s.no)
    } finally {
      zip.close()
    }
  }
}
