import type { ProcedureMap } from './procedure'

/** Staff procedures of issue #5 (reservations, absences, attendance, occupancy). */
export const bookingsStaffProcedures = {} satisfies ProcedureMap
