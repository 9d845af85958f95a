import { z } from '../zod-fr'
import { id } from './common'
import { proc, type ProcedureMap } from './procedure'
import { coparentRequestInput } from './households-shapes'

/** Portal procedures of issue 16 (households). */
export const householdsPortalProcedures = {
  /** « Je suis l'autre parent »: the answer is the same whether the child exists or not (no enumeration). */
  'coparent-request': proc({ input: coparentRequestInput, output: z.object({ requestId: id, message: z.string() }), owns: { uploadId: 'upload' } })
} satisfies ProcedureMap
