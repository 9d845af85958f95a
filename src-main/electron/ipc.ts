import { writeFile } from 'node:fs/promises'
import { BrowserWindow, dialog, ipcMain } from 'electron'
import { staffProcedures } from '@shared/contract'
import type { RibambelleBridge } from '@shared/bridge'
import type { Core } from '../core/app-core'
import { DomainError } from '../core/errors'
import { StorageError, storageError } from '../db/storage-errors'
import { dispatch } from '../rpc/dispatch'
import { staffHandlers } from '../rpc/staff-handlers'
import type { CallContext, StaffActor } from '../rpc/types'
import { resolveStaffActor } from '../server/staff-app'

type CallResult = Awaited<ReturnType<RibambelleBridge['call']>>

/**
 * The Electron adapter of the staff contract: the same `dispatch` as HTTP.
 * The session token lives here in the main process, per window, and never
 * reaches the renderer; IPC needs no CSRF token (no cross-site requests).
 */
export function registerIpc(core: Core): void {
  const sessions = new Map<number, string | null>()

  ipcMain.handle('ribambelle:call', async (event, name: unknown, input: unknown): Promise<CallResult> => {
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
      const d =
        storageError(e) ??
        (e instanceof DomainError ? e : new DomainError('internal', 'Une erreur inattendue est survenue. Réessayez ; si le problème persiste, contactez le support.', 500))
      if (!(e instanceof DomainError) || e instanceof StorageError) core.options.log(String((e as Error)?.stack ?? e))
      return { ok: false, status: d.status, error: { code: d.code, message: d.message, ...(d.fields ? { fields: d.fields } : {}) } }
    }
  })

  ipcMain.handle('ribambelle:save-file', async (event, defaultName: unknown, data: unknown) => {
    const win = BrowserWindow.fromWebContents(event.sender)
    if (!win || typeof defaultName !== 'string' || !(data instanceof Uint8Array)) return false
    const r = await dialog.showSaveDialog(win, { defaultPath: defaultName.replace(/[/\\]/g, '_') })
    if (r.canceled || !r.filePath) return false
    await writeFile(r.filePath, data)
    return true
  })
}
