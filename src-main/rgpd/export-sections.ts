import type { EntityManager } from 'typeorm'

/**
 * The parts of a family's RGPD export that other modules (reservations,
 * enrolments, invoices…) add: a title, a function returning plain JSON, and
 * French names for its keys so the PDF can show them as table headers.
 * Kept apart from export.ts so the wiring (register-sections.ts) can import
 * it without an import cycle.
 */
/** `today`: the Paris day of the export (states that depend on the date, like a debit « en cours »). */
export type RgpdSectionFn = (m: EntityManager, familyId: number, today: string) => Promise<unknown>

export interface RgpdExportSection {
  fn: RgpdSectionFn
  /** JSON key → French label (column headers, sub-titles) for the PDF. */
  labels: Record<string, string>
}

export const rgpdExportSections: Record<string, RgpdExportSection> = {}

export function registerRgpdExportSection(title: string, fn: RgpdSectionFn, labels: Record<string, string> = {}): void {
  rgpdExportSections[title] = { fn, labels }
}
