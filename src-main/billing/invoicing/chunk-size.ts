/** How many families a staging chunk of the invoicing run writes in one transaction (staging.ts, #19). */

/** The write-lock hold a staging chunk aims at: far enough under the 200 ms bound for an fsync and a busy machine. */
export const STAGE_TARGET_MS = 60

/**
 * The next chunk's size from the last one's hold: scaled toward STAGE_TARGET_MS, halfway (one slow commit on a
 * shared machine must not halve the chunks at once), between 10 and 400 families.
 */
export function nextChunkSize(size: number, families: number, heldMs: number): number {
  if (families < size) return size
  const aimed = (size * STAGE_TARGET_MS) / Math.max(1, heldMs)
  return Math.max(10, Math.min(400, Math.round((size + aimed) / 2)))
}
