// Named imports: the bundled main process is CommonJS, where this package's default export is not the module.
import { ICalCalendar, ICalEventStatus } from 'ical-generator'
import dayjs from 'dayjs'
import utc from 'dayjs/plugin/utc'
import timezone from 'dayjs/plugin/timezone'
import { getVtimezoneComponent } from '@touch4it/ical-timezones'
import { addMonths, format, parseISO } from 'date-fns'
import { EXPECTED_STATES, type BookingState } from '@shared/bookings/state-machine'
import type { Core } from '../core/app-core'
import { PARIS, parisDay } from '../core/clock'
import { sha256 } from '../accounts/tokens'
import { installationSecret } from '../core/installation-secret'

/** The feed covers this window around today, so it stays small whatever the family's history. */
export const FEED_MONTHS_BEFORE = 1
export const FEED_MONTHS_AFTER = 12

/**
 * States shown: the days the child is expected (booked, cancellation asked but not yet decided, present or
 * marked absent), and the pending requests as TENTATIVE so the family sees them before the structure decides.
 * Refused, cancelled and excused/billed absences are left out: calendar apps then drop the event.
 */
const FEED_STATES: readonly BookingState[] = ['DR', ...EXPECTED_STATES]

const NOTES: Partial<Record<BookingState, string>> = {
  DR: 'Demande de réservation en attente de la réponse de la structure.',
  R: 'Réservation confirmée.',
  DA: 'Annulation demandée, en attente de la réponse de la structure.',
  PRESENT: 'Présence pointée.',
  ABSENT: 'Absence pointée.'
}

dayjs.extend(utc)
dayjs.extend(timezone)
/**
 * An instant for ical-generator: with the calendar's time zone set it writes every date as that zone's wall time,
 * which a plain Date gives in the process's zone (UTC on a server); a zoned dayjs gives it in Paris.
 */
const inParis = (iso: string) => dayjs(iso).tz(PARIS)

interface FeedRow {
  childId: number
  firstName: string
  unitId: number
  unitName: string
  activityName: string
  day: string
  startTime: string
  endTime: string
  state: BookingState
  updatedAt: string
}

/**
 * The family's reservations as an iCalendar file: children's first names, activities and units only
 * (never last names, addresses or health data). Times are Paris wall-clock times with a VTIMEZONE; each
 * event's UID is fixed by child × unit × day, so a calendar app updates the event rather than adding one.
 */
export async function familyCalendar(core: Core, familyId: number): Promise<string> {
  const today = parseISO(parisDay(core.clock.now()))
  const from = format(addMonths(today, -FEED_MONTHS_BEFORE), 'yyyy-MM-dd')
  const to = format(addMonths(today, FEED_MONTHS_AFTER), 'yyyy-MM-dd')
  // The household's own bookings (issue 16): a shared child's days with the other household are not in this feed.
  const { rows, structure } = await core.tx.read(async (m) => {
    const rows = (await m.query(
      `SELECT b.child_id AS childId, c.first_name AS firstName, u.id AS unitId, u.name AS unitName, a.name AS activityName,
              b.day, u.start_time AS startTime, u.end_time AS endTime, b.state, b.updated_at AS updatedAt
         FROM booking b JOIN child c ON c.id = b.child_id JOIN unit u ON u.id = b.unit_id JOIN activity a ON a.id = u.activity_id
        WHERE COALESCE(b.family_id, c.family_id) = ? AND b.day BETWEEN ? AND ? AND b.state IN (${FEED_STATES.map(() => '?').join(',')})
        ORDER BY b.day, u.start_time, c.first_name`,
      [familyId, from, to, ...FEED_STATES]
    )) as FeedRow[]
    const s = (await m.query(`SELECT name FROM structure LIMIT 1`)) as { name: string }[]
    return { rows, structure: s[0]?.name ?? '' }
  })

  const name = structure ? `Réservations — ${structure}` : 'Réservations des enfants'
  const cal = new ICalCalendar({ name, prodId: { company: 'Ribambelle', product: 'Agenda des familles', language: 'FR' }, ttl: 3600 })
  cal.timezone({ name: PARIS, generator: getVtimezoneComponent })
  // One per installation, so two structures' feeds in the same calendar app never share a UID.
  const host = `${sha256(`agenda-uid:${installationSecret(core.paths.dataDir)}`).slice(0, 16)}.ribambelle`
  for (const r of rows) {
    const pending = r.state === 'DR'
    cal.createEvent({
      id: `booking-${r.childId}-${r.unitId}-${r.day}@${host}`,
      start: `${r.day}T${r.startTime}:00`,
      end: `${r.day}T${r.endTime}:00`,
      timezone: PARIS,
      stamp: inParis(r.updatedAt),
      lastModified: inParis(r.updatedAt),
      summary: `${r.firstName} — ${r.activityName} (${r.unitName})${pending ? ' — en attente' : ''}`,
      description: NOTES[r.state] ?? '',
      status: pending ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED
    })
  }
  return cal.toString()
}
