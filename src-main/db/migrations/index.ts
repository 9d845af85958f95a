import { Foundation0000000000001 } from './0001-foundation'

/**
 * Numbered migrations, applied in this order. The number at the end of each
 * class name is its position (TypeORM sorts by it); a unit test checks the
 * list is consecutive so two branches cannot both add "0005".
 */
export const migrations = [
  Foundation0000000000001
  // 0002 family file, messaging, documents, news (#3)
  // 0003 activities, calendar, enrolment (#4)
  // 0004 bookings, attendance (#5)
  // 0005 billing (#6)
]
