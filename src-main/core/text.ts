/** Lower-case, accent-free form used for search columns and comparisons. */
export function normalize(s: string | null | undefined): string {
  return (s ?? '')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .trim()
}

/** Digits only, so "06 12 34 56 78" and "0612345678" match. */
export function digits(s: string | null | undefined): string {
  return (s ?? '').replace(/\D/g, '')
}
