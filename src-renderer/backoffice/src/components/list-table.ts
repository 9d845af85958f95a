/** Lower case, no accents: « Noël » and « noel » find each other. */
const fold = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLocaleLowerCase('fr-FR')

/**
 * ListTable's « Filtrer la liste » on a loaded list: the rows where every word typed is found in one of `fields`
 * (nested with dots: « family.name »), whatever the accents and the case.
 */
export function filterRows<T>(rows: readonly T[], text: string, fields: readonly string[]): T[] {
  const words = fold(text).split(/\s+/).filter(Boolean)
  if (!words.length) return [...rows]
  return rows.filter((row) => {
    const hay = fold(
      fields
        .map((f) => f.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), row))
        .filter((v) => v !== null && v !== undefined)
        .join(' ')
    )
    return words.every((w) => hay.includes(w))
  })
}
