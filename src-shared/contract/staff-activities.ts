import type { ProcedureMap } from './procedure'

/** Staff procedures of issue #4 (activities, calendar, closures, enrolment). */
export const activitiesStaffProcedures = {} satisfies ProcedureMap
