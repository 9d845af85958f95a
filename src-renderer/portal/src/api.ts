import type { PortalProcedureName, PortalProcedures } from '@shared/contract/portal'
import type { ApiErrorBody, InputOf, OutputOf } from '@shared/contract/procedure'

export type Input<N extends PortalProcedureName> = InputOf<PortalProcedures[N]>
export type Output<N extends PortalProcedureName> = OutputOf<PortalProcedures[N]>

/** A refused call: `message` is French and meant for people, `fields` maps input paths to French messages. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly fields: Record<string, string> = {}
  ) {
    super(message)
  }
}

const NETWORK_MESSAGE = 'Le portail ne répond pas. Vérifiez votre connexion internet puis réessayez.'

let csrfToken = ''
type Listener = (error: ApiError) => void
let onSessionLost: Listener = () => {}
let onPasswordChangeRequired: Listener = () => {}

/** Installed once by main.ts: what to do when the server says the session is gone or a password change is due. */
export function setApiListeners(l: { sessionLost: Listener; passwordChangeRequired: Listener }): void {
  onSessionLost = l.sessionLost
  onPasswordChangeRequired = l.passwordChangeRequired
}

async function post(name: string, input: unknown): Promise<Response> {
  return fetch(`/api/portal/${name}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
    body: JSON.stringify(input ?? {})
  })
}

async function toError(res: Response): Promise<ApiError> {
  let body: Partial<ApiErrorBody> | null = null
  try {
    body = (await res.json()) as Partial<ApiErrorBody>
  } catch {
    body = null
  }
  const e = body?.error
  if (!e) return new ApiError('http_' + res.status, 'Une erreur inattendue est survenue. Réessayez.', res.status)
  let fields = e.fields ?? {}
  // Domain refusals carry one sentence for the whole call and only flag the fields it concerns
  // ("trop court"); show that sentence beside each field. Input validation has one sentence per field.
  if (e.code !== 'invalid_input') fields = Object.fromEntries(Object.keys(fields).map((k) => [k, e.message]))
  return new ApiError(e.code, e.message, res.status, fields)
}

/**
 * Calls a portal procedure. The CSRF token comes from auth-session/auth-login
 * and is sent on every call; a stale token (403 'csrf') is refreshed once.
 */
export async function call<N extends PortalProcedureName>(name: N, input: Input<N>): Promise<Output<N>> {
  let res: Response
  try {
    res = await post(name, input)
    if (res.status === 403 && name !== 'auth-session') {
      const err = await toError(res.clone())
      if (err.code === 'csrf') {
        await refreshCsrf()
        res = await post(name, input)
      }
    }
  } catch (e) {
    if (e instanceof ApiError) throw e
    throw new ApiError('network', NETWORK_MESSAGE, 0)
  }
  if (!res.ok) {
    const err = await toError(res)
    if (err.code === 'unauthenticated') onSessionLost(err)
    if (err.code === 'password_change_required') onPasswordChangeRequired(err)
    throw err
  }
  const out = (await res.json()) as Output<N>
  if (out && typeof out === 'object' && 'csrfToken' in out && typeof out.csrfToken === 'string') csrfToken = out.csrfToken
  return out
}

async function refreshCsrf(): Promise<void> {
  await call('auth-session', {})
}
