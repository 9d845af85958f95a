import { BILLING_ENTITY_LIST } from '../billing/entities'

/** Entities of issue #6, registered in entities.ts. */
export const billingEntities: Function[] = [...BILLING_ENTITY_LIST]
