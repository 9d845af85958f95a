/** Entities of issue #3, registered in entities.ts. */
export const familyFileEntities: Function[] = []
