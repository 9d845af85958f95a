import { nextTick, reactive, ref } from 'vue'
import { ApiError } from './api'

export const GENERIC_ERROR = 'Une erreur inattendue est survenue. Réessayez.'
export const FORM_HAS_ERRORS = 'Le formulaire contient des erreurs. Corrigez les champs signalés.'

/**
 * Error state of one form: a sentence for the alert region and one message
 * per field (shown beside it, linked by aria-describedby). The typed values
 * live in the page and are never cleared on failure.
 */
export function useFormErrors() {
  const message = ref('')
  const fields = reactive<Record<string, string>>({})
  const busy = ref(false)

  function clear() {
    message.value = ''
    for (const k of Object.keys(fields)) delete fields[k]
  }

  /** Client-side checks: `errors` maps field → message; returns true when there is none. */
  function check(errors: Record<string, string>): boolean {
    clear()
    Object.assign(fields, errors)
    if (Object.keys(errors).length === 0) return true
    message.value = FORM_HAS_ERRORS
    focusFirstError()
    return false
  }

  /** A refused call. `alias` renames server field paths to this form's field ids (e.g. password → next). */
  function fail(e: unknown, alias: Record<string, string> = {}) {
    clear()
    if (e instanceof ApiError) {
      message.value = e.message
      for (const [path, text] of Object.entries(e.fields)) fields[alias[path] ?? path] ??= text
    } else {
      message.value = GENERIC_ERROR
    }
    focusFirstError()
  }

  /** Runs a submit with busy state and error capture; returns the result or undefined on failure. */
  async function run<T>(fn: () => Promise<T>, alias: Record<string, string> = {}): Promise<T | undefined> {
    busy.value = true
    try {
      const r = await fn()
      clear()
      return r
    } catch (e) {
      fail(e, alias)
      return undefined
    } finally {
      busy.value = false
    }
  }

  return { message, fields, busy, clear, check, fail, run }
}

/** After a failed submit: focus the first invalid field, or the alert when no field is concerned. */
function focusFirstError() {
  void nextTick(() => {
    const el = document.querySelector<HTMLElement>('main [aria-invalid="true"]') ?? document.querySelector<HTMLElement>('main .form-alert')
    el?.focus()
  })
}

export function blank(v: string | null | undefined): boolean {
  return !v || v.trim() === ''
}
