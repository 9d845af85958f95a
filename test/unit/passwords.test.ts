import { dictionary } from '@zxcvbn-ts/language-common'
import { describe, expect, test } from 'vitest'
import { DomainError } from '../../src-main/core/errors'
import { checkPasswordPolicy, hashPassword, isCommonPassword, verifyPassword } from '../../src-main/accounts/passwords'

function refusal(password: string, login?: string): DomainError | null {
  try {
    checkPasswordPolicy(password, login)
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
    expect(refusal('douze carac.')).toBeNull()
    expect(refusal('tout en minuscules sans chiffre')).toBeNull()
  })

  test('each of the 1,000 most common passwords is refused', () => {
    const top = dictionary['passwords-common'].slice(0, 1000)
    for (const p of top) expect(refusal(p), p).not.toBeNull()
    // None of them reaches 12 characters, so today the length rule alone refuses them;
    // the list check itself still works, case-insensitively.
    expect(isCommonPassword('PassWord')).toBe(true)
    expect(isCommonPassword(top[999].toUpperCase())).toBe(true)
    expect(isCommonPassword('cerf-volant-bleu-42')).toBe(false)
  })

  test('common passwords of 12 characters or more are refused too (full corpus, not only the top 1,000)', () => {
    for (const p of ['qwerty123456', '1qaz2wsx3edc', '123456789012']) {
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
