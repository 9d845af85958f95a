/**
 * How many days a set of booking lines covers, in words. A line is one
 * child × unit × day, so two days with a morning and a midday make four lines:
 * « 2 jours, 4 créneaux », never « 4 jours ».
 */
export function daysAndSlots(lines: { day: string }[]): string {
  const days = new Set(lines.map((l) => l.day)).size
  const text = `${days} jour${days > 1 ? 's' : ''}`
  return lines.length > days ? `${text}, ${lines.length} créneaux` : text
}


/**
 * The heading after « Terminer » (003: « Votre réservation est terminée »), said
 * of what was done: a cancellation is not a reservation.
 */
export function commitHeading(lines: { kind: 'reservation' | 'cancellation' | 'absence'; status: string }[]): string {
  const many = lines.length > 1
  if (lines.length && lines.every((l) => l.kind === 'reservation' && l.status !== 'withdrawn')) return 'Votre réservation est terminée'
  if (lines.length && lines.every((l) => l.kind === 'cancellation' && l.status !== 'withdrawn')) {
    if (lines.some((l) => l.status === 'pending')) return many ? 'Vos demandes d’annulation sont enregistrées' : 'Votre demande d’annulation est enregistrée'
    return many ? 'Vos annulations sont enregistrées' : 'Votre annulation est enregistrée'
  }
  return 'Vos modifications sont enregistrées'
}
