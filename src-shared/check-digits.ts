/** Pure check-digit functions, used by the family file (both UIs) and by billing. */
/**
 * Check digits the SEPA XSDs do not verify (see shared/reference/sepa/NOTES):
 * IBAN (ISO 13616, MOD 97 = 1, country length) and the creditor identifier
 * (ICS, ISO 7064 MOD 97-10 on national id + country + "00", business code ignored).
 */

/** IBAN lengths of the SEPA countries (EPC409 register). */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GB: 22, GI: 23,
  GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PL: 28,
  PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, VA: 22
}

/** Letters → numbers (A=10 … Z=35), digits kept. */
function toDigits(s: string): string {
  let out = ''
  for (const ch of s) {
    const c = ch.charCodeAt(0)
    if (c >= 48 && c <= 57) out += ch
    else if (c >= 65 && c <= 90) out += String(c - 55)
    else throw new Error(`unexpected character ${ch}`)
  }
  return out
}

/** Remainder of a long decimal string modulo 97, piecewise so no precision is lost. */
export function mod97(digits: string): number {
  let r = 0
  for (let i = 0; i < digits.length; i += 7) r = Number(String(r) + digits.slice(i, i + 7)) % 97
  return r
}

/** Upper case, no spaces or dashes: "fr76 3000 6000 …" → "FR763000600…". */
export function normalizeIban(s: string): string {
  return s.replace(/[\s-]/g, '').toUpperCase()
}

export function isValidIban(raw: string): boolean {
  const iban = normalizeIban(raw)
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false
  const len = IBAN_LENGTHS[iban.slice(0, 2)]
  if (len === undefined || iban.length !== len) return false
  return mod97(toDigits(iban.slice(4) + iban.slice(0, 4))) === 1
}

/** French message for a bad IBAN, or null when valid. */
export function ibanProblem(raw: string): string | null {
  const iban = normalizeIban(raw)
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return 'IBAN invalide : il commence par 2 lettres (pays) et 2 chiffres de contrôle.'
  const len = IBAN_LENGTHS[iban.slice(0, 2)]
  if (len === undefined) return `IBAN invalide : le pays ${iban.slice(0, 2)} n'est pas dans la zone SEPA.`
  if (iban.length !== len) return `IBAN invalide : un IBAN ${iban.slice(0, 2)} compte ${len} caractères (ici ${iban.length}).`
  if (!isValidIban(iban)) return 'IBAN invalide : la clé de contrôle ne correspond pas (vérifiez chaque caractère).'
  return null
}

/** "FR7630006000011234567890189" → "FR76 3000 6000 0112 3456 7890 189". */
export function formatIban(raw: string): string {
  return normalizeIban(raw).replace(/(.{4})(?=.)/g, '$1 ')
}

/** Shows only the last 4 characters, for screens that need not reveal the account. */
export function maskIban(raw: string): string {
  const iban = normalizeIban(raw)
  return iban.length <= 4 ? iban : `${iban.slice(0, 4)} **** **** ${iban.slice(-4)}`
}

/** BIC (ISO 9362): 8 or 11 characters. */
export function isValidBic(raw: string): boolean {
  return /^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/.test(raw.replace(/\s/g, '').toUpperCase())
}

/** Check digits of a creditor identifier: 98 − (national id + country + "00") mod 97. */
export function icsCheckDigits(country: string, nationalId: string): string {
  const r = mod97(toDigits(nationalId.toUpperCase() + country.toUpperCase() + '00'))
  return String(98 - r).padStart(2, '0')
}

/**
 * Creditor identifier (ICS / AT-02): CC + 2 check digits + 3-character
 * business code (ignored by the check) + national id. French ones are 13
 * characters long.
 */
export function isValidIcs(raw: string): boolean {
  const ics = raw.replace(/\s/g, '').toUpperCase()
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$/.test(ics) || ics.length > 35) return false
  if (ics.startsWith('FR') && ics.length !== 13) return false
  return icsCheckDigits(ics.slice(0, 2), ics.slice(7)) === ics.slice(2, 4)
}

/** An IBAN from a country code and a BBAN, with its check digits computed (demo data, tests). */
export function makeIban(country: string, bban: string): string {
  const r = mod97(toDigits(bban.toUpperCase() + country.toUpperCase() + '00'))
  return `${country.toUpperCase()}${String(98 - r).padStart(2, '0')}${bban.toUpperCase()}`
}
