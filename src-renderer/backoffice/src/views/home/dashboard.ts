import { ref, type Ref } from 'vue'
import { format, parseISO } from 'date-fns'
import { fr } from 'date-fns/locale'
import { errorMessage } from '../../api'

/** One tile's figures: loaded on their own, so a slow or refused call never hides the other tiles. */
export function useTileData<T>(fetch: () => Promise<T>): { data: Ref<T | null>; loading: Ref<boolean>; error: Ref<string>; load: () => Promise<void> } {
  const data = ref(null) as Ref<T | null>
  const loading = ref(true)
  const error = ref('')
  async function load() {
    loading.value = true
    error.value = ''
    try {
      data.value = await fetch()
    } catch (e) {
      error.value = errorMessage(e)
    } finally {
      loading.value = false
    }
  }
  return { data, loading, error, load }
}

/** « lun. 30/11 » */
export const shortDay = (day: string) => format(parseISO(day), 'EEE dd/MM', { locale: fr })
/** « vendredi 4 décembre » */
export const longDay = (day: string) => format(parseISO(day), 'EEEE d MMMM', { locale: fr })
/** « sept. 2026 » */
export const shortMonth = (month: string) => format(parseISO(`${month}-01`), 'MMM yyyy', { locale: fr })
/** Whole days since an ISO instant. */
export const daysSince = (iso: string) => Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 86_400_000))
export const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`
