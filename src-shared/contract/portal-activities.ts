import type { ProcedureMap } from './procedure'

/** Portal procedures of issue #4 (activities, calendar, closures, enrolment). */
export const activitiesPortalProcedures = {} satisfies ProcedureMap
