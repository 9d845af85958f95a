/** How many families a staging chunk of the invoicing run writes in one transaction (staging.ts, #19). */

/**
 * The write-lock hold a staging chunk aims at: far enough under the 200 ms bound for an fsync and a busy machine,
 * and short enough that a portal « Terminer » arriving during it waits little (60 ms left the portal's p95 at 310 ms
 * during a 20,000-family run on a quiet machine).
 */
export const STAGE_TARGET_MS = 40

/**
 * At most this many families per chunk: a chunk's draft is priced in the computation thread and copied to the main
 * thread whole, so its size bounds both the memory of a chunk in flight (two at a time) and the event-loop turn that
 * receives it, whatever the size of the city. 400 let one turn take a 221-family draft at 20,000 families.
 */
export const STAGE_MAX_FAMILIES = 150
export const STAGE_MIN_FAMILIES = 10

/**
 * The next chunk's size from the last one's hold: scaled toward STAGE_TARGET_MS, halfway (one slow commit on a
 * shared machine must not halve the chunks at once), between STAGE_MIN_FAMILIES and STAGE_MAX_FAMILIES.
 */
export function nextChunkSize(size: number, families: number, heldMs: number): number {
  if (families < size) return size
  const aimed = (size * STAGE_TARGET_MS) / Math.max(1, heldMs)
  return Math.max(STAGE_MIN_FAMILIES, Math.min(STAGE_MAX_FAMILIES, Math.round((size + aimed) / 2)))
}
