/** Entities of issue #5, registered in entities.ts. */
export const bookingsEntities: Function[] = []
