import { ZodError } from 'zod'
import type { ApiErrorBody } from '@shared/contract'
import { DomainError } from '../core/errors'
import { storageError } from '../db/storage-errors'
import { zodToDomainError } from './dispatch'

/** The one French message for a failure we did not foresee (the details go to the log only). */
export const internalError = () =>
  new DomainError('internal', 'Une erreur inattendue est survenue. Réessayez ; si le problème persiste, contactez la structure.', 500)

/**
 * A refusal the caller can be told about (a storage fault named in French, a DomainError, or a ZodError as invalid
 * input); null for anything else.
 */
export function knownError(e: unknown): DomainError | null {
  const storage = storageError(e)
  if (storage) return storage
  if (e instanceof DomainError) return e
  if (e instanceof ZodError) return zodToDomainError(e)
  return null
}

/** What both adapters send for a refusal: `{ error: { code, message, fields? } }` (HTTP body, or IPC result with `ok: false`). */
export function errorBody(e: DomainError): ApiErrorBody {
  return { error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } }
}
