/** Entities of issue #6, registered in entities.ts. */
export const billingEntities: Function[] = []
