import { BILLING_ENTITY_LIST } from '../billing/entities'
import { PES_ENTITY_LIST } from '../billing/pes/entities'

/** Entities of issues #6 and #13 (PES V2), registered in entities.ts. */
export const billingEntities: Function[] = [...BILLING_ENTITY_LIST, ...PES_ENTITY_LIST]
