import { describe, expect, test } from 'vitest'
import { healthValues, personStaffValues } from '@shared/contract/family-file-shapes'
import { withoutInvisible } from '@shared/validators'
import { checkFields, cleanText, parseBirthDate, parseDay } from '../../src-main/imports/values'

/** The general cleaning, without the fast path cleanText takes for plain cells. */
const slowClean = (s: string) =>
  withoutInvisible(s.replace(/[\r\n\t]+/g, ' '))
    .replace(/ {2,}/g, ' ')
    .trim()

describe('parseDay: the days French files write', () => {
  test.each([
    ['31/12/2015', '2015-12-31'],
    ['1/2/2020', '2020-02-01'],
    ['31.12.15', '2015-12-31'],
    ['31-12-2015', '2015-12-31'],
    ['2015-12-31', '2015-12-31'],
    ['2015/12/31', '2015-12-31'],
    ['29/02/2016', '2016-02-29'],
    ['05/03/1930 00:00:00', '1930-03-05'],
    ['2019-09-02 08:30', '2019-09-02'],
    ['01/01/50', '1950-01-01'],
    ['01/01/12', '2012-01-01']
  ])('%s → %s', (raw, iso) => {
    expect(parseDay(raw, 'Date', '2026-12-03')).toEqual({ ok: true, value: iso })
  })

  test('two-digit years take their century from the app’s clock, not the machine’s', () => {
    // A quotient valid until « 31/12/27 » is in 2027, not 1927; a birth date is never in the future.
    expect(parseDay('31/12/27', 'QF', '2026-12-03')).toEqual({ ok: true, value: '2027-12-31' })
    expect(parseBirthDate('01/01/27', 'Naissance', '2026-12-03')).toEqual({ ok: true, value: '1927-01-01' })
    expect(parseBirthDate('01/01/27', 'Naissance', '2027-06-30')).toEqual({ ok: true, value: '2027-01-01' })
    expect(parseBirthDate('05/03/30', 'Naissance', '2031-09-01')).toEqual({ ok: true, value: '2030-03-05' })
  })

  test.each(['31/02/2015', '29/02/2015', '12/31/2015', '00/01/2015', '31/04/2020', '2015-02-30', '01/01/1850'])('%s does not exist: refused, never rolled over', (raw) => {
    const r = parseDay(raw, 'Date de naissance')
    expect(r.ok).toBe(false)
    expect(!r.ok && r.message).toBe(`Date de naissance : « ${raw} » n’est pas une date qui existe (jour ou mois impossible).`)
  })

  test.each(['demain', '2015', '31/12', '1/2/123', '12 mars 2015'])('%s is not a date', (raw) => {
    const r = parseDay(raw, 'Date')
    expect(!r.ok && r.message).toContain('n’est pas une date (format attendu JJ/MM/AAAA)')
  })
})

describe('cleanText: the fast path for plain cells cleans exactly as the general one', () => {
  test('fixed cases', () => {
    for (const s of ['Dupont', '  Dupont  ', 'Jean  Pierre', 'a\tb', 'x\u200by', '\ufeffNom', 'ligne\r\nsuite', 'Zoé\u00a0Martin', 'a\u202eb', ' ']) expect(cleanText(s)).toBe(slowClean(s))
  })

  test('random texts built from plain letters, spaces and every kind of character the general path removes', () => {
    const alphabet = ['a', 'é', 'Z', '-', "'", ' ', ' ', '\u00a0', '\t', '\n', '\r', '\u0000', '\u001f', '\u007f', '\u0085', '\u200b', '\u200e', '\u202a', '\u2066', '\ufeff', '\u2028']
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    for (let i = 0; i < 5000; i++) {
      const s = Array.from({ length: next() % 12 }, () => alphabet[next() % alphabet.length]).join('')
      expect(cleanText(s), JSON.stringify(s)).toBe(slowClean(s))
    }
  })
})

describe('checkFields', () => {
  test('empty cells take the schema’s defaults; a required field left empty is still refused', () => {
    const { value, problems } = checkFields(personStaffValues, { lastName: 'Durand', firstName: '', email: '', phoneMobile: null, birthDate: undefined })
    expect(problems.map((p) => p.field)).toEqual(['firstName'])
    expect(value).toMatchObject({ lastName: 'Durand', email: '', phoneMobile: '', birthDate: null, civility: '', consentEmail: true, consentSms: false })
  })

  test('the value holds every field, as the schema itself would give it', () => {
    const raw = { allergies: true, allergyNotes: 'Arachide', doctorName: 'Dr Roux' }
    expect(checkFields(healthValues, raw).value).toEqual(healthValues.parse(raw))
  })

  test('each value owns its lists (defaults are not shared between rows)', () => {
    const a = checkFields(healthValues, {}).value
    const b = checkFields(healthValues, {}).value
    a.vaccines.push({ name: 'DTP', date: '2020-01-01' })
    expect(b.vaccines).toEqual([])
    expect(checkFields(healthValues, {}).value.vaccines).toEqual([])
  })
})
