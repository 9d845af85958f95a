/**
 * How people's names are written on documents, exports and screens. Upper
 * case is JavaScript's, with the French locale: SQLite's UPPER() only knows
 * ASCII and would print « NOëL » on one document and « NOËL » on the next.
 */

/** « Noël » → « NOËL ». */
export function upperName(s: string | null | undefined): string {
  return (s ?? '').toLocaleUpperCase('fr-FR')
}

/** « NOËL Zoé »: last name upper-cased, then the first name (lists, journals, invoices). */
export function personName(lastName: string | null | undefined, firstName: string | null | undefined): string {
  return `${upperName(lastName)} ${firstName ?? ''}`.trim()
}
