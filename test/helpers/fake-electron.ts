/**
 * A small stand-in for the `electron` module (its binary cannot be downloaded
 * here): it records what the shell asks of Electron, so tests can assert it,
 * and lets them play the renderer's side of IPC.
 *
 *   const fake = fakeElectron()
 *   registerIpc(core, ipcShellOf(fake))            // the adapter alone
 *   vi.mock('electron', () => fake.module)        // or main.ts / preload.ts as a whole
 *   const w = fake.openWindow()                    // a window with its webContents id
 *   await fake.invoke(w, 'ribambelle:call', 'auth-session', {})
 */
import type { IpcSender, IpcShell } from '../../src-main/electron/ipc'

type Listener = (...args: any[]) => unknown

export interface FakeWebContents extends IpcSender {
  listeners: Map<string, Listener[]>
  openHandler: ((d: { url: string }) => { action: string }) | null
  /** What the main process sent to this renderer (`webContents.send`), in order. */
  sent: { channel: string; args: unknown[] }[]
  destroyed: boolean
  /** Closes the window's renderer: 'destroyed' listeners run, sends are no longer possible. */
  destroy(): void
  on(event: string, fn: Listener): FakeWebContents
  once(event: string, fn: Listener): FakeWebContents
  setWindowOpenHandler(fn: (d: { url: string }) => { action: string }): void
}

export interface FakeWindow {
  options: any
  webContents: FakeWebContents
  loaded: string | null
  focused: number
  restored: number
  minimized: boolean
}

