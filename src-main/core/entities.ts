import { accountsEntities } from '../accounts/entities'
import { agendaEntities } from '../agenda/entities'
import { activitiesEntities } from '../activities/entities'
import { auditEntities } from '../audit/entities'
import { BILLING_ENTITY_LIST } from '../billing/entities'
import { PES_ENTITY_LIST } from '../billing/pes/entities'
import { bookingChangeEntities } from '../bookings/change-entities'
import { bookingsEntities } from '../bookings/entities'
import { calendarEntities } from '../calendar/entities'
import { documentsEntities } from '../documents/entities'
import { familiesEntities } from '../families/entities'
import { familyFileEntities } from '../families/file-entities'
import { importsEntities } from '../imports/entities'
import { mailEntities } from '../mail/entities'
import { messagingEntities } from '../messaging/entities'
import { newsEntities } from '../news/entities'
import { requestsEntities } from '../requests/entities'
import { settingsEntities } from '../settings/entities'

/**
 * Every capability's entities, gathered here as the handler maps are in
 * rpc/staff-handlers.ts: each capability lists its own classes next to them,
 * and the storage layer (db/data-source.ts) receives this list instead of
 * importing the features. Explicit, nothing discovered by glob, so the
 * bundle holds exactly these.
 */
export const entities: Function[] = [
  ...settingsEntities,
  ...accountsEntities,
  ...familiesEntities,
  ...requestsEntities,
  ...mailEntities,
  ...auditEntities,
  ...familyFileEntities,
  ...documentsEntities,
  ...messagingEntities,
  ...newsEntities,
  ...activitiesEntities,
  ...calendarEntities,
  ...bookingsEntities,
  ...bookingChangeEntities,
  ...agendaEntities,
  ...BILLING_ENTITY_LIST,
  ...PES_ENTITY_LIST,
  ...importsEntities
]
