import { ref } from 'vue'
import { useToast } from 'primevue/usetoast'
import { ApiError, errorMessage } from '../api'

/**
 * State of a form that calls the API: `busy` while waiting, the French
 * `message` of a refusal (shown above the form) and `errors` by input path
 * ("responsable.lastName", "children.0.birthDate") shown next to each field.
 */
export function useApiForm() {
  const toast = useToast()
  const errors = ref<Record<string, string>>({})
  const message = ref('')
  const busy = ref(false)

  /** Runs `fn`; resolves to true on success (with an optional success toast), false after showing the refusal. */
  async function submit(fn: () => Promise<unknown>, success?: string): Promise<boolean> {
    busy.value = true
    errors.value = {}
    message.value = ''
    try {
      await fn()
      if (success) toast.add({ severity: 'success', summary: success, life: 4000 })
      return true
    } catch (e) {
      message.value = errorMessage(e)
      errors.value = e instanceof ApiError ? e.fields : {}
      return false
    } finally {
      busy.value = false
    }
  }

  function reset(): void {
    errors.value = {}
    message.value = ''
  }

  return { errors, message, busy, submit, reset }
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