export function fakeElectron() {
  let nextId = 1
  const handlers = new Map<string, Listener>()
  const appListeners = new Map<string, Listener[]>()
  const windows: FakeWindow[] = []
  const calls = { quit: 0, exits: [] as number[], lockRequests: 0, errorBoxes: [] as string[], openedExternally: [] as string[], saveDialogs: [] as { defaultPath: string }[], messageBoxes: [] as { message: string; detail: string; buttons: string[] }[] }
  const state = {
    singleInstance: true,
    userData: '/nonexistent',
    /** What the user picks in the "save as" dialog: a path, or null to cancel. */
    saveAs: null as string | null,
    /** The button the user clicks in a message box (its index). */
    messageBoxResponse: 0,
    headersHook: null as null | ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void),
    permissionHook: null as null | Listener
  }
  let ready!: () => void
  const whenReady = new Promise<void>((r) => (ready = r))

  function webContents(): FakeWebContents {
    const wc: FakeWebContents = {
      id: nextId++,
      listeners: new Map(),
      openHandler: null,
      sent: [],
      destroyed: false,
      send(channel, ...args) {
        // Electron throws on a destroyed WebContents: so does the fake.
        if (wc.destroyed) throw new Error('Object has been destroyed')
        wc.sent.push({ channel, args })
      },
      isDestroyed: () => wc.destroyed,
      destroy() {
        wc.destroyed = true
        const ls = wc.listeners.get('destroyed') ?? []
        wc.listeners.delete('destroyed')
        for (const fn of ls) fn()
      },
      on(event, fn) {
        wc.listeners.set(event, [...(wc.listeners.get(event) ?? []), fn])
        return wc
      },
      once(event, fn) {
        return wc.on(event, fn)
      },
      setWindowOpenHandler(fn) {
        wc.openHandler = fn
      }
    }
    for (const fn of appListeners.get('web-contents-created') ?? []) fn({}, wc)
    return wc
  }

  class BrowserWindow implements FakeWindow {
    options: any
    webContents = webContents()
    loaded: string | null = null
    focused = 0
    restored = 0
    minimized = false
    constructor(options: any) {
      this.options = options
      windows.push(this)
    }
    static fromWebContents(wc: IpcSender) {
      return windows.find((w) => w.webContents.id === wc.id) ?? null
    }
    static getAllWindows() {
      return [...windows]
    }
    once() {}
    show() {}
    isMinimized() {
      return this.minimized
    }
    restore() {
      this.restored++
    }
    focus() {
      this.focused++
    }
    async loadFile(f: string) {
      this.loaded = f
    }
    async loadURL(u: string) {
      this.loaded = u
    }
  }

  const exposed = new Map<string, unknown>()
  const invoked: { channel: string; args: unknown[] }[] = []
  /** The preload's ipcRenderer.on listeners, by channel (emitRenderer plays the main process sending). */
  const rendererListeners = new Map<string, Listener[]>()
  const module = {
    app: {
      requestSingleInstanceLock: () => (calls.lockRequests++, state.singleInstance),
      quit: () => void calls.quit++,
      exit: (code = 0) => void calls.exits.push(code),
      on: (event: string, fn: Listener) => void appListeners.set(event, [...(appListeners.get(event) ?? []), fn]),
      whenReady: () => whenReady,
      getPath: () => state.userData
    },
    BrowserWindow,
    ipcMain: { handle: (channel: string, fn: Listener) => void handlers.set(channel, fn) },
    dialog: {
      showSaveDialog: async (_win: unknown, opts: { defaultPath: string }) => {
        calls.saveDialogs.push(opts)
        return state.saveAs ? { canceled: false, filePath: state.saveAs } : { canceled: true, filePath: '' }
      },
      showMessageBox: async (opts: { message: string; detail: string; buttons: string[] }) => {
        calls.messageBoxes.push(opts)
        return { response: state.messageBoxResponse }
      },
      showErrorBox: (title: string, content: string) => void calls.errorBoxes.push(`${title} : ${content}`)
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (fn: typeof state.headersHook) => void (state.headersHook = fn) },
        setPermissionRequestHandler: (fn: Listener) => void (state.permissionHook = fn)
      }
    },
    shell: { openExternal: async (url: string) => void calls.openedExternally.push(url) },
    // The preload's side.
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => void invoked.push({ channel, args }),
      on: (channel: string, fn: Listener) => void rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), fn]),
      removeListener: (channel: string, fn: Listener) => void rendererListeners.set(channel, (rendererListeners.get(channel) ?? []).filter((l) => l !== fn))
    }
  }

  return {
    module,
    handlers,
    appListeners,
    windows,
    calls,
    state,
    exposed,
    invoked,
    rendererListeners,
    /** The main process sends `args` on `channel` to the preload (as webContents.send would). */
    emitRenderer(channel: string, ...args: unknown[]) {
      for (const fn of rendererListeners.get(channel) ?? []) fn({ sender: 'ipc-event' }, ...args)
    },
    /** Resolves app.whenReady(). */
    ready: () => ready(),
    /** A window of the app, as if the shell had opened a second one. */
    openWindow: (): FakeWindow => new BrowserWindow({}),
    /** What the renderer of `win` gets back from ipcRenderer.invoke(channel, ...args). */
    invoke(win: FakeWindow | null, channel: string, ...args: unknown[]): Promise<any> {
      const h = handlers.get(channel)
      if (!h) throw new Error(`no handler for ${channel}`)
      const nobody = { id: 9999, send() {}, isDestroyed: () => true, once() {} }
      return Promise.resolve(h({ sender: win ? win.webContents : nobody }, ...args))
    },
    emitApp(event: string, ...args: unknown[]) {
      return Promise.all((appListeners.get(event) ?? []).map((fn) => fn(...args)))
    }
  }
}

export type FakeElectron = ReturnType<typeof fakeElectron>

/** The adapter's view of the fake, wired as main.ts wires the real module. */
export function ipcShellOf(fake: FakeElectron): IpcShell<FakeWindow> {
  const { BrowserWindow, dialog, ipcMain } = fake.module
  return {
    ipcMain,
    windowOf: (sender) => BrowserWindow.fromWebContents(sender),
    showSaveDialog: (win, defaultPath) => dialog.showSaveDialog(win, { defaultPath })
  }
}
