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
    expect(isValidSiret('21319999000002')).toBe(true)
    expect(isValidSiret('21319999000003')).toBe(false)
    expect(isValidSiret('2131055540001')).toBe(false)
    expect(isValidSiret('35600000000006')).toBe(true)
    expect(isValidSiret('35600000000007')).toBe(false)
  })
})

describe('PES_Aller writing', () => {
  const file = {
    nomFic: 'PESORMC_21319999000002_2026_0000001.xml',
    header: { siret: '21319999000002', poste: '031000', codCol: '123', codBud: '01', collectivite: 'Commune de Démoville', sender: { sigle: 'Ribambelle', adresse: 'Maison de l’Enfant' } },
    bordereau: {
      exer: 2026,
      idBord: 1,
      date: '2026-10-05',
      kind: 'ormc' as const,
      objet: 'Régie & cantine <septembre>',
      pieces: [
        {
          idPce: 1,
          objet: 'Facture AL-1 "test"',
          numDette: '202600000001',
          per: '1',
          lines: [{ idLigne: 1, label: "Cantine d'Élodie & Co", code: 'CANT', nature: '7067', cents: 1234 }],
          tiers: { ref: '1001', civilite: 'MME', nom: 'O’Brien <b>', prenom: 'Zoë', adr2: '3 rue des Écoles', cp: '31000', ville: 'Démoville' }
        }
      ]
    }
  }

  test('what the checker sees on the tree is what it sees in the written file: the serializer round-trips', async () => {
    const { pesTree, serializeXml } = await import('../../src-main/billing/pes/build')
    const { checkPesTree, checkPesXml } = await import('../../src-main/billing/pes/check')
    const { XMLParser } = await import('fast-xml-parser')
    const tree = pesTree(file)
    const xml = serializeXml('n:PES_Aller', tree)
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseAttributeValue: false, isArray: (n) => ['Bordereau', 'Piece', 'LigneDePiece', 'Tiers'].includes(n) }).parse(xml)['n:PES_Aller']
    expect(parsed).toEqual(tree)
    expect(checkPesXml(xml)).toEqual(checkPesTree(tree))
    expect(checkPesTree(tree).problems).toEqual([])
    // Texts reach the file in the EPC Latin set, names upper-cased (norme postale), never as markup.
    expect(xml).toContain('<Nom V="O&apos;BRIEN B"/>')
    expect(xml).toContain('<Prenom V="ZOE"/>')
    expect(xml).toContain('<ObjLignePce V="Cantine d&apos;Elodie et Co"/>')
    expect(xml).not.toMatch(/<b>|<septembre>/)
  })

  test('the one escaping helper', async () => {
    const { xmlAttr } = await import('../../src-main/billing/pes/build')
    expect(xmlAttr(`a&b<c>"d'e\u0001`)).toBe('a&amp;b&lt;c&gt;&quot;d&apos;e ')
    expect(xmlAttr('plain')).toBe('plain')
  })
})
