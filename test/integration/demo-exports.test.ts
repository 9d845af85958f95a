/**
 * Documents made from the demo structure as it stands on 3 December 2026
 * (three months invoiced, some paid): the RGPD export of every family as a
 * PDF, read back with pdftotext; every accountants' spreadsheet printed to
 * PDF by LibreOffice. One seeded database for the whole file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { seedDemo } from '../../src-main/demo/seed'
import { exportFamilyPdf } from '../../src-main/rgpd/export'
import * as XLSX from 'xlsx'
import { EXPORT_LABELS } from '@shared/contract/billing-shapes'
import { buildExport, type ExportKind } from '../../src-main/billing/exports/reports'
import { openTestCore, type TestCore } from '../helpers/core'
import { pdfPages, pdfText, spreadsheetsToPdf } from '../helpers/billing-tools'

let core: TestCore
beforeAll(async () => {
  core = await openTestCore({ now: new Date('2026-12-03T08:00:00Z') })
  await seedDemo(core)
})
afterAll(() => core.cleanup())

describe('RGPD export of the demo families', () => {
  test('every family’s data exports as a PDF, whatever it lacks (portal account, invoices, messages…)', async () => {
    const families = core.db.prepare('SELECT id, number FROM family ORDER BY id').all() as { id: number; number: number }[]
    expect(families.length).toBeGreaterThan(40)
    const failed: string[] = []
    for (const f of families) {
      try {
        const text = pdfText(await exportFamilyPdf(core, f.id))
        if (!text.includes(`famille N° ${f.number}`)) failed.push(`${f.number}: not in the PDF`)
      } catch (e) {
        failed.push(`${f.number}: ${String(e).slice(0, 120)}`)
      }
    }
    expect(failed).toEqual([])
    // pdfmake lays out every booking of the year: 1 to 5 s a family on a shared 2-core machine.
  }, 240_000)
})

describe('accountants’ spreadsheets, printed by LibreOffice', () => {
  test('French file names: a whole month, a year, any period, the aged balance as of a day', async () => {
    const name = async (kind: ExportKind, from: string, to: string) => (await buildExport(core, { kind, from, to })).filename
    expect(await name('invoice-journal', '2026-11-01', '2026-11-30')).toBe('journal-des-factures-2026-11.xlsx')
    expect(await name('payment-journal', '2026-01-01', '2026-12-31')).toBe('journal-des-reglements-2026.xlsx')
    expect(await name('revenue', '2026-09-01', '2026-11-15')).toBe('recettes-par-activite-du-2026-09-01-au-2026-11-15.xlsx')
    expect(await name('caf-stats', '2026-11-01', '2026-11-30')).toBe('statistiques-caf-2026-11.xlsx')
    expect(await name('aged-balance', '2026-09-01', '2026-11-30')).toBe('balance-agee-au-2026-11-30.xlsx')
  })

  test('each export prints on A4 landscape, one page wide, header on every page, structure and page number below', async () => {
    const kinds = Object.keys(EXPORT_LABELS) as ExportKind[]
    const files = await Promise.all(kinds.map((kind) => buildExport(core, { kind, from: '2026-09-01', to: '2026-12-31' })))
    const pdfs = spreadsheetsToPdf(files.map((f) => ({ name: f.filename, data: f.data })))
    for (const f of files) {
      const pdf = pdfs.get(f.filename)!
      const { count, sizes } = pdfPages(pdf)
      expect(sizes.every((s) => Math.round(s.width) === 842 && Math.round(s.height) === 595), `${f.filename}: A4 landscape`).toBe(true)
      // Each sheet's rows: printed one page wide, at least 25 rows go on a page; a sheet cut in width would take two or more times that.
      const wb = XLSX.read(f.data, { type: 'buffer' })
      const sheets = wb.SheetNames.map((n) => {
        const rows = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets[n], { header: 1, blankrows: true })
        const header = rows.find((r) => r.length > 1) as string[]
        return { rows: rows.length, first: String(header[0]), last: String(header.at(-1)) }
      })
      expect(count, `${f.filename}: ${sheets.map((s) => s.rows).join(' + ')} rows`).toBeLessThanOrEqual(sheets.reduce((n, s) => n + Math.ceil(s.rows / 25), 0))
      const pages = pdfText(pdf).split('\f').filter((p) => p.trim())
      expect(pages).toHaveLength(count)
      pages.forEach((page, i) => {
        const where = `${f.filename}, page ${i + 1}`
        // The whole header row, first to last column, on every page.
        expect(sheets.some((s) => page.split('\n').some((l) => l.includes(s.first) && l.trimEnd().endsWith(s.last))), where).toBe(true)
        expect(page, where).toContain("Maison de l'Enfant de Démo")
        expect(page, where).toMatch(new RegExp(`Page ${i + 1} / ${count}\\s*$`))
      })
    }
  }, 240_000)
})
