/**
 * The size of the invoicing run's staging chunks (#19) follows the hold of
 * the last chunk's write transaction toward STAGE_TARGET_MS, so that no
 * chunk holds the write lock near 200 ms on a slow or busy machine, and a
 * fast one does not pay a commit per 50 families.
 */
import { describe, expect, test } from 'vitest'
import { STAGE_MAX_FAMILIES, STAGE_MIN_FAMILIES, STAGE_TARGET_MS, nextChunkSize } from '../../src-main/billing/invoicing/chunk-size'

describe('staging chunk size', () => {
  test('a chunk that held the lock too long makes the next smaller; a quick one, larger; halfway each time', () => {
    expect(nextChunkSize(100, 100, 4 * STAGE_TARGET_MS)).toBe(63) // (100 + 25) / 2
    expect(nextChunkSize(80, 80, (STAGE_TARGET_MS * 4) / 5)).toBe(90) // (80 + 100) / 2
    expect(nextChunkSize(100, 100, STAGE_TARGET_MS)).toBe(100)
  })

  test('bounded: at least 10 families (a commit each), at most 150 (a chunk in flight is bounded whatever the city)', () => {
    expect(STAGE_MIN_FAMILIES).toBe(10)
    expect(STAGE_MAX_FAMILIES).toBe(150)
    expect(nextChunkSize(10, 10, 5000)).toBe(10)
    expect(nextChunkSize(150, 150, 1)).toBe(150)
    expect(nextChunkSize(140, 140, 0)).toBe(150)
  })

  test('the last, partial chunk of a run says nothing about the size', () => {
    expect(nextChunkSize(100, 7, 1)).toBe(100)
  })
})
