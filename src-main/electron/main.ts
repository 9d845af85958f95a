/**
 * The Electron shell, kept thin: one window on the back-office (staff API over
 * IPC), and the portal listener on the LAN. Everything else lives in the core.
 */
import { join } from 'node:path'
import { app, BrowserWindow, dialog, ipcMain, session, shell, type WebContents } from 'electron'
import type { Core } from '../core/app-core'
import { clockOption } from '../core/clock-option'
import { defaultDataDir, envPort, lanBindHost } from '../core/config'
import { openAppCore } from '../core/startup'
import { startServers, type RunningServers } from '../server/listen'
import { registerIpc } from './ipc'
import { chosenServer, openRemoteWindow } from './remote-window'
import { denyPermission, lockNavigation, mainWindowOptions, withCsp } from './window'

let core: Core | null = null
let servers: RunningServers | null = null
let closeRemote: (() => Promise<void>) | null = null

if (!app.requestSingleInstanceLock()) {
  // A second instance would open the same SQLite file; hand over to the first one.
  app.quit()
} else {
  app.on('second-instance', () => {
    const w = BrowserWindow.getAllWindows()[0]
    if (w) {
      if (w.isMinimized()) w.restore()
      w.focus()
    }
  })
  app.whenReady().then(start).catch((e) => {
    dialog.showErrorBox('Ribambelle ne peut pas démarrer', String((e as Error)?.message ?? e))
    app.quit()
  })
}

app.on('web-contents-created', (_e, contents) => lockNavigation(contents, (url) => shell.openExternal(url)))

async function start() {
  // A client of another computer's back-office: no local database, no listener of its own.
  const server = chosenServer(process.argv, app.getPath('userData'))
  if (server) {
    closeRemote = await openRemoteWindow(server, app.getPath('userData'))
    return
  }
  const demo = process.argv.includes('--demo')
  const opened = await openAppCore(
    defaultDataDir(app.getPath('userData')),
    demo,
    'Ribambelle',
    clockOption(process.argv, process.env, demo),
    process.argv.includes('--regie-publique') ? 'regie-publique' : 'association'
  )
  core = opened.core
  for (const line of opened.credentials) console.log(line)
  registerIpc(core, {
    ipcMain,
    windowOf: (sender) => BrowserWindow.fromWebContents(sender as WebContents),
    showSaveDialog: (win, defaultPath) => dialog.showSaveDialog(win, { defaultPath })
  })
  servers = await startServers(core, {
    staffPort: 0,
    portalPort: envPort('RIBAMBELLE_PORTAL_PORT', 5443),
    portalHost: process.env.RIBAMBELLE_PORTAL_HOST ?? '0.0.0.0',
    // The window talks over IPC; the built back-office is served only to the other desks, when opened on the LAN.
    staffStaticDir: join(__dirname, '../renderer'),
    portalStaticDir: join(__dirname, '../portal'),
    withStaff: false,
    mailIntervalMs: demo ? 2_000 : undefined,
    lanHost: lanBindHost()
  })
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => cb({ responseHeaders: withCsp(details.responseHeaders) }))
  session.defaultSession.setPermissionRequestHandler(denyPermission)

  const win = new BrowserWindow(mainWindowOptions(join(__dirname, '../preload/index.cjs')))
  win.once('ready-to-show', () => win.show())
  if (process.env.ELECTRON_RENDERER_URL) await win.loadURL(process.env.ELECTRON_RENDERER_URL)
  else await win.loadFile(join(__dirname, '../renderer/index.html'))
}

// Closing the window and Cmd+Q / app.quit() (which skips 'window-all-closed') both end here, once: the
// listeners stop, the closing backup is made (Paramètres → Sauvegardes), then the database and its lock are released.
let shutdown: Promise<void> | null = null
function shutDown(): Promise<void> {
  shutdown ??= (async () => {
    try {
      await closeRemote?.()
      await servers?.close()
    } finally {
      await core?.close()
    }
  })()
  return shutdown
}
app.on('window-all-closed', () => {
  void shutDown().finally(() => app.exit(0))
})
app.on('before-quit', (event) => {
  if (!core) return
  event.preventDefault()
  void shutDown().finally(() => app.exit(0))
})
