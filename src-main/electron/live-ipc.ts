import type { LiveMessage } from '@shared/contract/live'
import type { Core } from '../core/app-core'
import { subscribeLive, changeMessage, type LiveSink } from '../live/subscription'
import { SESSION_EXPIRED } from '../rpc/dispatch'
import { resolveStaffActor } from '../server/staff-app'

/** A renderer as the live channel sees it: Electron's WebContents has all of these. */
export interface LiveIpcSender {
  readonly id: number
  send(channel: string, ...args: unknown[]): void
  isDestroyed(): boolean
  once(event: 'destroyed', listener: () => void): unknown
}

export type LiveStartResult = { ok: true } | { ok: false; status: number; error: { code: string; message: string } }

export const LIVE_CHANNEL = 'ribambelle:live'

/**
 * The Electron window's live updates (issue 15 §2): the same role-scoped,
 * post-commit stream as `GET /api/staff/events` (live/subscription.ts), sent
 * to the window with `webContents.send('ribambelle:live', message)`.
 *
 * - `ribambelle:live-start` (lastId) opens it for the window's session (the
 *   token stays here, as for calls), replacing any earlier one of the same
 *   window (a reload starts again); with a lastId the missed events are
 *   replayed, or « resync » is sent; 401/403 as over HTTP.
 * - `ribambelle:live-stop` ends it; so does closing the window.
 * - A session ended elsewhere sends `session-ended` and ends it.
 */
export function registerLiveIpc(
  core: Core,
  ipcMain: { handle(channel: string, listener: (event: { sender: LiveIpcSender }, ...args: unknown[]) => Promise<unknown>): void },
  tokenOf: (senderId: number) => string | null,
  recheckMs?: number
): void {
  const subs = new Map<number, () => void>()
  const watched = new Set<number>()
  const stopFor = (id: number) => {
    subs.get(id)?.()
    subs.delete(id)
  }

  ipcMain.handle('ribambelle:live-start', async (event, lastId: unknown): Promise<LiveStartResult> => {
    const sender = event.sender
    stopFor(sender.id)
    const token = tokenOf(sender.id)
    const actor = await resolveStaffActor(core, token, 'ipc')
    if (!actor || !token) return { ok: false, status: 401, error: { code: 'unauthenticated', message: SESSION_EXPIRED } }
    if (actor.mustChangePassword) return { ok: false, status: 403, error: { code: 'password_change_required', message: 'Vous devez d’abord choisir un nouveau mot de passe.' } }
    const send = (m: LiveMessage) => {
      // A window closing between a commit and this send: nothing to tell.
      if (!sender.isDestroyed()) sender.send(LIVE_CHANNEL, m)
    }
    const sink: LiveSink = {
      change: (e) => send(changeMessage(e)),
      control: (ev, id) => send({ ...(id ? { id } : {}), event: ev, data: {} }),
      end: () => {
        subs.delete(sender.id)
        send({ event: 'session-ended', data: {} })
      }
    }
    const stop = subscribeLive(core, { token, role: actor.role }, sink, typeof lastId === 'string' && lastId ? lastId : undefined, recheckMs)
    subs.set(sender.id, stop)
    if (!watched.has(sender.id)) {
      watched.add(sender.id)
      sender.once('destroyed', () => {
        watched.delete(sender.id)
        stopFor(sender.id)
      })
    }
    return { ok: true }
  })

  ipcMain.handle('ribambelle:live-stop', async (event) => {
    stopFor(event.sender.id)
    return true
  })
}
