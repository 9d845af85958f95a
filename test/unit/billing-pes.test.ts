import { describe, expect, test } from 'vitest'
import { titreLines } from '../../src-main/billing/pes/titres'
import { isValidSiret } from '../../src-main/billing/pes/settings'

const product = (l: { activityId: number | null }) => (l.activityId === 1 ? { code: 'CANT', nature: '7067' } : l.activityId === 2 ? { code: 'PERI', nature: '7066' } : { code: 'DIV', nature: '7088' })
const line = (activityId: number | null, activityName: string, amountCents: number) => ({ activityId, tariffId: null, activityName, amountCents })

describe('titre lines (sous-articles)', () => {
  test('group by product, take credits and what was paid at the régie off the largest groups, keep every line > 0', () => {
    const lines = titreLines([line(1, 'Restauration', 3500), line(2, 'ALAE', 1200), line(1, 'Restauration', 700), line(null, '', -500)], product, 1000, 'septembre 2026')
    expect(lines).toEqual([
      { idLigne: 1, label: 'Restauration - septembre 2026', code: 'CANT', nature: '7067', cents: 2700 },
      { idLigne: 2, label: 'ALAE - septembre 2026', code: 'PERI', nature: '7066', cents: 1200 }
    ])
    expect(lines.reduce((s, l) => s + l.cents, 0)).toBe(3500 + 1200 + 700 - 500 - 1000)
  })

  test('a group emptied by the deduction disappears; a fully paid invoice has no line', () => {
    expect(titreLines([line(1, 'Restauration', 3000), line(2, 'ALAE', 500)], product, 3000, 'x').map((l) => [l.idLigne, l.code, l.cents])).toEqual([[1, 'PERI', 500]])
    expect(titreLines([line(1, 'Restauration', 3000)], product, 3000, 'x')).toEqual([])
  })
})

describe('SIRET', () => {
  test('14 digits with the Luhn key; La Poste’s own rule', () => {
    expect(isValidSiret('21310555400017')).toBe(true)
    expect(isValidSiret('21310555400018')).toBe(false)
    expect(isValidSiret('2131055540001')).toBe(false)
    expect(isValidSiret('35600000000006')).toBe(true)
    expect(isValidSiret('35600000000007')).toBe(false)
  })
})
