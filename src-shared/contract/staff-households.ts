import { z } from '../zod-fr'
import { id, nonEmpty, ok } from './common'
import { proc, type ProcedureMap } from './procedure'
import { DIRECTION } from './staff-foundation'
import { coparentCandidate } from './households-shapes'

/** Staff procedures of issue 16 (households): « je suis l'autre parent » requests, decided by the direction only. */
export const householdsStaffProcedures = {
  /** The children matching a request (names and birth date): one to pick when several match. */
  'coparent-request-candidates': proc({ input: z.object({ requestId: id }), output: z.array(coparentCandidate), roles: DIRECTION, query: true }),
  'coparent-request-accept': proc({ input: z.object({ requestId: id, childId: id }), output: ok, roles: DIRECTION }),
  'coparent-request-refuse': proc({ input: z.object({ requestId: id, reason: nonEmpty('Motif du refus', 1000) }), output: ok, roles: DIRECTION })
} satisfies ProcedureMap
