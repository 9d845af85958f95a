import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { searchFamilies } from '../../src-main/families/families'
import { openTestCore, seedFamily, type SeededFamily, type TestCore } from '../helpers/core'

let core: TestCore
let dupont: SeededFamily
let lefevre: SeededFamily
let other: SeededFamily
beforeAll(async () => {
  core = await openTestCore()
  dupont = await seedFamily(core, { lastName: 'Dupont', firstName: 'Marie', email: 'marie.dupont@exemple.fr', phone: '06 12 34 56 78', account: false })
  lefevre = await seedFamily(core, { lastName: 'Lefèvre', firstName: 'Élodie', email: 'elodie.l@exemple.fr', phone: '07 98 76 54 32' })
  other = await seedFamily(core, { lastName: 'Martin', firstName: 'Paul', email: 'paul.martin@exemple.fr', phone: '06 56 12 78 34', account: false })
})
afterAll(() => core.cleanup())

const find = async (query: string, extra: Partial<{ limit: number; offset: number; status: 'active' | 'pending' }> = {}) =>
  (await searchFamilies(core, { query, limit: 50, offset: 0, ...extra })).items.map((f) => f.number)

describe('family search', () => {
  test('by name prefix, case and accents ignored, several words all required', async () => {
    expect(await find('dup')).toEqual([dupont.number])
    expect(await find('LEFEVRE')).toEqual([lefevre.number])
    expect(await find('lefèvre élodie')).toEqual([lefevre.number])
    expect(await find('martin marie')).toEqual([])
  })

  test('by N° famille, e-mail fragment, phone digits, portal login, child name', async () => {
    expect(await find(String(other.number))).toEqual([other.number])
    expect(await find('paul.mart')).toEqual([other.number])
    expect(await find('0798765432')).toEqual([lefevre.number])
    expect(await find('07.98.76')).toEqual([lefevre.number])
    expect(await find(lefevre.login.slice(0, 8))).toEqual([lefevre.number])
    expect((await find('léo')).length).toBe(3) // every seeded family has a child Léo
  })

  test('summary rows, total and paging', async () => {
    const r = await searchFamilies(core, { query: '', limit: 2, offset: 0 })
    expect(r.total).toBe(3)
    expect(r.items.map((f) => f.name)).toEqual(['DUPONT', 'LEFÈVRE'])
    expect(r.items[0]).toMatchObject({ responsable: 'DUPONT Marie', email: 'marie.dupont@exemple.fr', phone: '06 12 34 56 78', childCount: 1, status: 'active' })
    expect(await find('', { limit: 2, offset: 2 })).toEqual([other.number])
    expect(await find('', { status: 'pending' })).toEqual([])
  })

  test('LIKE wildcards typed by the user are plain characters', async () => {
    expect(await find('%')).toEqual([])
    expect(await find('_')).toEqual([])
    expect(await find('\\')).toEqual([])
  })

  // Known bug, reported to the lead (families.ts is not ours to change): the query is split on
  // spaces before digit groups are joined, so "06 12 34 56 78" matches any family whose text
  // holds "06", "12", "34"… anywhere (here the Martin family too). Remove `.fails` once fixed.
  test('a phone number typed with spaces finds only that number', async () => {
    expect(await find('06 12 34 56 78')).toEqual([dupont.number])
    expect(await find('06.12.34.56.78')).toEqual([dupont.number])
  })

  test('archived families only show when that status is asked for', async () => {
    const { Family } = await import('../../src-main/families/entities')
    await core.tx.run((m) => m.update(Family, { number: other.number }, { status: 'archived' }))
    expect(await find('martin')).toEqual([])
    expect((await searchFamilies(core, { query: 'martin', status: 'archived', limit: 50, offset: 0 })).items.map((f) => f.number)).toEqual([other.number])
    await core.tx.run((m) => m.update(Family, { number: other.number }, { status: 'active' }))
  })
})
