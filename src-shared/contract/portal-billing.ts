import type { ProcedureMap } from './procedure'

/** Portal procedures of issue #6 (pricing, invoicing, payments, exports). */
export const billingPortalProcedures = {} satisfies ProcedureMap
