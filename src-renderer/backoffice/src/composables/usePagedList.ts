import { computed, ref, shallowRef, type Ref } from 'vue'
import { errorMessage } from '../api'

export interface Page<T> {
  items: T[]
  total: number
  /** Runs only if this answer is still the latest one (extra state the view keeps beside the rows). */
  apply?: () => void
}

/** French paginator of every server-paged list: « 1 à 50 sur 1 234 ». */
export const PAGINATOR = {
  paginatorTemplate: 'FirstPageLink PrevPageLink PageLinks NextPageLink LastPageLink CurrentPageReport',
  currentPageReportTemplate: '{first} à {last} sur {totalRecords}'
} as const

/**
 * A list paged by the server (limit/offset), for a lazy PrimeVue DataTable:
 * `<DataTable v-bind="table" @page="onPage">`. Answers can come back out of
 * order (a filter typed while a page loads): only the latest one is shown,
 * and an error replaces neither the rows nor the spinner of a newer load.
 */
export function usePagedList<T>(
  rows: number,
  fetch: (page: { limit: number; offset: number }) => Promise<Page<T>>,
  /** The table's accessible name (on the <table> itself: DataTable puts a plain aria-label on its wrapper). */
  label: () => string
) {
  const first = ref(0)
  const items = shallowRef<T[]>([]) as Ref<T[]>
  const total = ref(0)
  const loading = ref(false)
  const error = ref('')
  let seq = 0

  async function load(): Promise<void> {
    const mine = ++seq
    loading.value = true
    error.value = ''
    try {
      const r = await fetch({ limit: rows, offset: first.value })
      if (mine !== seq) return
      items.value = r.items
      total.value = r.total
      r.apply?.()
    } catch (e) {
      if (mine === seq) error.value = errorMessage(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  /** Back to the first page (a filter changed), then load. */
  function restart(): Promise<void> {
    first.value = 0
    return load()
  }

  function onPage(e: { first: number }): void {
    first.value = e.first
    void load()
  }

  const table = computed(() => ({
    value: items.value,
    lazy: true,
    paginator: true,
    rows,
    first: first.value,
    totalRecords: total.value,
    loading: loading.value,
    dataKey: 'id',
    tableProps: { 'aria-label': label() },
    ...PAGINATOR
  }))

  return { first, items, total, loading, error, load, restart, onPage, table }
}
