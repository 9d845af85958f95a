import type { ProcedureMap } from './procedure'

/** Staff procedures of issue #6 (pricing, invoicing, payments, exports). */
export const billingStaffProcedures = {} satisfies ProcedureMap
