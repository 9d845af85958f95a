import { describe, expect, test } from 'vitest'
import { commitHeading, daysAndSlots } from '@shared/bookings/wording'

describe('booking wording', () => {
  test('days are counted as days: two days with a morning and a midday are « 2 jours, 4 créneaux », not « 4 jours »', () => {
    const d = (day: string) => ({ day })
    expect(daysAndSlots([d('2027-01-04'), d('2027-01-04'), d('2027-01-05'), d('2027-01-05')])).toBe('2 jours, 4 créneaux')
    expect(daysAndSlots([d('2027-01-04'), d('2027-01-05')])).toBe('2 jours')
    expect(daysAndSlots([d('2027-01-04')])).toBe('1 jour')
    expect(daysAndSlots([d('2027-01-04'), d('2027-01-04')])).toBe('1 jour, 2 créneaux')
  })

  test('the heading after « Terminer » says what was done', () => {
    const r = (status = 'pending') => ({ kind: 'reservation' as const, status })
    const c = (status = 'pending') => ({ kind: 'cancellation' as const, status })
    expect(commitHeading([r(), r('accepted')])).toBe('Votre réservation est terminée')
    expect(commitHeading([c()])).toBe('Votre demande d’annulation est enregistrée')
    expect(commitHeading([c(), c('accepted')])).toBe('Vos demandes d’annulation sont enregistrées')
    expect(commitHeading([c('accepted')])).toBe('Votre annulation est enregistrée')
    expect(commitHeading([c('excused'), c('accepted')])).toBe('Vos annulations sont enregistrées')
    expect(commitHeading([r(), c()])).toBe('Vos modifications sont enregistrées')
    expect(commitHeading([r('withdrawn')])).toBe('Vos modifications sont enregistrées')
  })
})
