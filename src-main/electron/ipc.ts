import { writeFile } from 'node:fs/promises'
import { staffProcedures } from '@shared/contract'
import type { RibambelleBridge } from '@shared/bridge'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { StorageError } from '../db/storage-errors'
import { dispatch } from '../rpc/dispatch'
import { errorBody, internalError, knownError } from '../rpc/error-body'
import { staffHandlers } from '../rpc/staff-handlers'
import type { CallContext, StaffActor } from '../rpc/types'
import { resolveStaffActor } from '../server/staff-app'
import { registerLiveIpc, type LiveIpcSender } from './live-ipc'

type CallResult = Awaited<ReturnType<RibambelleBridge['call']>>

/** The renderer that sent a message: Electron's `event.sender` (a WebContents, one per window). */
export type IpcSender = LiveIpcSender

/**
 * The three things of Electron the adapter uses, passed in by main.ts (and by
 * the tests, with a fake): no `import 'electron'` here, so the adapter runs
 * without Electron's binary.
 */
export interface IpcShell<W = unknown> {
  ipcMain: { handle(channel: string, listener: (event: { sender: IpcSender }, ...args: unknown[]) => Promise<unknown>): void }
  /** The window of a sender (null once it is closed). */
  windowOf(sender: IpcSender): W | null
  /** The system "save as" dialog, modal on `win`, pre-filled with a bare file name. */
  showSaveDialog(win: W, defaultName: string): Promise<{ canceled: boolean; filePath?: string }>
}

/**
 * The name the renderer suggests, as a bare file name: no folder (the user picks it in the dialog), no ".." and
 * no control characters, so a renderer can never steer the dialog, let alone the write, outside what the user chose.
 */
export function safeFileName(name: string): string {
  const bare = name.replace(/[/\\]/g, '_').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200)
  return /^\.*$/.test(bare) ? 'fichier' : bare
}

/**
 * The Electron adapter of the staff contract: the same `dispatch` as HTTP.
 * The session token lives here in the main process, per window, and never
 * reaches the renderer; IPC needs no CSRF token (no cross-site requests).
 * The window's live updates go over IPC too (live-ipc.ts), with the same session.
 */
export function registerIpc<W>(core: Core, shell: IpcShell<W>): void {
  const sessions = new Map<number, string | null>()

  shell.ipcMain.handle('ribambelle:call', async (event, name: unknown, input: unknown): Promise<CallResult> => {
    const key = event.sender.id
    const token = sessions.get(key) ?? null
    try {
      if (typeof name !== 'string') throw new DomainError('unknown_procedure', 'Action inconnue.', 404)
      const actor = await resolveStaffActor(core, token, 'ipc')
      const ctx: CallContext<StaffActor | null> = {
        core,
        actor,
        sessionToken: token,
        ip: 'ipc',
        listener: 'ipc',
        setSession: (t) => void sessions.set(key, t),
        csrfToken: () => ''
      }
      const data = await dispatch(staffProcedures, staffHandlers as never, name, input, ctx)
      return { ok: true, data }
    } catch (e) {
      let d = knownError(e)
      // Storage faults are logged too: the desk is told, the cause stays in the log for whoever fixes the disk.
      if (!d || d instanceof StorageError) core.options.log(String((e as Error)?.stack ?? e))
      if (!d) d = internalError()
      return { ok: false, status: d.status, ...errorBody(d) }
    }
  })

  // Only bytes, and only to the file the user picked: the renderer never names a path.
  shell.ipcMain.handle('ribambelle:save-file', async (event, defaultName: unknown, data: unknown) => {
    const win = shell.windowOf(event.sender)
    if (!win || typeof defaultName !== 'string' || !(data instanceof Uint8Array)) return false
    const r = await shell.showSaveDialog(win, safeFileName(defaultName))
    if (r.canceled || !r.filePath) return false
    await writeFile(r.filePath, data)
    return true
  })

  registerLiveIpc(core, shell.ipcMain, (id) => sessions.get(id) ?? null)
}
