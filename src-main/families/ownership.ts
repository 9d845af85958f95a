import type { EntityManager } from 'typeorm'
import { FamilyDocument, StoredFile } from '../documents/entities'
import { MessageThread } from '../messaging/entities'

/** Owners of the entities portal inputs of #3 point at (spread into rpc/ownership.ts). */
export const familyFileOwnership: Record<string, (m: EntityManager, id: number) => Promise<number | null>> = {
  thread: async (m, id) => (await m.findOneBy(MessageThread, { id }))?.familyId ?? null,
  document: async (m, id) => (await m.findOneBy(FamilyDocument, { id }))?.familyId ?? null,
  /** A staged upload belongs to the family that uploaded it. */
  upload: async (m, id) => (await m.findOneBy(StoredFile, { id }))?.ownerFamilyId ?? null
}
