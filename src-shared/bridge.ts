import type { LiveMessage } from './contract/live'
import type { ApiErrorBody } from './contract/procedure'

/**
 * The one object the Electron preload exposes (as `window.ribambelle`). The
 * back-office uses it when present and falls back to HTTP (headless mode).
 */
export interface RibambelleBridge {
  /** Calls a staff procedure by name; resolves to its output or an error body. */
  call(name: string, input: unknown): Promise<{ ok: true; data: unknown } | ({ ok: false; status: number } & ApiErrorBody)>
  /** Saves a downloaded file (PDF, XLSX…) with the system dialog. */
  saveFile(defaultName: string, data: Uint8Array): Promise<boolean>
  /**
   * Live updates for this window's session (the staff event stream over IPC): `listener` gets every message from
   * now on (returns its removal); `liveStart(lastId)` opens the stream, resuming after `lastId` when given.
   */
  onLive(listener: (m: LiveMessage) => void): () => void
  liveStart(lastId: string): Promise<{ ok: true } | ({ ok: false; status: number } & ApiErrorBody)>
  liveStop(): Promise<boolean>
  readonly platform: string
}

declare global {
  interface Window {
    ribambelle?: RibambelleBridge
  }
}
