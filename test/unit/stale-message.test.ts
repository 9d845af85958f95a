import { describe, expect, test } from 'vitest'
import { staleMessage } from '../../src-main/db/versions'

const now = new Date('2026-09-09T07:00:00.000Z')

describe('the 409 of a stale save', () => {
  test('names who changed the record and when, in Paris time, agreeing with the kind of record', () => {
    expect(staleMessage('person', 'Claire Directrice', '2026-09-09T06:32:00.000Z', now)).toBe('Ce dossier a été modifié par Claire Directrice à 08:32 depuis que vous l’avez ouvert.')
    expect(staleMessage('regie', 'Claire Directrice', '2026-09-09T06:32:00.000Z', now)).toBe('Cette régie a été modifiée par Claire Directrice à 08:32 depuis que vous l’avez ouverte.')
    expect(staleMessage('booking_rule', 'Sophie Accueil', '2026-09-09T06:32:00.000Z', now)).toBe(
      'Ces règles de réservation ont été modifiées par Sophie Accueil à 08:32 depuis que vous les avez ouvertes.'
    )
    expect(staleMessage('setting', 'Sophie Accueil', '2026-09-09T06:32:00.000Z', now)).toBe('Ces réglages ont été modifiés par Sophie Accueil à 08:32 depuis que vous les avez ouverts.')
  })

  test('a change made another day is dated; winter time is UTC+1', () => {
    expect(staleMessage('tariff', 'Claire Directrice', '2026-09-08T06:15:00.000Z', now)).toBe('Ce tarif a été modifié par Claire Directrice le 08/09/2026 à 08:15 depuis que vous l’avez ouvert.')
    expect(staleMessage('tariff', 'Claire Directrice', '2026-12-01T13:32:00.000Z', new Date('2026-12-01T15:00:00.000Z'))).toBe(
      'Ce tarif a été modifié par Claire Directrice à 14:32 depuis que vous l’avez ouvert.'
    )
  })

  test('a deleted record says so', () => {
    expect(staleMessage('activity', '', null, now, true)).toBe('Cette activité a été supprimée depuis que vous l’avez ouverte.')
  })
})
