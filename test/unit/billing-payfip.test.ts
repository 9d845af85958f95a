import { describe, expect, test } from 'vitest'
import { payfipObjet, payfipOutcome, payfipRequestProblems, readSoap, soapEnvelope, soapFault, soapResponse, NS_SERVICE } from '../../src-main/billing/payments/payfip'

const request = { numcli: '123456', exer: '2026', refdet: '202600000012', objet: 'Facture AL 12', montant: 2340, mel: 'famille@exemple.fr', saisie: 'T' as const, urlnotif: 'https://portail.exemple.fr/api/paiement/payfip', urlredirect: 'https://portail.exemple.fr/factures/paiement?commande=RB1' }

describe('PayFiP protocol', () => {
  test('request parameters as PayFiP takes them', () => {
    expect(payfipRequestProblems(request)).toEqual([])
    expect(payfipRequestProblems({ ...request, numcli: '12345', refdet: 'A-1', montant: 99, mel: 'x@y', saisie: 'M' as never, urlnotif: 'ftp://x' })).toEqual([
      'numéro client (numcli) : 6 chiffres',
      'référence de la dette (refdet) : 6 à 30 lettres ou chiffres',
      'montant : de 1,00 € à 99 999,99 €, en centimes',
      'adresse e-mail (mel) : 6 à 80 caractères',
      'saisie : T, X ou W',
      'urlnotif : adresse http(s)'
    ])
    expect(payfipObjet('Facture AL-12 « Régie enfance » & cantine : été 2026')).toBe('Facture AL 12 Regie enfance et cantine ete 2026')
  })

  test('envelopes round-trip with the values escaped; faults give PayFiP’s code', () => {
    const xml = soapEnvelope('creerPaiementSecurise', { ...request, montant: String(request.montant), objet: 'a<b>&"c' })
    expect(xml).toContain(`xmlns:pai="${NS_SERVICE}"`)
    expect(xml).not.toContain('<b>')
    expect(readSoap(xml)).toEqual({ operation: 'creerPaiementSecurise', fields: { ...request, montant: '2340', objet: 'a<b>&"c' } })
    expect(readSoap(soapResponse('creerPaiementSecurise', { idOp: 'abc' }))).toEqual({ operation: 'creerPaiementSecuriseResponse', fields: { idOp: 'abc' } })
    expect(readSoap(soapFault('P5', 'Paiement non finalisé'))).toEqual({ fault: { code: 'P5', message: 'Paiement non finalisé' } })
    expect(readSoap('pas du xml')).toMatchObject({ fault: { code: 'soap' } })
  })

  test('resultrans', () => {
    expect(['P', 'V', 'R', 'Z', 'A', '?'].map((r) => payfipOutcome(r).outcome)).toEqual(['paid', 'paid', 'refused', 'refused', 'abandoned', 'unknown'])
  })
})
