import { ref, type Ref } from 'vue'
import { useToast } from 'primevue/usetoast'
import { ApiError, errorMessage, isStaleVersion } from '../api'

/** What `FormMessage :form` shows: the refusal, and « Recharger » when the record changed since it was loaded. */
export interface ApiFormState {
  message: Ref<string>
  stale: Ref<boolean>
  busy: Ref<boolean>
  reload(): Promise<void>
}

/**
 * State of a form that calls the API: `busy` while waiting, the French
 * `message` of a refusal (shown above the form) and `errors` by input path
 * ("responsable.lastName", "children.0.birthDate") shown next to each field.
 *
 * An edit screen passes `reload`, which fetches the record again and puts
 * it back in the form. When a save is refused because someone else saved
 * the record since it was opened (409 `stale_version`, « Ce dossier a été
 * modifié par … »), `stale` is set and `FormMessage :form` offers
 * « Recharger »: the user's edits stay on screen until they choose it.
 */
export function useApiForm(options: { reload?: () => unknown } = {}) {
  const toast = useToast()
  const errors = ref<Record<string, string>>({})
  const message = ref('')
  const busy = ref(false)
  const stale = ref(false)

  /** Runs `fn`; resolves to true on success (with an optional success toast), false after showing the refusal. */
  async function submit(fn: () => Promise<unknown>, success?: string): Promise<boolean> {
    busy.value = true
    reset()
    try {
      await fn()
      if (success) toast.add({ severity: 'success', summary: success, life: 4000 })
      return true
    } catch (e) {
      message.value = errorMessage(e)
      errors.value = e instanceof ApiError ? e.fields : {}
      stale.value = isStaleVersion(e) && options.reload !== undefined
      return false
    } finally {
      busy.value = false
    }
  }

  function reset(): void {
    errors.value = {}
    message.value = ''
    stale.value = false
  }

  /** « Recharger »: the record as saved now replaces the edits in the form. */
  async function reload(): Promise<void> {
    busy.value = true
    try {
      await options.reload?.()
      reset()
    } catch (e) {
      message.value = errorMessage(e)
    } finally {
      busy.value = false
    }
  }

  return { errors, message, busy, stale, submit, reset, reload }
}

/** For one-shot actions outside a form (buttons in a table): failure shows a toast. */
export function useApiAction() {
  const toast = useToast()
  const busy = ref(false)
  async function run<T>(fn: () => Promise<T>, success?: string): Promise<T | undefined> {
    busy.value = true
    try {
      const r = await fn()
      if (success) toast.add({ severity: 'success', summary: success, life: 4000 })
      return r
    } catch (e) {
      toast.add({ severity: 'error', summary: 'Action impossible', detail: errorMessage(e), life: 8000 })
      return undefined
    } finally {
      busy.value = false
    }
  }
  return { busy, run }
}
