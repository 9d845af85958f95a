import type { ProcedureMap } from './procedure'

/** Portal procedures of issue #3 (family file, requests, messaging, documents, news, RGPD). */
export const familyFilePortalProcedures = {} satisfies ProcedureMap
