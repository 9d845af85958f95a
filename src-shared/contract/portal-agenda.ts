import { z } from '../zod-fr'
import { empty } from './common'
import { proc, type ProcedureMap } from './procedure'

/** The family's agenda feed link (« Mon compte »): the path only, the page adds the portal's own address. */
export const agendaFeedLink = z.object({
  /** e.g. /agenda/<secret>.ics; null until the family turns the feed on. */
  path: z.string().nullable(),
  /** When the current link was made (ISO instant). */
  createdAt: z.string().nullable()
})

/** The iCalendar feed of the children's reservations (issue 18), for Google, Apple or Outlook calendars. */
export const agendaPortalProcedures = {
  'agenda-feed-get': proc({ input: empty, output: agendaFeedLink, query: true }),
  /** Turns the feed on, or gives it a new secret URL: the old one stops working at once. */
  'agenda-feed-regenerate': proc({ right: 'book', input: empty, output: agendaFeedLink })
} satisfies ProcedureMap
