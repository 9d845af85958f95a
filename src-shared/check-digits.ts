/** Pure check-digit functions, used by the family file (both UIs) and by billing. */
/**
 * IBAN and BIC are checked by ibantools (a maintained library that knows each
 * country's length, BBAN format and national check key — the French RIB key
 * among them). The creditor identifier (ICS), which no library here covers,
 * is checked by hand (ISO 7064 MOD 97-10 on national id + country + "00",
 * business code ignored; see shared/reference/sepa/NOTES).
 */
import { ValidationErrorsIBAN, composeIBAN, extractIBAN, getCountrySpecifications, isSEPACountry, isValidBBAN, isValidBIC, validateIBAN } from 'ibantools'

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
function mod97(digits: string): number {
  let r = 0
  for (let i = 0; i < digits.length; i += 7) r = Number(String(r) + digits.slice(i, i + 7)) % 97
  return r
}

/** Upper case, no spaces or dashes: "fr76 3000 6000 …" → "FR763000600…". */
export function normalizeIban(s: string): string {
  return s.replace(/[\s-]/g, '').toUpperCase()
}

/** A valid IBAN of a SEPA country: length, BBAN format, IBAN key and national key (RIB key in France). */
export function isValidIban(raw: string): boolean {
  const iban = normalizeIban(raw)
  return isSEPACountry(iban.slice(0, 2)) && validateIBAN(iban).valid
}

/** French message for a bad IBAN, or null when valid. */
export function ibanProblem(raw: string): string | null {
  const iban = normalizeIban(raw)
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return 'IBAN invalide : il commence par 2 lettres (pays) et 2 chiffres de contrôle.'
  const country = iban.slice(0, 2)
  const spec = getCountrySpecifications()[country]
  if (!spec?.chars || !isSEPACountry(country)) return `IBAN invalide : le pays ${country} n'est pas dans la zone SEPA.`
  if (iban.length !== spec.chars) return `IBAN invalide : un IBAN ${country} compte ${spec.chars} caractères (ici ${iban.length}).`
  const errors = validateIBAN(iban).errorCodes
  if (errors.includes(ValidationErrorsIBAN.WrongBBANFormat)) return `IBAN invalide : le numéro de compte n'a pas le format d'un compte ${country} (lettres ou chiffres mal placés).`
  if (errors.includes(ValidationErrorsIBAN.WrongIBANChecksum)) return 'IBAN invalide : la clé de contrôle ne correspond pas (vérifiez chaque caractère).'
  if (errors.includes(ValidationErrorsIBAN.WrongAccountBankBranchChecksum)) {
    return country === 'FR' || country === 'MC'
      ? 'IBAN invalide : la clé RIB (2 derniers chiffres) ne correspond pas au code banque, au guichet et au numéro de compte.'
      : 'IBAN invalide : la clé nationale du compte ne correspond pas (vérifiez chaque caractère).'
  }
  if (errors.length) return 'IBAN invalide : vérifiez chaque caractère.'
  return null
}

/** The bank an IBAN belongs to (country + national bank code), to tell an account change from a bank change. */
export function ibanBank(raw: string): string {
  const e = extractIBAN(normalizeIban(raw))
  return `${e.countryCode ?? ''}:${e.bankIdentifier ?? ''}`
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

/** BIC (ISO 9362): 8 or 11 characters, with an existing country code. */
export function isValidBic(raw: string): boolean {
  return isValidBIC(raw.replace(/\s/g, '').toUpperCase())
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

/**
 * A French IBAN for demo data and tests: bank code (5 digits), branch (5) and
 * account number (11 characters). The RIB key is the one ibantools accepts
 * (tried in turn, so the national rule lives in the library only); the IBAN
 * key is computed by ibantools too.
 */
export function frenchIban(bank: string, branch: string, account: string): string {
  const base = `${bank.padStart(5, '0')}${branch.padStart(5, '0')}${account.toUpperCase().padStart(11, '0')}`
  for (let key = 1; key <= 97; key++) {
    const bban = `${base}${String(key).padStart(2, '0')}`
    if (isValidBBAN(bban, 'FR')) return composeIBAN({ countryCode: 'FR', bban })!
  }
  throw new Error(`no RIB key for ${base}`)
}
