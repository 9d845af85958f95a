import { onMounted, ref, type Ref } from 'vue'
import { errorMessage } from '../api'

/**
 * A screen's data, fetched on mount and again by `load()`: the value, whether it is loading, and the French error of
 * the last attempt (cleared by the next one). The value keeps what was last loaded when a reload fails.
 */
export function useLoaded<T>(fetch: () => Promise<T>, initial: T): { data: Ref<T>; loading: Ref<boolean>; loadError: Ref<string>; load: () => Promise<void> } {
  const data = ref(initial) as Ref<T>
  const loading = ref(false)
  const loadError = ref('')
  async function load(): Promise<void> {
    loading.value = true
    loadError.value = ''
    try {
      data.value = await fetch()
    } catch (e) {
      loadError.value = errorMessage(e)
    } finally {
      loading.value = false
    }
  }
  onMounted(load)
  return { data, loading, loadError, load }
}
