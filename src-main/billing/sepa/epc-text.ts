/**
 * The EPC basic Latin character set of SEPA messages: a-z A-Z 0-9 / - ? : ( ) . , ' +
 * and space. Everything else is transliterated (é→e, œ→oe, &→"et") or
 * replaced by a space before export, then cut to the element's length.
 */

const EPC_ALLOWED = /^[A-Za-z0-9/\-?:().,'+ ]*$/

const SPECIAL: Record<string, string> = {
  œ: 'oe', Œ: 'OE', æ: 'ae', Æ: 'AE', ß: 'ss', ø: 'o', Ø: 'O', đ: 'd', Đ: 'D', ł: 'l', Ł: 'L',
  '’': "'", '‘': "'", '`': "'", '´': "'", '«': '', '»': '', '"': '', '“': '', '”': '', '&': ' et ',
  '–': '-', '—': '-', _: '-', '°': ' ', '€': 'EUR', '@': ' ', '#': ' ', ';': ',', '!': '.', '=': '-', '*': ' ', '<': ' ', '>': ' '
}

export function isEpcText(s: string): boolean {
  return EPC_ALLOWED.test(s)
}

/** Transliterates to the EPC set, collapses spaces, trims and cuts to `max` characters. */
export function epcText(s: string, max: number): string {
  // Most names and references are plain ASCII already: no per-character work (a file has thousands).
  if (EPC_ALLOWED.test(s)) return s.replace(/\s+/g, ' ').trim().slice(0, max).trim()
  let out = ''
  for (const ch of s.normalize('NFC')) {
    if (EPC_ALLOWED.test(ch)) {
      out += ch
      continue
    }
    if (SPECIAL[ch] !== undefined) {
      out += SPECIAL[ch]
      continue
    }
    const base = ch.normalize('NFD').replace(/\p{Diacritic}/gu, '')
    out += EPC_ALLOWED.test(base) ? base : ' '
  }
  return out.replace(/\s+/g, ' ').trim().slice(0, max).trim()
}

/**
 * An identifier (MsgId, PmtInfId, EndToEndId, RUM…): EPC characters, no
 * spaces, at most 35, no leading or trailing "/" and no "//".
 */
export function epcId(s: string, max = 35): string {
  const t = epcText(s, 200).replace(/ /g, '').replace(/\/{2,}/g, '/').replace(/^\/+|\/+$/g, '')
  return t.slice(0, max).replace(/\/+$/g, '')
}

/** Why an identifier breaks the EPC rules, or null. */
export function epcIdProblem(s: string, max = 35): string | null {
  if (s.length === 0) return 'vide'
  if (s.length > max) return `plus de ${max} caractères`
  if (!isEpcText(s) || s.includes(' ')) return 'caractères non autorisés'
  if (s.startsWith('/') || s.endsWith('/') || s.includes('//')) return '« / » en début, en fin ou doublé'
  return null
}

/**
 * The remittance information of a debit covering several invoices (one
 * RmtInf/Ustrd, 140 EPC characters): "Factures AL-6 AL-46 AL-86" then `tail`
 * (who bills) if it fits. The numbers come first; when they do not all fit,
 * the last ones are counted: "… AL-86 +3".
 */
export function remittanceText(numbers: string[], tail: string, max = 140): string {
  const head = numbers.length > 1 ? 'Factures' : 'Facture'
  const ids = numbers.map((n) => epcText(n, 35))
  const full = epcText(`${head} ${ids.join(' ')} ${tail}`, 1000)
  if (full.length <= max) return full
  const bare = `${head} ${ids.join(' ')}`
  if (bare.length <= max) return bare
  let kept = ids.length
  const text = (k: number) => `${head} ${ids.slice(0, k).join(' ')} +${ids.length - k}`
  while (kept > 1 && text(kept).length > max) kept--
  return text(kept).slice(0, max)
}
