import { describe, expect, it } from 'vitest'
import { ValidationErrorsIBAN, validateIBAN } from 'ibantools'
import { formatIban, frenchIban, ibanBank, ibanProblem, icsCheckDigits, isValidBic, isValidIban, isValidIcs, maskIban } from '../../src-shared/check-digits'
import { epcId, epcIdProblem, epcText, isEpcText } from '../../src-main/billing/sepa/epc-text'

describe('IBAN (MOD 97)', () => {
  it('accepts the reference French IBANs, with or without spaces', () => {
    expect(isValidIban('FR7630006000011234567890189')).toBe(true)
    expect(isValidIban('FR1420041010050500013M02606')).toBe(true)
    expect(isValidIban('fr76 3000 6000 0112 3456 7890 189')).toBe(true)
    expect(isValidIban('DE89370400440532013000')).toBe(true)
  })
  it('refuses a wrong check digit, a wrong length and a non-SEPA country', () => {
    expect(isValidIban('FR7630006000011234567890188')).toBe(false)
    expect(isValidIban('FR763000600001123456789018')).toBe(false)
    expect(isValidIban('US7630006000011234567890189')).toBe(false)
    expect(ibanProblem('FR7630006000011234567890188')).toMatch(/clé de contrôle/)
    expect(ibanProblem('FR763000600001123456789018')).toMatch(/27 caractères/)
    expect(ibanProblem('FR7630006000011234567890189')).toBeNull()
  })
  it('refuses a French IBAN whose RIB key is wrong even when its MOD 97 key is right', () => {
    // What the demo used to generate for family 1006: IBAN key computed over a BBAN ending in "06", not its RIB key.
    const wrongRibKey = 'FR8830006100060000000100606'
    expect(validateIBAN(wrongRibKey).errorCodes).toEqual([ValidationErrorsIBAN.WrongAccountBankBranchChecksum])
    expect(isValidIban(wrongRibKey)).toBe(false)
    expect(ibanProblem(wrongRibKey)).toMatch(/clé RIB/)
  })
  it('builds French IBANs whose RIB and IBAN keys both hold', () => {
    const iban = frenchIban('30006', '10006', '1006')
    expect(iban).toMatch(/^FR\d{2}3000610006000000010\d{4}$/)
    expect(isValidIban(iban)).toBe(true)
    expect(ibanProblem(iban)).toBeNull()
  })
  it('tells a change of bank from a change of account in the same bank', () => {
    expect(ibanBank('FR7630006000011234567890189')).toBe(ibanBank(frenchIban('30006', '00002', 'ABC')))
    expect(ibanBank('FR7630006000011234567890189')).not.toBe(ibanBank('FR1420041010050500013M02606'))
  })
  it('formats and masks', () => {
    expect(formatIban('FR7630006000011234567890189')).toBe('FR76 3000 6000 0112 3456 7890 189')
    expect(maskIban('FR7630006000011234567890189')).toBe('FR76 **** **** 0189')
  })
  it('checks BIC shapes', () => {
    expect(isValidBic('AGRIFRPPXXX')).toBe(true)
    expect(isValidBic('AGRIFRPP')).toBe(true)
    expect(isValidBic('AGRIFRP')).toBe(false)
  })
})

describe('creditor identifier (ICS, MOD 97-10)', () => {
  it('accepts the reference values of the notes', () => {
    expect(isValidIcs('FR72ZZZ123456')).toBe(true)
    expect(isValidIcs('DE98ZZZ09999999999')).toBe(true)
    expect(isValidIcs('NL51ZZZ405365330000')).toBe(true)
  })
  it('refuses bad check digits and a French id that is not 13 characters', () => {
    expect(isValidIcs('FR00ZZZ123456')).toBe(false)
    expect(isValidIcs('FR72ZZZ1234567')).toBe(false)
  })
  it('ignores the business code (positions 5-7)', () => {
    expect(isValidIcs('FR72ABC123456')).toBe(true)
    expect(icsCheckDigits('FR', '123456')).toBe('72')
  })
})

describe('EPC character set', () => {
  it('transliterates accents, ligatures and the ampersand', () => {
    expect(epcText('DUPONT Hélène & Zoë', 70)).toBe('DUPONT Helene et Zoe')
    expect(epcText('Cœur de l’Œuvre — Ça', 70)).toBe("Coeur de l'OEuvre - Ca")
    expect(isEpcText(epcText('«Garçon» <b>"x"</b> ½ 100 € #3', 70))).toBe(true)
  })
  it('cuts to the element length', () => {
    expect(epcText('a'.repeat(200), 140)).toHaveLength(140)
  })
  it('makes identifiers without spaces or edge slashes', () => {
    expect(epcId(' /RUM 42//x/ ')).toBe('RUM42/x')
    expect(epcIdProblem('RUM 42')).not.toBeNull()
    expect(epcIdProblem('/RUM42')).not.toBeNull()
    expect(epcIdProblem('A'.repeat(36))).not.toBeNull()
    expect(epcIdProblem('AL-36')).toBeNull()
  })
})
