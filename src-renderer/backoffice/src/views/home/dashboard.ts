import { ref, type Ref } from 'vue'
import { format, parseISO } from 'date-fns'
import { fr } from 'date-fns/locale'
import { topicsStaling } from '@shared/contract/live'
import type { StaffProcedureName } from '@shared/contract'
import { errorMessage } from '../../api'
import { useLive } from '../../live'

/**
 * One tile's figures: loaded on their own, so a slow or refused call never hides the other tiles. `procedure` names
 * the call behind them: the tile listens to the live topics that make its answer stale (contract/live.ts) and
 * reloads quietly, keeping its figures on screen meanwhile (and if that reload fails: the next change retries);
 * `days`, when given, skips the changes of other days.
 */
export function useTileData<T>(
  procedure: StaffProcedureName,
  fetch: () => Promise<T>,
  days?: (data: T) => readonly string[] | string | null
): { data: Ref<T | null>; loading: Ref<boolean>; error: Ref<string>; load: () => Promise<void> } {
  const data = ref(null) as Ref<T | null>
  const loading = ref(true)
  const error = ref('')
  let seq = 0
  async function load(quiet = false) {
    const mine = ++seq
    if (!quiet) {
      loading.value = true
      error.value = ''
    }
    try {
      const next = await fetch()
      if (mine !== seq) return
      data.value = next
      error.value = ''
    } catch (e) {
      if (mine === seq && !quiet) error.value = errorMessage(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  useLive(topicsStaling(procedure), () => void load(data.value !== null), { days: days && (() => (data.value === null ? null : days(data.value))) })
  return { data, loading, error, load: () => load() }
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
