import { dictionary } from '@zxcvbn-ts/language-common'
import { describe, expect, test } from 'vitest'
import { DomainError } from '../../src-main/core/errors'
import { checkPasswordPolicy, hashPassword, verifyPassword } from '../../src-main/accounts/passwords'
import { passwordProblem } from '../../src-shared/password-policy'

function refusal(password: string, login?: string): DomainError | null {
  try {
    checkPasswordPolicy(password, login ? [login] : [])
    return null
  } catch (e) {
    if (e instanceof DomainError) return e
    throw e
  }
}

describe('password policy', () => {
  test('fewer than 12 characters is refused with a French message; 12 is enough; no composition rules', () => {
    const e = refusal('onze-carac!')
    expect(e?.code).toBe('weak_password')
    expect(e?.message).toBe('Le mot de passe doit contenir au moins 12 caractères.')
    expect(e?.status).toBe(400)
    expect(refusal('mardi gras 7')).toBeNull()
    expect(refusal('tout en minuscules sans chiffre')).toBeNull()
  })

  test('each of the 1,000 most common passwords is refused', () => {
    const top = dictionary['passwords-common'].slice(0, 1000)
    for (const p of top) expect(refusal(p), p).not.toBeNull()
    // None of them reaches 12 characters, so the length rule alone refuses them;
    // the list check itself works on longer ones, case-insensitively (next test).
  })

  test('common passwords of 12 characters or more are refused too (full corpus, not only the top 1,000)', () => {
    for (const p of ['qwerty123456', '1qaz2wsx3edc', '123456789012', 'QWERTY123456']) {
      const e = refusal(p)
      expect(e?.code, p).toBe('weak_password')
      expect(e?.message, p).toMatch(/trop courant/)
    }
  })

  test('a password equal to the login is refused as too common', () => {
    const e = refusal('Marie.Dupont@exemple.fr', 'marie.dupont@exemple.fr')
    expect(e?.code).toBe('weak_password')
    expect(e?.message).toMatch(/trop courant/)
  })
})

/** New passwords the integration and e2e tests choose (checked once more here, so a policy change shows them at once). */
const TYPED_IN_TESTS = [
  'nouvelle-phrase-secrete',
  'encore-une-autre-phrase',
  'ma-phrase-secrete-2026',
  'ma-nouvelle-phrase-2026',
  'phrase-toute-neuve-2026',
  'un-tout-nouveau-secret',
  'une-phrase-de-passe-longue',
  'une-longue-phrase-2026',
  'une phrase de passe assez longue',
  'une phrase de passe famille',
  'demande-en-attente-2026',
  'secret-initial-2026',
  'secret-remis-2026',
  'definitive-2026-xyz',
  'bench-password-2026'
]

describe('password strength (zxcvbn-ts, French dictionaries)', () => {
  test('azertyuiopqs is refused, and the refusal says why in French', () => {
    const e = refusal('azertyuiopqs')
    expect(e?.code).toBe('weak_password')
    expect(e?.message).toBe(
      'Ce mot de passe est trop facile à deviner. Les lignes droites de touches de votre clavier sont faciles à deviner. ' +
        'Ajoutez des mots moins courants. Utilisez des motifs de clavier plus longs et changez de sens de frappe plusieurs fois. ' +
        'Une phrase de plusieurs mots inattendus est à la fois sûre et facile à retenir.'
    )
    expect(e?.fields).toEqual({ password: e?.message })
  })

  test('French words, names and dates that pass the length rule are refused; passphrases are not', () => {
    for (const p of ['motdepasse123', 'P@ssw0rd2026!', 'azerty-azerty', 'chocolat1234', 'Marseille2026', 'bonjour123456']) {
      expect(refusal(p)?.code, p).toBe('weak_password')
    }
    for (const p of ['cerf-volant-bleu-42', 'une phrase de passe assez longue', 'tout en minuscules sans chiffre', 'Hibou mange 3 fraises']) {
      expect(refusal(p), p).toBeNull()
    }
  })

  test("the person's own login and names count as known words", () => {
    expect(passwordProblem('dupontmarie7', [])).toBeNull()
    const e = passwordProblem('dupontmarie7', ['marie.dupont@exemple.fr', 'Dupont', 'Marie'])
    expect(e?.reason).toBe('weak')
    expect(e?.message).toMatch(/ne doit pas comporter de données personnelles/)
  })

  test('a hostile 256-character password is judged on its first 40 characters', () => {
    expect(passwordProblem('1q2w3e4r'.repeat(32))?.reason).toBe('weak')
    expect(passwordProblem('cerf-volant-bleu-42 '.repeat(12))).toBeNull()
  })

  test('every password the demo, the tests and the benchmarks type passes', async () => {
    const { DEMO_FAMILY_PASSWORD, DEMO_STAFF } = await import('../../src-main/demo/seed')
    const { TEST_PASSWORD } = await import('../helpers/core')
    const used = [DEMO_FAMILY_PASSWORD, ...DEMO_STAFF.map((s) => s.password), TEST_PASSWORD, ...TYPED_IN_TESTS]
    expect(used.filter((p) => passwordProblem(p) !== null)).toEqual([])
  })
})

describe('password hashing', () => {
  test('argon2id at the OWASP parameters, salted, verifiable', async () => {
    const h1 = await hashPassword('cerf-volant-bleu-42')
    const h2 = await hashPassword('cerf-volant-bleu-42')
    expect(h1).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/)
    expect(h1).not.toBe(h2)
    expect(await verifyPassword(h1, 'cerf-volant-bleu-42')).toBe(true)
    expect(await verifyPassword(h2, 'cerf-volant-bleu-42')).toBe(true)
    expect(await verifyPassword(h1, 'cerf-volant-bleu-43')).toBe(false)
  })

  test('a damaged stored hash verifies as false instead of throwing', async () => {
    expect(await verifyPassword('', 'x')).toBe(false)
    expect(await verifyPassword('$argon2id$garbage', 'x')).toBe(false)
  })
})
