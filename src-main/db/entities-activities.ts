/** Entities of issue #4, registered in entities.ts. */
export const activitiesEntities: Function[] = []
