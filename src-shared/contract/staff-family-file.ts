import type { ProcedureMap } from './procedure'

/** Staff procedures of issue #3 (family file, requests, messaging, documents, news, RGPD). */
export const familyFileStaffProcedures = {} satisfies ProcedureMap
