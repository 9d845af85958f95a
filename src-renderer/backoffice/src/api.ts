import type { ApiErrorBody, InputOf, OutputOf, StaffProcedureName, StaffProcedures } from '@shared/contract'

export type StaffInput<N extends StaffProcedureName> = InputOf<StaffProcedures[N]>
export type StaffOutput<N extends StaffProcedureName> = OutputOf<StaffProcedures[N]>

/** A refusal from the API: `message` is French and shown as is, `fields` maps input paths ("responsable.lastName") to messages. */
export class ApiError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status: number,
    public readonly fields: Record<string, string> = {}
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** A save from a copy someone changed since it was loaded (409): the screen offers « Recharger ». */
export function isStaleVersion(e: unknown): boolean {
  return e instanceof ApiError && e.status === 409 && e.code === 'stale_version'
}

const NETWORK_MESSAGE = 'Le serveur Ribambelle ne répond pas. Vérifiez que l’application est lancée puis réessayez.'

// The CSRF token lives in memory only; auth-session and auth-login hand out a new one.
let csrfToken: string | null = null
let sessionExpiredListener: ((e: ApiError) => void) | null = null

/** Called when a call fails because the session is gone (idle/absolute timeout, logout elsewhere). */
export function onSessionExpired(listener: (e: ApiError) => void): void {
  sessionExpiredListener = listener
}

function rememberToken(name: string, data: unknown): void {
  if ((name === 'auth-session' || name === 'auth-login' || name === 'auth-second-factor') && data && typeof data === 'object' && 'csrfToken' in data) {
    csrfToken = String((data as { csrfToken: string }).csrfToken)
  }
}

function toApiError(status: number, body: unknown): ApiError {
  const err = (body as Partial<ApiErrorBody> | null)?.error
  if (err && typeof err.message === 'string') return new ApiError(err.code ?? 'error', err.message, status, err.fields ?? {})
  return new ApiError('http_' + status, `Erreur inattendue du serveur (code ${status}).`, status)
}

async function httpCall(name: string, input: unknown): Promise<unknown> {
  let res: Response
  try {
    res = await fetch(`/api/staff/${name}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
      body: JSON.stringify(input ?? {})
    })
  } catch {
    throw new ApiError('network', NETWORK_MESSAGE, 0)
  }
  const body: unknown = await res.json().catch(() => null)
  if (!res.ok) throw toApiError(res.status, body)
  return body
}

async function bridgeCall(name: string, input: unknown): Promise<unknown> {
  // IPC uses structured clone, which refuses Vue's reactive proxies: send plain JSON data, as over HTTP.
  const r = await window.ribambelle!.call(name, JSON.parse(JSON.stringify(input ?? {})))
  if (!r.ok) throw toApiError(r.status, r)
  return r.data
}

async function rawCall(name: string, input: unknown): Promise<unknown> {
  if (window.ribambelle) return bridgeCall(name, input)
  try {
    return await httpCall(name, input)
  } catch (e) {
    // A stale token (session rotated in another tab, server restarted): fetch a fresh one and retry once.
    if (e instanceof ApiError && e.status === 403 && e.code === 'csrf' && name !== 'auth-session') {
      rememberToken('auth-session', await httpCall('auth-session', {}))
      return httpCall(name, input)
    }
    throw e
  }
}

/** Calls a staff procedure; resolves to its typed output or throws an {@link ApiError}. */
export async function call<N extends StaffProcedureName>(name: N, input: StaffInput<N>): Promise<StaffOutput<N>> {
  try {
    const data = await rawCall(name, input)
    rememberToken(name, data)
    return data as StaffOutput<N>
  } catch (e) {
    if (e instanceof ApiError && e.code === 'unauthenticated' && sessionExpiredListener) sessionExpiredListener(e)
    throw e
  }
}

/** Hands bytes to the user as a file: the system "save as" dialog in Electron, a browser download otherwise. */
export async function saveBytes(fileName: string, data: Uint8Array, mime = 'application/octet-stream'): Promise<boolean> {
  if (window.ribambelle) return window.ribambelle.saveFile(fileName, data)
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type: mime }))
  try {
    const a = document.createElement('a')
    a.href = url
    a.download = fileName
    document.body.appendChild(a)
    a.click()
    a.remove()
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  }
  return true
}

export function base64ToBytes(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
}

/** {@link saveBytes} for a file a procedure returned as base64 (PDFs, attachments: the way files come over IPC). */
export function saveBase64(fileName: string, base64: string, mime?: string): Promise<boolean> {
  return saveBytes(fileName, base64ToBytes(base64), mime)
}

function fileNameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
  if (star) return decodeURIComponent(star[1])
  const plain = /filename="?([^";]+)"?/i.exec(disposition)
  return plain ? plain[1] : fallback
}

/**
 * Downloads a file from a GET route of the staff listener (PDF, XLSX…), e.g.
 * `download('/api/staff/files/invoice/12.pdf', 'facture.pdf')`. Errors come
 * back as {@link ApiError} with the server's French message. Headless mode
 * only: in Electron there is no HTTP listener, so such files must come
 * through a procedure returning the bytes, then {@link saveBytes}.
 */
export async function download(path: string, fallbackName: string): Promise<boolean> {
  let res: Response
  try {
    res = await fetch(path, { credentials: 'same-origin' })
  } catch {
    throw new ApiError('network', NETWORK_MESSAGE, 0)
  }
  if (!res.ok) {
    const e = toApiError(res.status, await res.json().catch(() => null))
    if (e.code === 'unauthenticated' && sessionExpiredListener) sessionExpiredListener(e)
    throw e
  }
  const bytes = new Uint8Array(await res.arrayBuffer())
  return saveBytes(fileNameFrom(res.headers.get('content-disposition'), fallbackName), bytes, res.headers.get('content-type') ?? undefined)
}

/** Turns anything thrown into a French sentence for a toast. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message
  return 'Une erreur inattendue est survenue dans l’interface. Rechargez la page puis réessayez.'
}
