/**
 * School years ("2025-2026": 1 September … 31 August). A module of its own so
 * the PDF worker threads (pdf/pdf-worker.ts) load it without the database
 * layer that statement.ts needs.
 */

/** "2025-2026" → 1 September 2025 … 31 August 2026. */
export function schoolYearBounds(schoolYear: string): { from: string; to: string } {
  const [a, b] = schoolYear.split('-').map(Number)
  if (!a || b !== a + 1) throw new Error(`bad school year ${schoolYear}`)
  return { from: `${a}-09-01`, to: `${b}-08-31` }
}

/** The school year containing a day. */
export function schoolYearOf(day: string): string {
  const y = Number(day.slice(0, 4))
  return Number(day.slice(5, 7)) >= 9 ? `${y}-${y + 1}` : `${y - 1}-${y}`
}
