import type { ProcedureMap } from './procedure'

/** Portal procedures of issue #5 (reservations, absences, attendance, occupancy). */
export const bookingsPortalProcedures = {} satisfies ProcedureMap
