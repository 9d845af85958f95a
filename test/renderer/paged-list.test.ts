import { describe, expect, test } from 'vitest'
import { ApiError } from '../../src-renderer/backoffice/src/api'
import { usePagedList, type Page } from '../../src-renderer/backoffice/src/composables/usePagedList'

// The back-office lists' loader: out-of-order answers (a filter typed while a page loads) must never show stale rows.
function controlled() {
  const calls: { offset: number; resolve: (p: Page<number>) => void; reject: (e: unknown) => void }[] = []
  const fetch = (page: { limit: number; offset: number }) =>
    new Promise<Page<number>>((resolve, reject) => calls.push({ offset: page.offset, resolve, reject }))
  return { calls, fetch }
}

describe('usePagedList', () => {
  test('pages by limit/offset and exposes the lazy table props with the French report', async () => {
    const { calls, fetch } = controlled()
    const list = usePagedList(50, fetch, () => 'Journal')
    const p = list.load()
    expect(list.loading.value).toBe(true)
    calls[0].resolve({ items: [1, 2], total: 120 })
    await p
    expect(list.table.value).toMatchObject({ value: [1, 2], lazy: true, rows: 50, first: 0, totalRecords: 120, loading: false, tableProps: { 'aria-label': 'Journal' } })
    expect(list.table.value.currentPageReportTemplate).toBe('{first} à {last} sur {totalRecords}')
    list.onPage({ first: 50 })
    expect(calls[1].offset).toBe(50)
    calls[1].resolve({ items: [3], total: 120 })
    await Promise.resolve()
    const again = list.restart()
    expect(calls[2].offset).toBe(0)
    calls[2].resolve({ items: [1], total: 1 })
    await again
    expect(list.first.value).toBe(0)
  })

  test('an older answer arriving last is dropped, and so is its error or its extra state', async () => {
    const { calls, fetch } = controlled()
    let applied = ''
    const list = usePagedList(25, (page) => fetch(page), () => 'x')
    const older = list.load()
    const newer = list.load()
    calls[1].resolve({ items: [9], total: 1, apply: () => (applied = 'newer') })
    await newer
    calls[0].resolve({ items: [1, 2, 3], total: 3, apply: () => (applied = 'older') })
    await older
    expect(list.items.value).toEqual([9])
    expect(applied).toBe('newer')
    expect(list.loading.value).toBe(false)
    const failing = list.load()
    const latest = list.load()
    calls[3].resolve({ items: [7], total: 1 })
    await latest
    calls[2].reject(new ApiError('boom', 'Erreur ancienne', 500))
    await failing
    expect(list.error.value).toBe('')
    expect(list.items.value).toEqual([7])
  })

  test('the latest failure is shown in French and keeps the rows already on screen', async () => {
    const { calls, fetch } = controlled()
    const list = usePagedList(25, fetch, () => 'x')
    const first = list.load()
    calls[0].resolve({ items: [1], total: 1 })
    await first
    const next = list.load()
    calls[1].reject(new ApiError('unavailable', 'Le serveur ne répond pas.', 503))
    await next
    expect(list.error.value).toBe('Le serveur ne répond pas.')
    expect(list.items.value).toEqual([1])
    expect(list.loading.value).toBe(false)
  })
})
