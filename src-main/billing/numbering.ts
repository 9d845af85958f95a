/**
 * Document numbers from a régie's format. Tokens: {CODE} the régie code,
 * {N} the sequence number, {N:5} zero-padded to 5 digits, {AAAA}/{AA} year
 * and {MM} month of the document date. "AL-{N}" → "AL-36";
 * "{AA}{MM}PS{N:5}PNB" → "2001PS00003PNB" (both as in the portal guides).
 */
export function formatNumber(format: string, v: { code: string; n: number; date: string }): string {
  const [y, m] = v.date.split('-')
  return format
    .replace(/\{CODE\}/g, v.code)
    .replace(/\{AAAA\}/g, y)
    .replace(/\{AA\}/g, y.slice(2))
    .replace(/\{MM\}/g, m)
    .replace(/\{N(?::(\d{1,2}))?\}/g, (_, w: string | undefined) => (w ? String(v.n).padStart(Number(w), '0') : String(v.n)))
}

/** French problem with a format, or null. A format must contain {N} so numbers are unique. */
export function formatProblem(format: string): string | null {
  if (!/\{N(?::\d{1,2})?\}/.test(format)) return 'Le format doit contenir {N} (le numéro dans la séquence).'
  const unknown = format.match(/\{[^}]*\}/g)?.find((t) => !/^\{(CODE|AAAA|AA|MM|N(?::\d{1,2})?)\}$/.test(t))
  if (unknown) return `Élément inconnu dans le format : ${unknown}. Utilisez {CODE}, {AAAA}, {AA}, {MM}, {N} ou {N:5}.`
  if (format.length > 40) return 'Le format est trop long (40 caractères au maximum).'
  return null
}

/**
 * A number must also stay unique when its date tokens change: a format with
 * {AA}/{MM} but a sequence that never restarts is unique anyway, which is why
 * there is one sequence per régie and document kind, never reset.
 */
export const counterName = (regieId: number, kind: 'invoice' | 'credit' | 'payment' | 'deposit' | 'sepa') => `regie:${regieId}:${kind}`
