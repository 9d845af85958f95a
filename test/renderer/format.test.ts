import { describe, expect, test } from 'vitest'
import { formatBytes, formatDate, formatDateTime } from '../../src-renderer/backoffice/src/format'
import { formatSize, frDate, frDateTime } from '../../src-renderer/portal/src/family-file/upload'
import { formatFileSize, parisDate, parisDateTime, parisToday } from '@shared/format'

// Both UIs show the same size and the same Paris time for the same value, whatever the machine's zone (CI runs in UTC:
// the back-office used to print 13:07 for an instant the portal printed as 14:07).
const NBSP = '\u00a0'

describe('one formatter for both UIs', () => {
  test('sizes: octets, then Ko and Mo in base 1024, one decimal below 10, a non-breaking space', () => {
    const cases: [number, string][] = [
      [0, '0 o'],
      [45, '45 o'],
      [1023, '1023 o'],
      [1024, '1 Ko'],
      [1536, '1,5 Ko'],
      [20_000, '20 Ko'],
      [1_048_500, '1 Mo'],
      [3_355_443, '3,2 Mo'],
      [6 * 1024 * 1024, '6 Mo']
    ]
    for (const [n, text] of cases) {
      const want = text.replace(' ', NBSP)
      expect(formatFileSize(n), String(n)).toBe(want)
      expect(formatBytes(n), `back-office ${n}`).toBe(want)
      expect(formatSize(n), `portal ${n}`).toBe(want)
    }
  })

  test('instants are shown in Europe/Paris in winter and summer, in both UIs', () => {
    expect(parisDateTime('2026-03-05T13:07:00Z')).toBe('05/03/2026 à 14:07')
    expect(parisDateTime('2026-07-01T22:30:00.000Z')).toBe('02/07/2026 à 00:30')
    for (const iso of ['2026-03-05T13:07:00Z', '2026-07-01T22:30:00.000Z', '2026-10-25T00:59:00Z', '2026-10-25T01:00:00Z']) {
      expect(formatDateTime(iso), iso).toBe(parisDateTime(iso))
      expect(frDateTime(iso), iso).toBe(parisDateTime(iso))
    }
    // The night the clocks go back: 02:59 summer time, then 02:00 winter time.
    expect(parisDateTime('2026-10-25T00:59:00Z')).toBe('25/10/2026 à 02:59')
    expect(parisDateTime('2026-10-25T01:00:00Z')).toBe('25/10/2026 à 02:00')
  })

  test('a calendar day is never shifted; an instant gives its Paris day', () => {
    for (const f of [parisDate, formatDate, frDate]) {
      expect(f('2026-03-05')).toBe('05/03/2026')
      expect(f('2026-07-01T22:30:00Z')).toBe('02/07/2026')
      expect(f(null)).toBe('')
    }
    expect(parisToday(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01')
  })
})
