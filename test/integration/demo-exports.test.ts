/**
 * Documents made from the demo structure as it stands on 3 December 2026
 * (three months invoiced, some paid): the RGPD export of every family as a
 * PDF, read back with pdftotext. One seeded database for the whole file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { seedDemo } from '../../src-main/demo/seed'
import { exportFamilyPdf } from '../../src-main/rgpd/export'
import { openTestCore, type TestCore } from '../helpers/core'
import { pdfText } from '../helpers/billing-tools'

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
